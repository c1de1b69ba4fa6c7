"""Monitoring operations: load the indicator definitions, list and show indicators with their
progress, record actual values (with history), refresh the computed indicators."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dati import clock
from dati.auth.actor import Actor
from dati.auth.permissions import allowed, require
from dati.errors import Conflict, Invalid, NotFound
from dati.i18n import gettext as _
from dati.monitoring import champion, definitions, live
from dati.monitoring.models import ActualValue, Framework, Indicator, ReferenceValue
from dati.monitoring.permissions import (
    IMPORT_ACTUALS,
    MANAGE_MONITORING,
    RECORD_ACTUAL,
    VIEW_MONITORING,
)
from dati.monitoring.progress import IndicatorProgress, build_progress
from dati.monitoring.schemas import ActualValueCreate, LoadResult, RefreshResult
from dati.orgs import service as orgs_service

PLATFORM_SOURCE = "platform"
TEXT_UNIT = "text"


# --- definitions ---------------------------------------------------------------------------


def load_definitions(*, session: Session, actor: Actor) -> LoadResult:
    """Create or update every bundled indicator and its printed reference values. Idempotent:
    a second run changes nothing; recorded actual values are never touched."""
    require(actor, MANAGE_MONITORING)
    return _load(session)


def _load(session: Session) -> LoadResult:
    existing = {
        i.code: i
        for i in session.scalars(select(Indicator).options(selectinload(Indicator.references)))
    }
    created = updated = unchanged = 0
    for d in definitions.definitions():
        org = orgs_service.find_by_short_name(session, d.responsible) if d.responsible else None
        fields = {
            "framework": d.framework,
            "group_code": d.group_code,
            "position": d.position,
            "name_lv": d.name_lv,
            "name_en": d.name_en,
            "unit": d.unit,
            "aggregation": d.aggregation,
            "responsible": d.responsible,
            "responsible_org_id": org.id if org else None,
            "co_responsible": d.co_responsible,
            "source": d.source,
            "method_lv": d.method_lv,
            "method_en": d.method_en,
            "is_result_indicator": d.is_result_indicator,
        }
        indicator = existing.get(d.code)
        if indicator is None:
            indicator = Indicator(code=d.code, **fields)
            session.add(indicator)
            _sync_references(indicator, d.references)
            created += 1
            continue
        changed = any(getattr(indicator, k) != v for k, v in fields.items())
        for key, value in fields.items():
            setattr(indicator, key, value)
        if _sync_references(indicator, d.references) or changed:
            indicator.updated_at = clock.now()
            updated += 1
        else:
            unchanged += 1
    session.flush()
    return LoadResult(created=created, updated=updated, unchanged=unchanged)


def _sync_references(indicator: Indicator, wanted: list[definitions.Reference]) -> bool:
    by_key = {(r.kind, r.year): r for r in indicator.references}
    changed = False
    for ref in wanted:
        cell = by_key.pop((ref.kind, ref.year), None)
        values = {
            "value": ref.value,
            "value_text": ref.value_text,
            "unit": ref.unit,
            "note": ref.note,
        }
        if cell is None:
            indicator.references.append(ReferenceValue(kind=ref.kind, year=ref.year, **values))
            changed = True
        elif any(getattr(cell, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(cell, key, value)
            changed = True
    for stale in by_key.values():
        indicator.references.remove(stale)
        changed = True
    return changed


# --- reading -------------------------------------------------------------------------------


def _indicators(session: Session, framework: Framework | None = None) -> list[Indicator]:
    stmt = (
        select(Indicator).options(selectinload(Indicator.references)).order_by(Indicator.position)
    )
    if framework:
        stmt = stmt.where(Indicator.framework == framework)
    return list(session.scalars(stmt))


def _values_by_indicator(session: Session, ids: list[int]) -> dict[int, list[ActualValue]]:
    grouped: dict[int, list[ActualValue]] = defaultdict(list)
    if ids:
        stmt = select(ActualValue).where(ActualValue.indicator_id.in_(ids)).order_by(ActualValue.id)
        for value in session.scalars(stmt):
            grouped[value.indicator_id].append(value)
    return grouped


def _find(session: Session, code: str) -> Indicator:
    indicator = session.scalars(
        select(Indicator).options(selectinload(Indicator.references)).where(Indicator.code == code)
    ).first()
    if indicator is None:
        raise NotFound(_("There is no indicator {code}.", code=code))
    return indicator


def find_indicator(session: Session, code: str) -> Indicator | None:
    """Lookup for this feature's import and report code, which has checked its own permission."""
    return session.scalars(select(Indicator).where(Indicator.code == code)).first()


def list_progress(
    *, session: Session, actor: Actor, year: int, framework: Framework | None = None
) -> list[IndicatorProgress]:
    """Every indicator with its expected value, actual value and status for ``year``."""
    require(actor, VIEW_MONITORING)
    return progress_of_all(session, year, framework)


def progress_of_all(
    session: Session, year: int, framework: Framework | None = None
) -> list[IndicatorProgress]:
    """Lookup for the report, which has checked its own permission."""
    indicators = _indicators(session, framework)
    values = _values_by_indicator(session, [i.id for i in indicators])
    return [
        build_progress(i, values.get(i.id, []), year, computed=live.is_computed(i.code))
        for i in indicators
    ]


def get_progress(*, session: Session, actor: Actor, code: str, year: int) -> IndicatorProgress:
    """One indicator with its definition, reference values and progress per year."""
    require(actor, VIEW_MONITORING)
    indicator = _find(session, code)
    values = _values_by_indicator(session, [indicator.id]).get(indicator.id, [])
    return build_progress(indicator, values, year, computed=live.is_computed(code))


