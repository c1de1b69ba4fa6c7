"""The house rule for service.py, applied to every catalogue module that holds operations:
each public function taking a keyword-only actor calls require() exactly once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.foundation.test_conventions import SRC, _operations, _require_calls

MODULES = sorted(p for p in (SRC / "catalog").glob("*.py") if _operations(p))


def test_the_catalogue_has_operation_modules() -> None:
    names = {p.name for p in MODULES}
    assert {
        "service.py",
        "systems.py",
        "distributions.py",
        "glossary.py",
        "search.py",
        "quality.py",
        "spreadsheet.py",
        "urlcheck.py",
        "history.py",
    } <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_each_operation_checks_permission_exactly_once(path: Path) -> None:
    wrong = {fn.name: _require_calls(fn) for fn in _operations(path) if _require_calls(fn) != 1}
    assert not wrong, f"operations with zero or several require() calls: {wrong}"


def test_modules_stay_small() -> None:
    long = {
        p.name: n
        for p in (SRC / "catalog").glob("*.py")
        if (n := len(p.read_text().splitlines())) > 460
    }
    assert not long
