"""`dati ai classify FILE.json`: readable and JSON output, clear refusals."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from dati.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
runner = CliRunner()


def test_classify_prints_the_class_and_the_law() -> None:
    result = runner.invoke(app, ["ai", "classify", str(EXAMPLES / "ai-chatbot.json")])
    assert result.exit_code == 0, result.output
    assert "Klase: Ierobežots risks (pārredzamība)" in result.output
    assert "Art. 50(1)" in result.output and "interacting with an AI system" in result.output


def test_classify_in_english_lists_missing_answers() -> None:
    result = runner.invoke(
        app, ["ai", "classify", str(EXAMPLES / "ai-provisional.json"), "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    assert "Class: High risk (provisional)" in result.output
    assert "Missing answers" in result.output and "profiling:" in result.output


def test_classify_json_output() -> None:
    result = runner.invoke(
        app, ["ai", "classify", str(EXAMPLES / "ai-benefits-eligibility.json"), "--json"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["risk_class"] == "high_risk" and "Annex III 5(a)" in [
        f["ref"] for f in body["findings"]
    ]


def test_bad_input_is_refused_with_reasons(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps({"answers": {"chatbot": True, "profiling": "maybe"}}), encoding="utf-8"
    )
    result = runner.invoke(app, ["ai", "classify", str(bad)])
    assert result.exit_code == 2 and "chatbot" in result.output and "profiling" in result.output
    not_json = tmp_path / "x.json"
    not_json.write_text("{answers:", encoding="utf-8")
    result = runner.invoke(app, ["ai", "classify", str(not_json)])
    assert result.exit_code == 2 and "not UTF-8 JSON" in result.output
    result = runner.invoke(app, ["ai", "classify", str(tmp_path / "missing.json")])
    assert result.exit_code == 2
