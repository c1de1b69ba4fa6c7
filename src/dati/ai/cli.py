"""`dati ai ...`: the AI Act classifier on the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from dati import i18n
from dati.ai import questions
from dati.ai.classify_schemas import ClassificationRead
from dati.ai.labels import FINDING_KIND, GPAI, RISK_CLASS_LABELS
from dati.ai.services import assessments
from dati.ai.verdict import Classification
from dati.auth.actor import Actor
from dati.errors import DatiError
from dati.i18n import gettext as _

app = typer.Typer(help="The AI register and the EU AI Act classifier.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)


def read_input(path: Path) -> dict[str, Any]:
    """The classifier's input file: a JSON object with an "answers" object (see the docs)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        _refuse(f"Cannot read {path}: {exc.strerror}")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        _refuse(f"{path} is not UTF-8 JSON: {exc}")
    if not isinstance(data, dict) or not isinstance(data.get("answers", {}), dict):
        _refuse(f'{path}: expected an object like {{"answers": {{...}}}}')
    return data


def _refuse(message: str) -> NoReturn:
    err.print(f"[red]{escape(message)}[/red]", soft_wrap=True)
    raise typer.Exit(2)


@app.command("classify")
def classify(
    file: Annotated[
        Path, typer.Argument(help="JSON file with the answers (see docs/ai-classifier.md).")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    lang: Annotated[str, typer.Option(help="Language of the explanations: lv or en.")] = "lv",
) -> None:
    """Classify an AI system under the EU AI Act from a file of answers."""
    i18n.set_language(lang)
    data = read_input(file)
    try:
        result = assessments.classify_answers(
            actor=Actor.system("cli"), answers=data.get("answers", {})
        )
    except DatiError as exc:
        err.print(f"[red]{escape(exc.detail)}[/red]")
        for name, message in exc.errors.items():
            err.print(f"  {escape(name)}: {escape(message)}")
        raise typer.Exit(2) from None
    if as_json:
        print(ClassificationRead.of(result).model_dump_json(indent=2))
        return
    _print(result, str(data.get("name") or file.name))


def _print(result: Classification, name: str) -> None:
    label = _(RISK_CLASS_LABELS[result.risk_class])
    console.print(f"[bold]{escape(name)}[/bold]")
    console.print(
        f"{_('Class')}: [bold]{escape(label)}[/bold]"
        + (f" ({_('provisional')})" if result.provisional else "")
    )
    if result.provisional:
        lowest = _(RISK_CLASS_LABELS[result.lowest_possible_class])
        console.print(
            _(
                "With the missing answers at their most favourable, the class would be: {label}.",
                label=lowest,
            )
        )
    if result.gpai.value != "none":
        console.print(f"{_('General-purpose AI model')}: {escape(_(GPAI[result.gpai]))}")
    console.print()
    console.print(f"[bold]{_('Provisions applied')}[/bold]")
    for f in result.findings:
        flag = f" [{_('assumed, not answered')}]" if f.assumed else ""
        console.print(
            f"• {escape(f.ref)} — {escape(f.provision.title)} ({escape(_(FINDING_KIND[f.kind]))}){escape(flag)}"
        )
        if f.why:
            console.print(f"  {escape(f.why)}")
        for line in f.provision.text.splitlines():
            console.print(f"  [dim]│ {escape(line)}[/dim]", soft_wrap=True)
    if result.missing:
        console.print()
        console.print(f"[bold]{_('Missing answers')}[/bold]")
        for question_id in result.missing:
            q = questions.question(question_id)
            console.print(f"• {question_id}: {escape(q.text)} ({', '.join(q.refs)})")
