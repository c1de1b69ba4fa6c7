"""The annual progress report for the National Data Council: per action direction of the
strategy (then the Digital Decade areas and the platform indicators), each indicator with its
status for the chosen year and its chart. Rendered as HTML and as PDF, in the page language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from dati import clock
from dati.auth.actor import Actor
from dati.auth.permissions import require
from dati.i18n import get_language, pick
from dati.i18n import gettext as _
from dati.monitoring import champion, definitions, presentation, service
from dati.monitoring.models import ReferenceKind
from dati.monitoring.permissions import VIEW_MONITORING
from dati.monitoring.progress import IndicatorProgress
from dati.monitoring.status import Status, rule_text, status_label
from dati.pdf import PdfReport

CHAMPION_TOP = 10
SECTION_START_MM = 70  # a section heading with the first rows of its table


@dataclass(frozen=True)
class Section:
    group: definitions.Group
    items: list[IndicatorProgress]


@dataclass(frozen=True)
class Report:
    year: int
    generated_at: datetime
    sections: list[Section]
    counts: dict[Status, int]
    champion: champion.Ranking


def build_report(*, session: Session, actor: Actor, year: int) -> Report:
    """Everything the Council's report for ``year`` says, grouped by action direction."""
    require(actor, VIEW_MONITORING)
    items = service.progress_of_all(session, year)
    sections = []
    for group in definitions.groups():
        mine = [i for i in items if i.indicator.group_code == group.code]
        if mine:
            sections.append(Section(group, mine))
    counts = presentation.status_counts([i for i in items if i.indicator.is_result_indicator])
    ranking = champion.ranking_of(session, year)
    return Report(year, clock.now(), sections, counts, ranking)


def title(year: int) -> str:
    return _("Data governance progress report {year}", year=year)


def _reference(item: IndicatorProgress, kind: ReferenceKind) -> str:
    return presentation.reference_text(item.reference(kind), item.indicator.unit)


def render_pdf(report: Report) -> bytes:
    """The report as a PDF in the current language, charts included."""
    pdf = PdfReport(
        title(report.year),
        subtitle=_(
            "For the National Data Council. Prepared by dati on {date}.",
            date=report.generated_at.strftime("%d.%m.%Y"),
        ),
        lang=get_language(),
    )
    pdf.heading(_("Summary"), 2)
    pdf.paragraph(
        _(
            "Status of the result indicators in {year} (the savings estimate of Annex 2 and the platform's own measures are shown but not counted).",
            year=report.year,
        )
    )
    pdf.table(
        [_("Status"), _("Indicators")],
        [(status_label(s), n) for s, n in report.counts.items()],
        col_widths=(120, 50),
    )
    pdf.heading(_("How the status is decided"), 3)
    pdf.paragraph(rule_text())
    for section in report.sections:
        pdf.ensure_space(SECTION_START_MM)
        pdf.heading(pick(section.group.title_lv, section.group.title_en), 1)
        pdf.table(
            [_("Indicator"), _("Responsible"), _("Expected"), _("Actual"), _("Status")],
            [
                (
                    presentation.name(i.indicator),
                    i.indicator.responsible,
                    presentation.expected_text(
                        i.focus.expected, i.focus.expected_text, i.indicator.unit
                    ),
                    presentation.actual_text(i.focus.actual, i.indicator.unit),
                    presentation.status_text(i.focus.status, i.focus.provisional),
                )
                for i in section.items
            ],
            col_widths=(70, 22, 28, 28, 22),
        )
        for item in section.items:
            _pdf_indicator(pdf, item)
    _pdf_champion(pdf, report)
    return pdf.output()


CHART_BLOCK_MM = 110  # heading, facts and chart of one indicator


def _pdf_indicator(pdf: PdfReport, item: IndicatorProgress) -> None:
    indicator = item.indicator
    pdf.ensure_space(CHART_BLOCK_MM)
    pdf.heading(presentation.name(indicator), 3)
    pdf.key_values(
        [
            (_("Baseline"), _reference(item, ReferenceKind.LV_BASELINE)),
            (_("National target"), _reference(item, ReferenceKind.LV_TARGET)),
            (_("EU target"), _reference(item, ReferenceKind.EU_TARGET)),
            (_("Method"), presentation.method(indicator)),
        ]
    )
    drawing = presentation.chart(item, width=640, height=260)
    if drawing is not None:
        pdf.svg(str(drawing), width=165)
    elif indicator.unit == "text":
        pdf.paragraph(_("This target is qualitative; progress is reported in words."))
    else:
        pdf.paragraph(
            _("Nothing to draw yet: the indicator has no target and is not yet measured.")
        )
    if item.focus.actual is not None and item.focus.actual.value is None:
        pdf.paragraph(item.focus.actual.value_text)


def _pdf_champion(pdf: PdfReport, report: Report) -> None:
    pdf.heading(_("Data Champion {year}", year=report.year), 1)
    if not report.champion.overall:
        pdf.paragraph(_("The Data Champion ranking has not been computed for this year yet."))
        return
    pdf.paragraph(champion.method_text())
    pdf.table(
        [_("Rank"), _("Institution"), _("Points")],
        [
            (e.rank, pick(e.org.name_lv, e.org.name_en), presentation.number(e.value))
            for e in report.champion.overall[:CHAMPION_TOP]
        ],
        col_widths=(20, 120, 30),
    )
