"""Pages for monitoring: the public dashboard, indicator detail with value entry, the Data
Champion ranking and drill-down, the annual report (HTML and PDF), CSV import and export."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from dati import charts, clock
from dati.auth.actor import Actor
from dati.auth.permissions import allowed
from dati.i18n import gettext as _
from dati.i18n import pick
from dati.monitoring import champion, definitions, presentation, report, service, transfer
from dati.monitoring.api import csv_download
from dati.monitoring.permissions import IMPORT_ACTUALS, MANAGE_MONITORING
from dati.monitoring.progress import IndicatorProgress
from dati.monitoring.schemas import FIRST_YEAR, LAST_YEAR, actual_from_fields
from dati.monitoring.status import rule_text
from dati.web.deps import CurrentActor, DbSession
from dati.web.templating import flash, redirect, remember_form, render

router = APIRouter(include_in_schema=False)

Year = Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR)]
FIRST_SHOWN_YEAR = 2023  # the Digital Decade baselines
CHAMPION_ROWS_SHOWN = 20


def _year(year: int | None) -> int:
    return year or clock.today().year


def _years() -> list[int]:
    return list(range(FIRST_SHOWN_YEAR, max(2030, clock.today().year) + 1))


def _common(year: int) -> dict[str, Any]:
    return {"year": year, "years": _years(), "p": presentation, "rule": rule_text()}


@router.get("/monitoring", name="monitoring")
def dashboard(
    request: Request, session: DbSession, actor: CurrentActor, year: Year = None
) -> Response:
    year = _year(year)
    items = service.list_progress(session=session, actor=actor, year=year)
    sections = [
        (g, [i for i in items if i.indicator.group_code == g.code]) for g in definitions.groups()
    ]
    ai_items = [i for i in items if i.indicator.code.startswith("ai_systems_")]
    context = {
        **_common(year),
        "sections": [(g, rows) for g, rows in sections if rows],
        "status_chart": presentation.status_chart(
            [i for i in items if i.indicator.is_result_indicator], year
        )
        if items
        else None,
        "counts": presentation.status_counts([i for i in items if i.indicator.is_result_indicator]),
        "ai_items": ai_items,
        "ai_chart": _ai_chart(ai_items, year) if ai_items else None,
        "may_manage": allowed(actor, MANAGE_MONITORING),
        "may_import": allowed(actor, IMPORT_ACTUALS),
        "refreshed_at": max(
            (
                i.indicator.live_checked_at
                for i in items
                if i.computed and i.indicator.live_checked_at
            ),
            default=None,
        ),
    }
    return render(request, "monitoring/dashboard.html", context)


def _ai_chart(items: list[IndicatorProgress], year: int) -> Markup:
    # The names read "AI systems in the register: high-risk (...)"; the bar needs the class only.
    bars = [
        (
            presentation.name(i.indicator).split(": ", 1)[-1],
            i.focus.actual.value if i.focus.actual else None,
        )
        for i in items
    ]
    return charts.bar_chart(
        bars,
        title=_("AI systems in the register by risk class, {year}", year=year),
        value_format=lambda v: presentation.number(v),
        missing_label=_("not yet measured"),
        chart_id=f"ai-risk-{year}",
    )


@router.get("/monitoring/indicators/{code}", name="monitoring_indicator")
def indicator(
    code: str, request: Request, session: DbSession, actor: CurrentActor, year: Year = None
) -> Response:
    return render(
        request, "monitoring/indicator.html", _indicator_context(session, actor, code, _year(year))
    )


def _indicator_context(session: Session, actor: Actor, code: str, year: int) -> dict[str, Any]:
    progress = service.get_progress(session=session, actor=actor, code=code, year=year)
    history = service.list_history(session=session, actor=actor, code=code)
    group = definitions.group_by_code().get(progress.indicator.group_code)
    return {
        **_common(year),
        "item": progress,
        "group_title": pick(group.title_lv, group.title_en)
        if group
        else progress.indicator.group_code,
        "chart": presentation.chart(progress),
        "history": history,
        "show_recorders": service.shows_recorders(actor),
        "may_record": service.may_record(actor, progress.indicator),
        "today": clock.today().isoformat(),
        "form": {"year": str(year), "measured_on": clock.today().isoformat()},
    }


@router.post("/monitoring/indicators/{code}/values", name="monitoring_record")
def record(
    code: str,
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    year: Annotated[str, Form()] = "",
    value: Annotated[str, Form()] = "",
    value_text: Annotated[str, Form()] = "",
    measured_on: Annotated[str, Form()] = "",
    source: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
) -> Response:
    fields = {
        "year": year,
        "value": value,
        "value_text": value_text,
        "measured_on": measured_on,
        "source": source,
        "comment": comment,
    }
    context = _indicator_context(session, actor, code, clock.today().year)
    remember_form(request, "monitoring/indicator.html", {**context, "form": fields})
    data = actual_from_fields(fields)
    service.record_actual(session=session, actor=actor, code=code, data=data)
    flash(request, _("The value for {year} was recorded.", year=data.year))
    return redirect(f"/monitoring/indicators/{code}?year={data.year}")


@router.get("/monitoring/champion", name="monitoring_champion")
def champion_page(
    request: Request, session: DbSession, actor: CurrentActor, year: Year = None
) -> Response:
    year = _year(year)
    ranking = champion.get_ranking(session=session, actor=actor, year=year)
    top = ranking.overall[:10]
    chart = (
        charts.bar_chart(
            [(e.org.short_name, e.value) for e in top],
            title=_("Data Champion {year}: overall points of the top institutions", year=year),
            value_format=lambda v: presentation.number(v),
            chart_id=f"champion-{year}",
        )
        if top
        else None
    )
    context = {
        **_common(year),
        "ranking": ranking,
        "shown": CHAMPION_ROWS_SHOWN,
        "method": champion.method_text(),
        "chart": chart,
        "may_manage": allowed(actor, MANAGE_MONITORING),
    }
    return render(request, "monitoring/champion.html", context)


@router.get("/monitoring/champion/{org}", name="monitoring_champion_institution")
def champion_institution(
    org: str, request: Request, session: DbSession, actor: CurrentActor, year: Year = None
) -> Response:
    year = _year(year)
    result = champion.get_institution_result(session=session, actor=actor, year=year, org=org)
    context = {**_common(year), "result": result, "method": champion.method_text()}
    return render(request, "monitoring/champion_institution.html", context)


@router.get("/monitoring/report", name="monitoring_report")
def report_page(
    request: Request, session: DbSession, actor: CurrentActor, year: Year = None
) -> Response:
    built = report.build_report(session=session, actor=actor, year=_year(year))
    context = {
        **_common(built.year),
        "report": built,
        "title": report.title(built.year),
        "method": champion.method_text(),
    }
    return render(request, "monitoring/report.html", context)


@router.get("/monitoring/report.pdf", name="monitoring_report_pdf")
def report_pdf(session: DbSession, actor: CurrentActor, year: Year = None) -> Response:
    built = report.build_report(session=session, actor=actor, year=_year(year))
    return Response(
        report.render_pdf(built),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="dati-progress-report-{built.year}.pdf"'
        },
    )


@router.get("/monitoring/values.csv", name="monitoring_values_csv")
def values_csv(session: DbSession, actor: CurrentActor) -> Response:
    return csv_download(
        transfer.export_values(session=session, actor=actor), "monitoring-values.csv"
    )


@router.get("/monitoring/indicators.csv", name="monitoring_indicators_csv")
def indicators_csv(session: DbSession, actor: CurrentActor) -> Response:
    return csv_download(
        transfer.export_indicators(session=session, actor=actor), "monitoring-indicators.csv"
    )


@router.get("/monitoring/import", name="monitoring_import")
def import_form(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    recordable = service.list_recordable(session=session, actor=actor)
    return render(
        request,
        "monitoring/import.html",
        {"recordable": recordable, "columns": transfer.VALUE_COLUMNS, "p": presentation},
    )


@router.post("/monitoring/import")
async def import_upload(
    request: Request, session: DbSession, actor: CurrentActor, file: UploadFile
) -> Response:
    recordable = service.list_recordable(session=session, actor=actor)
    remember_form(
        request,
        "monitoring/import.html",
        {"recordable": recordable, "columns": transfer.VALUE_COLUMNS, "p": presentation},
    )
    # At most one byte over the limit is read: enough for the import to refuse the file.
    content = await file.read(transfer.MAX_BYTES + 1)
    count = transfer.import_values(session=session, actor=actor, csv_text=content)
    flash(request, _("{count} values were imported.", count=count))
    return redirect("/monitoring/import")


@router.post("/monitoring/refresh", name="monitoring_refresh")
def refresh(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    result = service.refresh(session=session, actor=actor)
    flash(
        request,
        _(
            "Refreshed: {measured} computed indicators measured, {changed} changed, {missing} not yet measured.",
            measured=len(result.measured),
            changed=len(result.changed),
            missing=len(result.not_measured),
        ),
    )
    return redirect(f"/monitoring?year={result.year}")
