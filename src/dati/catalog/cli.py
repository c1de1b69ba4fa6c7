"""`dati catalog ...`: the nightly URL check, rebuilding the search index, spreadsheet import."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from dati.auth.actor import Actor
from dati.db.database import Database
from dati.errors import DatiError

app = typer.Typer(help="Manage the data catalogue.", no_args_is_help=True)
console = Console()


def _database(data_dir: Path | None, database_url: str | None) -> Database:
    from dati.cli import open_database, settings_from

    return open_database(settings_from(data_dir, database_url))


DataDir = Annotated[Path | None, typer.Option("--data-dir", help="Data directory (DATI_DATA_DIR).")]
DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="Database URL (DATI_DATABASE_URL).")
]


@app.command("check-urls")
def check_urls(
    limit: Annotated[
        int | None, typer.Option(help="Check at most this many URLs (stalest first).")
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for each URL.")] = 10.0,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Ask every distribution URL whether it answers and refresh the MQA scores (run nightly)."""
    from dati.catalog import urlcheck
    from dati.cli import fail

    try:
        with _database(data_dir, database_url).session() as session:
            report = urlcheck.check_urls(
                session=session, actor=Actor.system("url-check"), limit=limit, timeout=timeout
            )
    except DatiError as exc:
        fail(exc)
    console.print(
        f"{report.checked} URLs checked, {report.reachable} answered; "
        f"{report.resources_refreshed} resources rescored"
    )


@app.command()
def reindex(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Rebuild the search index and the quality scores from the catalogue."""
    from dati.catalog import search
    from dati.cli import fail

    try:
        with _database(data_dir, database_url).session() as session:
            count = search.reindex(session=session, actor=Actor.system("reindex"))
    except DatiError as exc:
        fail(exc)
    console.print(f"{count} resources indexed")


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(help="The XLSX or CSV import template, filled in.")],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Import resource descriptions from a spreadsheet; report rows with errors."""
    from dati.catalog import spreadsheet
    from dati.cli import err, fail

    try:
        content = file.read_bytes()
    except OSError as exc:
        err.print(f"[red]Cannot read {file}: {exc.strerror}[/red]")
        raise typer.Exit(1) from None
    try:
        with _database(data_dir, database_url).session() as session:
            report = spreadsheet.import_resources(
                session=session, actor=Actor.system("import"), filename=file.name, content=content
            )
    except DatiError as exc:
        fail(exc)
    console.print(f"{len(report.created)} created, {len(report.updated)} updated")
    for e in report.errors:
        err.print(f"  row {e.row}, {e.field}: {e.message}")
    if report.errors:
        raise typer.Exit(1)
