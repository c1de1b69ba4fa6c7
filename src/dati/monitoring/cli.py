"""`dati monitoring ...`: load indicators, refresh the computed ones (run it from cron or a
systemd timer, e.g. nightly), import and export actual values, write the annual report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dati.auth.actor import Actor

monitoring_app = typer.Typer(
    help="National targets, computed indicators, Data Champion and the annual report.",
    no_args_is_help=True,
)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Data directory (DATI_DATA_DIR).", show_default=False),
]
DatabaseUrl = Annotated[
    str | None,
    typer.Option("--database-url", help="Database URL (DATI_DATABASE_URL).", show_default=False),
]
YearOption = Annotated[
    int | None, typer.Option(help="Calendar year; this year when omitted.", show_default=False)
]


def _actor() -> Actor:
    return Actor.system("monitoring-cli")


@monitoring_app.command("load")
def load(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Create or update the bundled indicator definitions (idempotent)."""
    from dati.cli import console, fail, open_database, settings_from
    from dati.errors import DatiError
    from dati.monitoring import service

    settings = settings_from(data_dir, database_url)
    try:
        with open_database(settings).session() as session:
            result = service.load_definitions(session=session, actor=_actor())
    except DatiError as exc:
        fail(exc)
    console.print(
        f"indicators: {result.created} created, {result.updated} updated, {result.unchanged} unchanged"
    )


@monitoring_app.command("refresh")
def refresh(
    data_dir: DataDir = None, database_url: DatabaseUrl = None, year: YearOption = None
) -> None:
    """Sync the definitions, compute the live indicators and the Data Champion for a year."""
    from dati.cli import console, fail, open_database, settings_from
    from dati.errors import DatiError
    from dati.monitoring import service

    settings = settings_from(data_dir, database_url)
    try:
        with open_database(settings).session() as session:
            result = service.refresh(session=session, actor=_actor(), year=year)
    except DatiError as exc:
        fail(exc)
    console.print(f"year {result.year}")
    console.print(f"measured: {', '.join(result.measured) or '-'}")
    console.print(f"changed: {', '.join(result.changed) or '-'}")
    console.print(f"not yet measured: {', '.join(result.not_measured) or '-'}")
    console.print(
        f"Data Champion categories measured: {', '.join(result.champion_categories_measured) or '-'}"
    )


@monitoring_app.command("import")
def import_values(
    file: Annotated[
        Path,
        typer.Argument(help="CSV: indicator_code,year,value,value_text,measured_on,source,comment"),
    ],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Import actual values from a CSV file; nothing is imported if any row is wrong."""
    from dati.cli import console, fail, open_database, read_csv_file, settings_from
    from dati.errors import DatiError
    from dati.monitoring import transfer

    settings = settings_from(data_dir, database_url)
    text = read_csv_file(file)
    try:
        with open_database(settings).session() as session:
            count = transfer.import_values(session=session, actor=_actor(), csv_text=text)
    except DatiError as exc:
        fail(exc)
    console.print(f"{count} values imported")


@monitoring_app.command("export")
def export_values(
    output: Annotated[Path, typer.Argument(help="Where to write the CSV of current values.")],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Export the value in force for every indicator and year as CSV."""
    from dati.cli import console, fail, open_database, settings_from
    from dati.errors import DatiError
    from dati.monitoring import transfer

    settings = settings_from(data_dir, database_url)
    try:
        with open_database(settings).session() as session:
            text = transfer.export_values(session=session, actor=_actor())
    except DatiError as exc:
        fail(exc)
    output.write_text("\ufeff" + text, encoding="utf-8")
    console.print(f"wrote {output}")


@monitoring_app.command("report")
def report_pdf(
    output: Annotated[Path, typer.Argument(help="Where to write the PDF.")],
    year: YearOption = None,
    lang: Annotated[str, typer.Option(help="lv or en.")] = "lv",
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Write the annual progress report for the National Data Council as PDF."""
    from dati import clock, i18n
    from dati.cli import console, err, fail, open_database, settings_from
    from dati.errors import DatiError
    from dati.monitoring import report

    if lang not in i18n.LANGUAGES:
        err.print(f"[red]--lang must be one of {', '.join(i18n.LANGUAGES)}[/red]")
        raise typer.Exit(2)
    settings = settings_from(data_dir, database_url)
    previous = i18n.get_language()
    i18n.set_language(lang)
    try:
        with open_database(settings).session() as session:
            built = report.build_report(
                session=session, actor=_actor(), year=year or clock.today().year
            )
            pdf = report.render_pdf(built)
    except DatiError as exc:
        fail(exc)
    finally:
        i18n.set_language(previous)
    output.write_bytes(pdf)
    console.print(f"wrote {output} ({len(pdf)} bytes)")