def list_history(*, session: Session, actor: Actor, code: str) -> list[ActualValue]:
    """Every value ever recorded for an indicator, newest first, corrections included."""
    require(actor, VIEW_MONITORING)
    indicator = _find(session, code)
    stmt = (
        select(ActualValue)
        .where(ActualValue.indicator_id == indicator.id)
        .order_by(ActualValue.id.desc())
    )
    return list(session.scalars(stmt))


def shows_recorders(actor: Actor) -> bool:
    """Names of the officials who entered values are shown to logged-in users only."""
    return actor.is_authenticated


def may_record(actor: Actor, indicator: Indicator) -> bool:
    """For showing the entry form: the same verdict as record_actual, without raising."""
    return not live.is_computed(indicator.code) and allowed(actor, RECORD_ACTUAL, indicator)


def list_recordable(*, session: Session, actor: Actor) -> list[Indicator]:
    """The indicators the actor may enter values for (the import page lists them)."""
    require(actor, IMPORT_ACTUALS)
    return [i for i in _indicators(session) if may_record(actor, i)]


# --- recording -----------------------------------------------------------------------------


def record_actual(
    *, session: Session, actor: Actor, code: str, data: ActualValueCreate
) -> ActualValue:
    """The responsible institution records a year's actual value; a second value for the same
    year replaces the first, which stays in the history."""
    indicator = _find(session, code)
    require(actor, RECORD_ACTUAL, indicator)
    problems = validation_errors(indicator, data)
    if problems:
        raise Invalid(next(iter(problems.values())), errors=problems)
    return _record(session, actor, indicator, data)


def validation_errors(indicator: Indicator, data: ActualValueCreate) -> dict[str, str]:
    """Why a value may not be recorded, by field; empty when it may."""
    if live.is_computed(indicator.code):
        raise Conflict(
            _(
                "The platform computes this indicator from its own data; it cannot be entered by hand."
            )
        )
    today = clock.today()
    errors: dict[str, str] = {}
    if data.year > today.year:
        errors["year"] = _("A value cannot be recorded for a future year.")
    if data.measured_on > today:
        errors["measured_on"] = _("The measurement date cannot be in the future.")
    if indicator.unit == TEXT_UNIT:
        if not data.value_text.strip():
            errors["value_text"] = _("Describe the progress in words.")
    elif data.value is None:
        errors["value"] = _("Enter a number.")
    elif data.value < 0:
        errors["value"] = _("The value cannot be negative.")
    elif indicator.unit == "percent" and data.value > 100:
        errors["value"] = _("A percentage cannot exceed 100.")
    return errors


def record_imported(
    session: Session, actor: Actor, indicator: Indicator, data: ActualValueCreate
) -> ActualValue:
    """For the CSV import, which has checked RECORD_ACTUAL and validated every row first."""
    return _record(session, actor, indicator, data)


def _record(
    session: Session,
    actor: Actor,
    indicator: Indicator,
    data: ActualValueCreate,
    *,
    computed: bool = False,
) -> ActualValue:
    previous = session.scalars(
        select(ActualValue)
        .where(ActualValue.indicator_id == indicator.id, ActualValue.year == data.year)
        .order_by(ActualValue.id.desc())
    ).first()
    value = ActualValue(
        indicator_id=indicator.id,
        year=data.year,
        value=data.value,
        value_text=data.value_text.strip(),
        measured_on=data.measured_on,
        source=data.source.strip(),
        comment=data.comment.strip(),
        computed=computed,
        recorded_at=clock.now(),
        recorded_by=actor.name,
        recorded_by_user_id=actor.user_id,
        replaces_id=previous.id if previous else None,
    )
    session.add(value)
    session.flush()
    return value


# --- computed indicators -------------------------------------------------------------------


def refresh(*, session: Session, actor: Actor, year: int | None = None) -> RefreshResult:
    """Bring monitoring up to date for ``year`` (default: this year): sync the definitions,
    compute every live indicator and store changed values, recompute the Data Champion."""
    require(actor, MANAGE_MONITORING)
    today = clock.today()
    year = year or today.year
    if year > today.year:
        message = _("A future year cannot be measured yet.")
        raise Invalid(message, errors={"year": message})
    _load(session)
    measured_on = min(today, date(year, 12, 31))
    result = RefreshResult(
        year=year, measured=[], not_measured=[], changed=[], champion_categories_measured=[]
    )
    for code, compute in live.LIVE.items():
        indicator = _find(session, code)
        indicator.live_checked_at = clock.now()
        measurement = compute(session, year)
        if measurement is None:
            result.not_measured.append(code)
            continue
        result.measured.append(code)
        if _store_measurement(session, actor, indicator, year, measurement, measured_on):
            result.changed.append(code)
    result.champion_categories_measured = champion.compute(session, year)
    session.flush()
    return result


def _store_measurement(
    session: Session,
    actor: Actor,
    indicator: Indicator,
    year: int,
    measurement: live.Measurement,
    measured_on: date,
) -> bool:
    """Append the computed value unless it equals the value already in force for the year."""
    current = session.scalars(
        select(ActualValue)
        .where(ActualValue.indicator_id == indicator.id, ActualValue.year == year)
        .order_by(ActualValue.id.desc())
    ).first()
    if current is not None and current.value == measurement.value:
        return False
    comment = (
        f"{measurement.numerator} / {measurement.denominator}"
        if measurement.denominator is not None
        else ""
    )
    data = ActualValueCreate(
        year=year,
        value=measurement.value,
        measured_on=measured_on,
        source=PLATFORM_SOURCE,
        comment=comment,
    )
    _record(session, actor, indicator, data, computed=True)
    return True
