"""Exports: every answer of a round as CSV, and an institution's report as PDF."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dati.auth.actor import Actor
from dati.auth.permissions import require
from dati.i18n import gettext as _
from dati.i18n import pick
from dati.orgs.models import Organisation
from dati.pdf import PdfReport
from dati.readiness import scoring
from dati.readiness.models import Answer, Assessment, Question, QuestionKind
from dati.readiness.permissions import EXPORT_ANSWERS, VIEW_ASSESSMENT
from dati.readiness.services.answers import assessment_row
from dati.readiness.services.results import AssessmentResult, build_result
from dati.readiness.services.rounds import get_round_row, group_of

CSV_COLUMNS = (
    "round_id",
    "round",
    "institution",
    "institution_name",
    "group",
    "status",
    "submitted_at",
    "dimension",
    "question",
    "question_text",
    "answer",
    "answer_codes",
    "question_score",
)

# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """The cell as text, with a leading quote if a spreadsheet would treat it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def answer_text(answer: Answer | None, lang: str = "lv") -> str:
    """An answer as a person reads it: option labels, a number with its unit, or the text."""
    if answer is None:
        return ""
    question = answer.question
    if question.is_choice:
        order = {o.id: o.position for o in question.options}
        chosen = sorted(answer.options, key=lambda o: order.get(o.id, 0))
        return "; ".join(o.label_en if lang == "en" and o.label_en else o.label_lv for o in chosen)
    if question.kind is QuestionKind.TEXT:
        return answer.text_value or ""
    value = answer.number_value
    if value is None:
        return ""
    number = str(int(value)) if value == int(value) else str(value)
    unit = question.unit_en if lang == "en" else question.unit_lv
    return f"{number} {unit}".strip() if question.kind is QuestionKind.NUMBER else number


def answers_csv(*, session: Session, actor: Actor, round_id: int) -> str:
    """All answers of a round, one row per institution and answered question (UTF-8, with BOM
    so that spreadsheets read Latvian letters)."""
    require(actor, EXPORT_ANSWERS)
    rnd = get_round_row(session, round_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    assessments = session.scalars(
        select(Assessment)
        .join(Organisation, Assessment.org_id == Organisation.id)
        .where(Assessment.round_id == rnd.id)
        .order_by(Organisation.short_name)
    )
    questions: list[Question] = list(rnd.version.questions)
    for assessment in assessments:
        by_question = {a.question_id: a for a in assessment.answers}
        org = assessment.organisation
        for question in questions:
            answer = by_question.get(question.id)
            if answer is None:
                continue
            score = scoring.question_score(question, answer)
            codes = answer.value if isinstance(answer.value, list) else [answer.value]
            writer.writerow(
                [
                    safe_cell(v)
                    for v in (
                        rnd.id,
                        rnd.title_lv,
                        org.short_name,
                        org.name_lv,
                        group_of(org).name_lv,
                        assessment.status.value,
                        assessment.submitted_at.isoformat() if assessment.submitted_at else "",
                        question.dimension.code,
                        question.code,
                        question.text_lv,
                        answer_text(answer),
                        ";".join(str(c) for c in codes) if question.is_choice else "",
                        "" if score is None else f"{score:g}",
                    )
                ]
            )
    return "\ufeff" + buffer.getvalue()


def assessment_pdf(
    *, session: Session, actor: Actor, assessment_id: int, lang: str = "lv"
) -> bytes:
    """An institution's readiness report: scores, recommendations and every answer."""
    assessment = assessment_row(session, assessment_id)
    require(actor, VIEW_ASSESSMENT, assessment)
    return _pdf(build_result(session, assessment), lang)


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


def _pdf(result: AssessmentResult, lang: str) -> bytes:
    assessment = result.assessment
    org = assessment.organisation
    rnd = assessment.round
    report = PdfReport(
        _("Readiness self-assessment: {name}", name=pick(org.name_lv, org.name_en)),
        subtitle=pick(rnd.title_lv, rnd.title_en),
        lang=lang,
    )
    status = _("submitted") if result.final else _("draft (provisional score)")
    report.key_values(
        [
            (_("Institution"), f"{pick(org.name_lv, org.name_en)} ({org.short_name})"),
            (_("Round"), pick(rnd.title_lv, rnd.title_en)),
            (_("Status"), status),
            (_("E-index"), _score(result.overall)),
            (_("National average"), _score(result.national_overall)),
        ]
    )
    report.heading(_("Scores by dimension"))
    report.table(
        [_("Dimension"), _("Score"), _("National average"), _("Previous round")],
        [
            [
                pick(d.dimension.name_lv, d.dimension.name_en),
                _score(d.score),
                _score(d.national),
                _score(d.previous),
            ]
            for d in result.dimensions
        ],
        col_widths=(70, 30, 45, 45),
    )
    weak = [d for d in result.dimensions if d.recommendations]
    if weak:
        report.heading(_("Recommendations"))
        for d in weak:
            report.heading(
                f"{pick(d.dimension.name_lv, d.dimension.name_en)} ({_score(d.score)})", level=3
            )
            for rec in d.recommendations:
                text = f"{pick(rec.title_lv, rec.title_en)}. {pick(rec.body_lv, rec.body_en)}"
                if rec.link_url:
                    text += f" ({pick(rec.link_label_lv, rec.link_label_en)}: {rec.link_url})"
                report.paragraph(text)
    report.heading(_("Answers"))
    by_question = {a.question_id: a for a in assessment.answers}
    rows = [
        [q.code, pick(q.text_lv, q.text_en), answer_text(by_question.get(q.id), lang) or "—"]
        for q in rnd.version.questions
    ]
    report.table([_("Code"), _("Question"), _("Answer")], rows, col_widths=(35, 95, 60))
    return report.output()
