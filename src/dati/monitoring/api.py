"""JSON routes for monitoring: public reads, authenticated writes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, UploadFile, status
from fastapi.responses import Response

from dati import clock
from dati.auth.actor import Actor
from dati.i18n import gettext as _
from dati.monitoring import champion, report, service, transfer
from dati.monitoring.models import ActualValue, Framework
from dati.monitoring.progress import IndicatorProgress
from dati.monitoring.schemas import (
    FIRST_YEAR,
    LAST_YEAR,
    ActualValueCreate,
    ActualValueRead,
    ChampionCategoryRead,
    ChampionEntryRead,
    ChampionRead,
    ImportResult,
    IndicatorRead,
    IndicatorSummaryRead,
    LoadResult,
    ReferenceValueRead,
    RefreshResult,
    ReportRead,
    ReportSectionRead,
    YearStatusRead,
)
from dati.monitoring.status import rule_text
from dati.web.deps import CurrentActor, DbSession

router = APIRouter(prefix="/monitoring", tags=["monitoring"])

Year = Annotated[
    int | None,
    Query(ge=FIRST_YEAR, le=LAST_YEAR, description="Calendar year; this year when omitted."),
]


def _year(year: int | None) -> int:
    return year or clock.today().year


def _summary(p: IndicatorProgress) -> IndicatorSummaryRead:
    i = p.indicator
    return IndicatorSummaryRead(
        code=i.code,
        framework=i.framework,
        group_code=i.group_code,
        name_lv=i.name_lv,
        name_en=i.name_en,
        unit=i.unit,
        aggregation=i.aggregation,
        responsible=i.responsible,
        computed=p.computed,
        year=p.focus.year,
        expected=p.focus.expected,
        actual=p.focus.actual.value if p.focus.actual else None,
        status=p.focus.status,
        provisional=p.focus.provisional,
    )


def _value(value: ActualValue, actor: Actor) -> ActualValueRead:
    read = ActualValueRead.model_validate(value)
    return read if service.shows_recorders(actor) else read.model_copy(update={"recorded_by": ""})


@router.get("/indicators", response_model=list[IndicatorSummaryRead])
def list_indicators(
    session: DbSession, actor: CurrentActor, year: Year = None, framework: Framework | None = None
) -> list[IndicatorSummaryRead]:
    items = service.list_progress(
        session=session, actor=actor, year=_year(year), framework=framework
    )
    return [_summary(p) for p in items]


@router.get("/indicators/{code}", response_model=IndicatorRead)
def get_indicator(
    code: str, session: DbSession, actor: CurrentActor, year: Year = None
) -> IndicatorRead:
    p = service.get_progress(session=session, actor=actor, code=code, year=_year(year))
    i = p.indicator
    return IndicatorRead(
        **_summary(p).model_dump(),
        co_responsible=i.co_responsible,
        source=i.source,
        method_lv=i.method_lv,
        method_en=i.method_en,
        is_result_indicator=i.is_result_indicator,
        status_rule=rule_text(),
        references=[ReferenceValueRead.model_validate(r) for r in i.references],
        statuses=[
            YearStatusRead(
                year=y.year,
                expected=y.expected,
                actual=y.actual.value if y.actual else None,
                actual_text=y.actual.value_text if y.actual else "",
                status=y.status,
                provisional=y.provisional,
            )
            for y in p.years
        ],
        values=[_value(y.actual, actor) for y in p.years if y.actual is not None],
    )


@router.get("/indicators/{code}/values", response_model=list[ActualValueRead])
def list_values(code: str, session: DbSession, actor: CurrentActor) -> list[ActualValueRead]:
    """Every value recorded for the indicator, newest first, corrections included."""
    return [_value(v, actor) for v in service.list_history(session=session, actor=actor, code=code)]


@router.post(
    "/indicators/{code}/values", response_model=ActualValueRead, status_code=status.HTTP_201_CREATED
)
def record_value(
    code: str, data: ActualValueCreate, session: DbSession, actor: CurrentActor
) -> ActualValueRead:
    value = service.record_actual(session=session, actor=actor, code=code, data=data)
    return _value(value, actor)


@router.post("/values/import", response_model=ImportResult)
async def import_values(file: UploadFile, session: DbSession, actor: CurrentActor) -> ImportResult:
    # At most one byte over the limit is read: enough for the import to refuse the file.
    content = await file.read(transfer.MAX_BYTES + 1)
    count = transfer.import_values(session=session, actor=actor, csv_text=content)
    return ImportResult(imported=count)


@router.get("/values.csv", response_class=Response)
def export_values(session: DbSession, actor: CurrentActor) -> Response:
    return csv_download(
        transfer.export_values(session=session, actor=actor), "monitoring-values.csv"
    )


@router.get("/indicators.csv", response_class=Response)
def export_indicators(session: DbSession, actor: CurrentActor) -> Response:
    return csv_download(
        transfer.export_indicators(session=session, actor=actor), "monitoring-indicators.csv"
    )


def csv_download(text: str, filename: str) -> Response:
    """A CSV file download; the BOM lets spreadsheet programs read the Latvian letters."""
    return Response(
        "\ufeff" + text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post("/definitions", response_model=LoadResult)
def load_definitions(session: DbSession, actor: CurrentActor) -> LoadResult:
    return service.load_definitions(session=session, actor=actor)


@router.post("/refresh", response_model=RefreshResult)
def refresh(session: DbSession, actor: CurrentActor, year: Year = None) -> RefreshResult:
    return service.refresh(session=session, actor=actor, year=year)


def _entries(entries: list[champion.Entry]) -> list[ChampionEntryRead]:
    return [
        ChampionEntryRead(
            rank=e.rank,
            org=e.org.short_name,
            name_lv=e.org.name_lv,
            name_en=e.org.name_en,
            value=e.value,
            points=e.points,
        )
        for e in entries
    ]


@router.get("/champion", response_model=ChampionRead)
def get_champion(session: DbSession, actor: CurrentActor, year: Year = None) -> ChampionRead:
    ranking = champion.get_ranking(session=session, actor=actor, year=_year(year))
    return ChampionRead(
        year=ranking.year,
        computed_at=ranking.computed_at,
        method=champion.method_text(),
        overall=_entries(ranking.overall),
        categories=[
            ChampionCategoryRead(
                code=c.category.code,
                title=_(c.category.title),
                method=_(c.category.method),
                measured=c.measured,
                entries=_entries(c.entries),
            )
            for c in ranking.categories
        ],
    )


@router.get("/champion/{org}", response_model=list[ChampionCategoryRead])
def get_champion_institution(
    org: str, session: DbSession, actor: CurrentActor, year: Year = None
) -> list[ChampionCategoryRead]:
    """One institution's value, rank and points per category."""
    result = champion.get_institution_result(
        session=session, actor=actor, year=_year(year), org=org
    )
    return [
        ChampionCategoryRead(
            code=c.category.code,
            title=_(c.category.title),
            method=_(c.category.method),
            measured=c.measured,
            entries=_entries([entry] if entry else []),
        )
        for c, entry in result.rows
    ]


@router.get("/report", response_model=ReportRead)
def get_report(session: DbSession, actor: CurrentActor, year: Year = None) -> ReportRead:
    built = report.build_report(session=session, actor=actor, year=_year(year))
    return ReportRead(
        year=built.year,
        title=report.title(built.year),
        status_rule=rule_text(),
        counts={s.value: n for s, n in built.counts.items()},
        sections=[
            ReportSectionRead(
                code=s.group.code,
                title_lv=s.group.title_lv,
                title_en=s.group.title_en,
                indicators=[_summary(p) for p in s.items],
            )
            for s in built.sections
        ],
    )
