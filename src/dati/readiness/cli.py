"""`dati readiness ...`: load the standard questionnaire, list rounds, export answers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dati.auth.actor import Actor
from dati.errors import DatiError

readiness_app = typer.Typer(help="Readiness self-assessment (e-index).", no_args_is_help=True)
console = Console()

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Data directory (DATI_DATA_DIR).", show_default=False),
]
DatabaseUrl = Annotated[
    str | None,
    typer.Option("--database-url", help="Database URL (DATI_DATABASE_URL).", show_default=False),
]


@readiness_app.command("install")
def install(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Load the standard questionnaire and the default recommendations (safe to repeat)."""
    from dati import cli
    from dati.readiness.services import questionnaires

    settings = cli.settings_from(data_dir, database_url)
    try:
        with cli.open_database(settings).session() as session:
            result = questionnaires.install_standard(session=session, actor=Actor.system("cli"))
            number, created = result.version.version, result.created
            added = result.recommendations_added
    except DatiError as exc:
        cli.fail(exc)
    state = "loaded" if created else "already present"
    console.print(f"questionnaire version {number} {state}; {added} recommendations added")


@readiness_app.command("rounds")
def rounds(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """List assessment rounds with their progress."""
    from dati import cli
    from dati.readiness.services import rounds as rounds_service

    settings = cli.settings_from(data_dir, database_url)
    table = Table(title="Readiness rounds")
    for column in ("id", "title", "deadline", "status", "submitted", "total"):
        table.add_column(column)
    with cli.open_database(settings).session() as session:
        for r in rounds_service.list_rounds(session=session, actor=Actor.system("cli")):
            table.add_row(
                str(r.round.id),
                r.round.title_lv,
                r.round.deadline.isoformat(),
                r.round.status.value,
                str(r.submitted),
                str(r.total),
            )
    console.print(table)


@readiness_app.command("export")
def export(
    round_id: Annotated[int, typer.Argument(help="The round's id (see `dati readiness rounds`).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="CSV file to write.")] = Path(
        "readiness-answers.csv"
    ),
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Write every answer of a round to a CSV file (formula-safe, UTF-8 with BOM)."""
    from dati import cli
    from dati.readiness.services import exports

    settings = cli.settings_from(data_dir, database_url)
    try:
        with cli.open_database(settings).session() as session:
            text = exports.answers_csv(
                session=session, actor=Actor.system("cli"), round_id=round_id
            )
    except DatiError as exc:
        cli.fail(exc)
    output.write_text(text, encoding="utf-8")
    console.print(f"{len(text.splitlines()) - 1} answers written to {output}")
