"""The status rule: on track, at risk, off track, no target, not yet measured."""

from __future__ import annotations

import pytest

from dati.monitoring.models import ReferenceKind, ReferenceValue
from dati.monitoring.status import Status, expected_value, rule_text, status_for


@pytest.mark.parametrize(
    ("actual", "expected", "status"),
    [
        (64.0, 64.0, Status.ON_TRACK),
        (70.0, 64.0, Status.ON_TRACK),
        (57.6, 64.0, Status.AT_RISK),  # exactly 10 % short
        (57.5, 64.0, Status.OFF_TRACK),
        (0.0, 0.0, Status.ON_TRACK),
        (3.0, 4.0, Status.OFF_TRACK),
        (None, 64.0, Status.NO_TARGET),  # a text-only actual value
        (50.0, None, Status.NO_TARGET),
    ],
)
def test_status_compares_actual_with_expected(
    actual: float | None, expected: float | None, status: Status
) -> None:
    assert status_for(actual, expected, measured=True) is status


def test_without_an_actual_value_the_year_is_not_yet_measured() -> None:
    assert status_for(None, 64.0, measured=False) is Status.NOT_MEASURED


def _ref(
    kind: ReferenceKind, year: int, value: float | None, text: str = "", unit: str = ""
) -> ReferenceValue:
    return ReferenceValue(kind=kind, year=year, value=value, value_text=text, unit=unit, note="")


def test_expected_value_uses_the_trajectory_then_the_target_in_its_own_unit() -> None:
    refs = [
        _ref(ReferenceKind.LV_TRAJECTORY, 2027, 70.0),
        _ref(ReferenceKind.LV_TRAJECTORY, 2028, None, "Vismaz 70%"),
        _ref(
            ReferenceKind.LV_TRAJECTORY,
            2030,
            None,
            "Vismaz 70%, maksimāli tuvinoties ES mērķim 80%",
        ),
        _ref(ReferenceKind.LV_TARGET, 2030, 70.0),
        _ref(ReferenceKind.LV_TARGET, 2031, 455678.0, unit="households"),
    ]
    assert expected_value(refs, 2027) == 70.0
    assert expected_value(refs, 2028) is None  # printed as text: no status
    assert expected_value(refs, 2030) == 70.0  # the target year falls back to the target
    assert expected_value(refs, 2031) is None  # another unit is never compared


def test_the_rule_is_stated_in_words() -> None:
    text = rule_text()
    assert "10 %" in text and "Vismaz 70%" in text
