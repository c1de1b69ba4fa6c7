"""The public transparency register and the national overview."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy.orm import Session

from dati import clock
from dati.ai.models import DataUsage
from dati.ai.services import lineage, overview, transparency
from dati.auth.actor import Actor
from dati.errors import Forbidden, NotAuthenticated, NotFound
from tests.ai.conftest import NewSystem

ANON = Actor.anonymous()


def test_only_published_systems_in_pilot_or_production_are_public(
    session: Session, new_system: NewSystem
) -> None:
    live = new_system(yes=["interacts_with_people"])
    pilot = new_system(name_lv="Izmēģinājums", lifecycle="pilot", yes=[])
    idea = new_system(name_lv="Ideja", lifecycle="idea", yes=[])
    secret = new_system(
        name_lv="Slepena", publish=False, publish_exemption="Valsts drošība", yes=[]
    )
    public = {s.id for s in transparency.public_register(session=session, actor=ANON)}
    assert {live.id, pilot.id} <= public and not {idea.id, secret.id} & public
    for hidden in (idea, secret):
        with pytest.raises(NotFound):
            transparency.public_system(session=session, actor=ANON, system_id=hidden.id)
    limited = transparency.public_register(session=session, actor=ANON, risk_class="limited")
    assert [s.id for s in limited] == [live.id]


def test_entry_follows_the_publication_standard_fields(
    session: Session, officer: Actor, new_system: NewSystem, make_resource: Callable[..., Any]
) -> None:
    created = new_system(yes=["area_essential_services", "public_benefits", "preparatory_task"])
    lineage.link_dataset(
        session=session,
        actor=officer,
        system_id=created.id,
        resource=make_resource().name,
        usage=DataUsage.INPUT,
    )
    provisions = transparency.class_provisions(session, [created])[created.id]
    entry = transparency.entry(
        created,
        base_url="https://dati.example.lv",
        provisions=provisions,
        datasets=lineage.dataset_names(session, [created])[created.id],
    )
    assert entry.organisation_code == "VID" and entry.publication_category == "minimal"
    assert "Art. 6(3)(d)" in entry.ai_act_provisions
    assert entry.source_data == ["Nodokļu maksātāju reģistrs"]
    assert entry.url == f"https://dati.example.lv/ai/register/{created.id}"
    assert entry.human_intervention == "Konsultants pārskata atbildes."


def test_csv_has_a_header_and_defuses_formulas(session: Session, new_system: NewSystem) -> None:
    created = new_system(legal_basis='=HYPERLINK("http://evil")', yes=[])
    entry = transparency.entry(
        created, base_url="http://x", provisions=["Art. 4", "Art. 50(1)"], datasets=[]
    )
    rows = list(csv.DictReader(io.StringIO(transparency.entries_csv([entry]))))
    assert rows[0]["legal_basis"].startswith("'=")
    assert rows[0]["ai_act_provisions"] == "Art. 4; Art. 50(1)"
    assert list(rows[0]) == transparency.CSV_COLUMNS


def test_overview_recomputes_the_state_audit_shares(
    session: Session, auditor: Actor, new_system: NewSystem, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clock, "today", lambda: date(2026, 11, 22))
    new_system(yes=["interacts_with_people"])  # VID uses AI
    new_system(org="VDAA", name_lv="Ideja", lifecycle="idea", yes=[])  # VDAA plans
    new_system(
        org="CSP", name_lv="Noteikumi", yes=[], lifecycle="production"
    )  # classified below as not AI
    from dati.ai.factories import answers_with
    from dati.ai.services import assessments

    csp = [
        s
        for s in transparency.public_register(session=session, actor=ANON)
        if s.org.short_name == "CSP"
    ][0]
    assessments.assess_system(
        session=session,
        actor=Actor.system("t"),
        system_id=csp.id,
        answers=answers_with([], ai_system=False),
    )
    o = overview.overview(session=session, actor=auditor)
    shares = {s.key: s for s in o.shares}
    assert shares["active"].institutions == 1 and shares["planned"].institutions == 1
    assert shares["active"].survey_percent == 17 and shares["planned"].survey_percent == 22
    assert shares["no_plan"].survey_percent == 55
    assert sum(s.institutions for s in o.shares) == o.public_institutions
    assert shares["active"].percent == round(100 / o.public_institutions, 1)
    assert o.total == 3 and o.totals.in_use == 2
    assert dict(o.by_class)["limited"] == 1
    assert o.overdue >= 2  # the chatbot's AI literacy and Art. 50(1) duties


@pytest.mark.parametrize(
    ("who", "error"), [("steward", Forbidden), ("anonymous", NotAuthenticated)]
)
def test_overview_is_for_auditors_and_ai_officers(
    session: Session, request: pytest.FixtureRequest, who: str, error: type[Exception]
) -> None:
    actor = ANON if who == "anonymous" else request.getfixturevalue(who)
    with pytest.raises(error):
        overview.overview(session=session, actor=actor)
