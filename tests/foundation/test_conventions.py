"""House rules checked mechanically: one permission check per service operation, every
UI string translated into Latvian, every API route documented."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from fastapi import FastAPI

from dati import i18n
from dati.web.routes import all_routes

SRC = Path(__file__).resolve().parents[2] / "src" / "dati"
SERVICE_MODULES = sorted(
    p for p in SRC.rglob("*.py") if p.name == "service.py" or p.parent.name == "services"
)


def _operations(path: Path) -> list[ast.FunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    ops = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            kwonly = {a.arg for a in node.args.kwonlyargs}
            if "actor" in kwonly:
                ops.append(node)
    return ops


def _require_calls(fn: ast.FunctionDef) -> int:
    return sum(
        1
        for n in ast.walk(fn)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "require"
    )


@pytest.mark.parametrize("path", SERVICE_MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_each_service_operation_checks_permission_exactly_once(path: Path) -> None:
    wrong = {fn.name: _require_calls(fn) for fn in _operations(path) if _require_calls(fn) != 1}
    assert not wrong, f"operations with zero or several require() calls: {wrong}"


_LITERAL = re.compile(r"""\b_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")


def _ui_strings() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in list(SRC.rglob("*.html")) + list(SRC.rglob("*.py")):
        for match in _LITERAL.finditer(path.read_text(encoding="utf-8")):
            text = match.group(1) if match.group(1) is not None else match.group(2)
            found.setdefault(
                text.encode().decode("unicode_escape").encode("latin-1").decode("utf-8"),
                str(path.relative_to(SRC)),
            )
    return found


def test_every_ui_string_has_a_latvian_translation() -> None:
    catalogue = i18n.messages("lv")
    missing = {text: where for text, where in _ui_strings().items() if text not in catalogue}
    assert not missing, "add these to the feature's translations/lv.po: " + repr(missing)


def test_every_api_route_is_documented(app: FastAPI) -> None:
    api = [r for r in all_routes(app) if r.path.startswith("/api/v1")]
    assert api, "no API routes found"
    undocumented = [r.path for r in api if not r.in_schema or not r.tags]
    assert not undocumented, f"API routes without a tag or hidden from OpenAPI: {undocumented}"
