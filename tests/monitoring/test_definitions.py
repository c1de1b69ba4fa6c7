"""Loading the Digital Decade KPIs and the strategy indicators as printed, idempotently."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dati.auth.actor import Actor
from dati.monitoring import definitions, live, service
from dati.monitoring.models import Framework, Indicator, ReferenceKind, ReferenceValue
from dati.monitoring.schemas import LoadResult


def _indicator(session: Session, code: str) -> Indicator:
    found = session.scalars(select(Indicator).where(Indicator.code == code)).one()
    return found


def _cell(indicator: Indicator, kind: ReferenceKind, year: int) -> ReferenceValue:
    return next(r for r in indicator.references if r.kind is kind and r.year == year)


def test_every_table_is_loaded(session: Session, indicators: LoadResult) -> None:
    assert indicators.created == 38
    counts = dict(
        session.execute(
            select(Indicator.framework, func.count()).group_by(Indicator.framework)
        ).all()
    )
    assert counts == {
        Framework.DATA_STRATEGY: 20,
        Framework.DIGITAL_DECADE: 14,
        Framework.PLATFORM: 4,
    }
    dd_cells = session.scalar(
        select(func.count(ReferenceValue.id))
        .join(Indicator)
        .where(Indicator.framework == Framework.DIGITAL_DECADE)
    )
    assert dd_cells == 150  # one per row of digital-decade.csv


def test_printed_text_and_misprint_notes_are_kept(session: Session, indicators: LoadResult) -> None:
    skills = _indicator(session, "basic_digital_skills")
    cell_2028 = _cell(skills, ReferenceKind.LV_TRAJECTORY, 2028)
    assert cell_2028.value is None and cell_2028.value_text == "Vismaz 70%"
    five_g = _indicator(session, "5g_coverage")
    misprint = _cell(five_g, ReferenceKind.LV_TRAJECTORY, 2028)
    assert misprint.value == 53.15 and "MISPRINT KEPT AS PRINTED" in misprint.note
    unicorns = _indicator(session, "unicorns")
    assert _cell(unicorns, ReferenceKind.EU_BASELINE, 2022).value == 179
    steward = _indicator(session, "mk264_amendments")
    assert _cell(steward, ReferenceKind.LV_TRAJECTORY, 2027).value_text == "1%"


def test_gigabit_keeps_the_household_cells_in_their_own_unit(
    session: Session, indicators: LoadResult
) -> None:
    gigabit = _indicator(session, "gigabit")
    assert gigabit.unit == "percent"
    baseline = _cell(gigabit, ReferenceKind.LV_BASELINE, 2023)
    assert baseline.unit == "households" and baseline.value == 329182
    assert _cell(gigabit, ReferenceKind.LV_TRAJECTORY, 2030).unit == ""


def test_strategy_target_is_the_2030_column_and_savings_are_not_a_result_indicator(
    session: Session, indicators: LoadResult
) -> None:
    agreements = _indicator(session, "virsis_e_agreements")
    assert _cell(agreements, ReferenceKind.LV_TARGET, 2030).value == 1121
    assert agreements.aggregation.value == "per_year"
    assert not _indicator(session, "e_agreements_savings_eur").is_result_indicator
    assert not _indicator(session, "ai_systems_high_risk").is_result_indicator  # a platform measure
    assert _indicator(session, "ladp_hvd_availability").is_result_indicator


def test_responsible_institution_resolves_to_an_organisation(
    session: Session, indicators: LoadResult
) -> None:
    for code, org in [("basic_digital_skills", "IZM"), ("secure_env_institutions", "CSP"),
                      ("ai_dataset_preservation_model", "LNB"), ("virsis_e_agreements", "VDAA")]:  # fmt: skip
        indicator = _indicator(session, code)
        assert indicator.responsible_org is not None
        assert indicator.responsible_org.short_name == org
    unresolved = session.scalars(
        select(Indicator.code).where(Indicator.responsible_org_id.is_(None))
    )
    assert list(unresolved) == []


def test_loading_twice_changes_nothing(
    session: Session, system: Actor, indicators: LoadResult
) -> None:
    before = session.scalar(select(func.count(ReferenceValue.id)))
    again = service.load_definitions(session=session, actor=system)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 38)
    assert session.scalar(select(func.count(ReferenceValue.id))) == before


def test_a_changed_cell_is_updated_on_reload(
    session: Session, system: Actor, indicators: LoadResult
) -> None:
    skills = _indicator(session, "basic_digital_skills")
    _cell(skills, ReferenceKind.LV_TRAJECTORY, 2024).value = 1.0
    session.flush()
    again = service.load_definitions(session=session, actor=system)
    assert again.updated == 1
    assert _cell(skills, ReferenceKind.LV_TRAJECTORY, 2024).value == 54


def test_every_computed_indicator_is_defined() -> None:
    codes = {d.code for d in definitions.definitions()}
    assert set(live.LIVE) <= codes
    assert {d.group_code for d in definitions.definitions()} <= set(definitions.group_by_code())
