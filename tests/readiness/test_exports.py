"""Exports: the round's answers as formula-safe CSV, the institution's PDF report, the radar SVG."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy.orm import Session

from dati.auth.actor import Actor, Role
from dati.errors import Forbidden, NotFound
from dati.readiness import charts
from dati.readiness.services import exports as service
from tests.conftest import MakeUser
from tests.readiness.conftest import MakeRound, SubmitAs


@pytest.mark.parametrize(
    "value, cell",
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("Rīga", "Rīga"),
        (None, ""),
        (12.5, "12.5"),
    ],
)
def test_cells_that_would_run_as_formulas_get_a_leading_quote(value: object, cell: str) -> None:
    assert service.safe_cell(value) == cell


def test_the_csv_has_every_answer_and_no_live_formula(
    session: Session, system: Actor, make_round: MakeRound, submit: SubmitAs
) -> None:
    rnd = make_round("VZD", "PMLP")
    submit(rnd, "VZD", language_tools="=cmd|' /C calc'!A0", obstacles=["finance", "legal"])
    text = service.answers_csv(session=session, actor=system, round_id=rnd.id)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert {r["institution"] for r in rows} == {"VZD"}  # PMLP has no answers
    by_question = {r["question"]: r for r in rows}
    assert by_question["language_tools"]["answer"] == "'=cmd|' /C calc'!A0"
    assert (
        by_question["obstacles"]["answer"]
        == "Finanšu trūkums; Neizpratne par juridiskajiem jautājumiem"
    )
    assert by_question["obstacles"]["answer_codes"] == "finance;legal"
    assert by_question["obstacles"]["question_score"] == "50"
    assert by_question["ai_projects"]["answer"] == "3 projekti"
    assert by_question["ai_in_policy"]["group"] == "Tieslietu ministrija"
    assert all(not v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())


@pytest.mark.parametrize("role, org", [(Role.STEWARD, "VZD"), (Role.AI_OFFICER, "VID")])
def test_only_auditors_and_administrators_export_all_answers(
    session: Session, make_user: MakeUser, make_round: MakeRound, role: Role, org: str
) -> None:
    rnd = make_round("VZD")
    with pytest.raises(Forbidden):
        service.answers_csv(
            session=session, actor=make_user("lietotajs", (role, org)), round_id=rnd.id
        )
    auditor = make_user("maris", (Role.AUDITOR, "VKONTROLE"))
    assert service.answers_csv(session=session, actor=auditor, round_id=rnd.id).startswith(
        "\ufeffround_id"
    )


def test_the_pdf_report_is_for_the_institution_and_auditors(
    session: Session, make_user: MakeUser, make_round: MakeRound, submit: SubmitAs
) -> None:
    rnd = make_round("VZD", "PMLP")
    assessment = submit(rnd, "VZD")
    pdf = service.assessment_pdf(
        session=session,
        actor=make_user("janis", (Role.STEWARD, "VZD")),
        assessment_id=assessment.id,
    )
    assert pdf.startswith(b"%PDF-") and len(pdf) > 5000
    with pytest.raises(NotFound):
        service.assessment_pdf(
            session=session,
            actor=make_user("ilze", (Role.STEWARD, "PMLP")),
            assessment_id=assessment.id,
        )


def test_the_radar_chart_is_an_accessible_image_with_every_value() -> None:
    svg = str(
        charts.radar_svg(
            ["Stratēģija", "Budžets", "Infrastruktūra <b>"],
            [
                charts.Series("VZD", [80, None, 30]),
                charts.Series("Vidējais", [50, 40, 60], "reference"),
            ],
            title="VZD gatavība",
            chart_id="r1",
        )
    )
    assert 'role="img"' in svg and 'aria-labelledby="r1-title r1-desc"' in svg
    assert '<title id="r1-title">VZD gatavība</title>' in svg
    assert "VZD: Stratēģija 80; Budžets nav datu; Infrastruktūra &lt;b&gt; 30." in svg
    assert "<b>" not in svg  # labels are escaped
    assert svg.count("<polygon") == 4 + 2  # four grid rings and two series
    assert (
        'stroke-dasharray="7 4"' in svg
    )  # the reference series differs by pattern, not colour alone
    with pytest.raises(ValueError):
        charts.radar_svg(["a", "b"], [], title="x", chart_id="x")
