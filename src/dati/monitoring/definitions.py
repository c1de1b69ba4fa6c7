"""The bundled indicator definitions: the Digital Decade KPIs and the Data Governance Strategy
indicators as printed (copied from the reference tables into ``data/``), plus our own
definitions file naming each indicator's group, lead institution and measurement method.

Reading them needs no database; the service loads the result idempotently.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from dati.monitoring.models import Aggregation, Framework, ReferenceKind

DATA_DIR = Path(__file__).resolve().parent / "data"
DIGITAL_DECADE_CSV = "digital-decade.csv"
DATA_STRATEGY_CSV = "data-strategy-indicators.csv"
DEFINITIONS_CSV = "indicator-definitions.csv"
GROUPS_CSV = "groups.csv"

DIGITAL_DECADE_SOURCE = (
    "Digitālās desmitgades stratēģiskais ceļvedis Latvijai līdz 2030. gadam (projekts)"
)
DATA_STRATEGY_SOURCE = "Datu pārvaldības stratēģija 2026.–2030. gadam"
PLATFORM_SOURCE = "dati"
# The strategy's tables print one value per year 2026-2030; the last column is the target.
STRATEGY_TARGET_YEAR = 2030
# Annex 2 projects savings; it is not one of the result indicators of tables 1 and 3-7.
NOT_RESULT_INDICATORS = {"e_agreements_savings_eur"}


@dataclass(frozen=True)
class Group:
    code: str
    framework: Framework
    title_lv: str
    title_en: str
    source: str


@dataclass(frozen=True)
class Reference:
    kind: ReferenceKind
    year: int
    value: float | None
    value_text: str
    unit: str
    note: str


@dataclass
class Definition:
    code: str
    framework: Framework
    group_code: str
    position: int
    name_lv: str
    name_en: str
    unit: str
    aggregation: Aggregation
    responsible: str
    co_responsible: str
    source: str
    method_lv: str
    method_en: str
    is_result_indicator: bool
    references: list[Reference] = field(default_factory=list)


def _read(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _number(text: str) -> float | None:
    return float(text) if text.strip() else None


@lru_cache(maxsize=1)
def groups() -> tuple[Group, ...]:
    """Action directions of the strategy, Digital Decade areas and the platform group, in order."""
    return tuple(
        Group(r["code"], Framework(r["framework"]), r["title_lv"], r["title_en"], r["source"])
        for r in _read(GROUPS_CSV)
    )


def group_by_code() -> dict[str, Group]:
    return {g.code: g for g in groups()}


def definitions() -> list[Definition]:
    """Every indicator with its printed reference values, in the order of the definitions file."""
    kpi_rows = {
        DIGITAL_DECADE_CSV: _read(DIGITAL_DECADE_CSV),
        DATA_STRATEGY_CSV: _read(DATA_STRATEGY_CSV),
    }
    result = []
    for position, row in enumerate(_read(DEFINITIONS_CSV)):
        framework = Framework(row["framework"])
        definition = Definition(
            code=row["code"],
            framework=framework,
            group_code=row["group"],
            position=position,
            name_lv=row["name_lv"],
            name_en=row["name_en"],
            unit=row["unit"],
            aggregation=Aggregation(row["aggregation"]),
            responsible=row["responsible"],
            co_responsible=row["co_responsible"],
            source=PLATFORM_SOURCE,
            method_lv=row["method_lv"],
            method_en=row["method_en"],
            # The platform's own measures have no national target to report against.
            is_result_indicator=framework is not Framework.PLATFORM
            and row["code"] not in NOT_RESULT_INDICATORS,
        )
        if framework is Framework.DIGITAL_DECADE:
            _fill_digital_decade(definition, kpi_rows[DIGITAL_DECADE_CSV])
        elif framework is Framework.DATA_STRATEGY:
            _fill_data_strategy(definition, kpi_rows[DATA_STRATEGY_CSV])
        result.append(definition)
    return result


def _fill_digital_decade(definition: Definition, rows: list[dict[str, str]]) -> None:
    mine = [r for r in rows if r["kpi_code"] == definition.code]
    if not mine:
        raise ValueError(f"{DIGITAL_DECADE_CSV} has no rows for {definition.code}")
    first = mine[0]
    definition.name_lv, definition.name_en = first["name_lv"], first["name_en"]
    definition.source = DIGITAL_DECADE_SOURCE
    # The indicator's unit is the trajectory's; cells printed in another unit keep their own.
    trajectory_units = [r["unit"] for r in mine if r["kind"] == ReferenceKind.LV_TRAJECTORY]
    definition.unit = (trajectory_units or [first["unit"]])[0]
    for r in mine:
        definition.references.append(
            Reference(
                kind=ReferenceKind(r["kind"]),
                year=int(r["year"]),
                value=_number(r["value"]),
                value_text=r["value_text"],
                unit="" if r["unit"] == definition.unit else r["unit"],
                note=r["source_note"],
            )
        )


def _fill_data_strategy(definition: Definition, rows: list[dict[str, str]]) -> None:
    mine = [r for r in rows if r["indicator_code"] == definition.code]
    if not mine:
        raise ValueError(f"{DATA_STRATEGY_CSV} has no rows for {definition.code}")
    first = mine[0]
    definition.name_lv, definition.name_en = first["name_lv"], first["name_en"]
    definition.unit = first["unit"]
    definition.source = DATA_STRATEGY_SOURCE
    for r in mine:
        year = int(r["year"])
        value, text = _number(r["value"]), r["value_text"]
        definition.references.append(
            Reference(ReferenceKind.LV_TRAJECTORY, year, value, text, "", r["note"])
        )
        # The tables have no separate target column: the 2030 cell is the target.
        if year == STRATEGY_TARGET_YEAR:
            definition.references.append(
                Reference(ReferenceKind.LV_TARGET, year, value, text, "", r["note"])
            )
