"""`dati publish RESOURCE FILE`: publish a file or a database table as a new version."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn

from dati.auth.actor import Actor
from dati.errors import DatiError
from dati.exchange import service
from dati.exchange.service import SourceSpec
from dati.exchange.tables import is_database_url


def publish(
    resource: Annotated[str, typer.Argument(help="Name of the catalogue resource.")],
    file: Annotated[
        str,
        typer.Argument(
            help="A CSV, XLSX, JSON, NDJSON or Parquet file, or a postgresql:// or sqlite:/// URL."
        ),
    ],
    table: Annotated[
        str | None, typer.Option(help="Table to read when FILE is a database URL.")
    ] = None,
    mode: Annotated[
        str, typer.Option(help="replace, append or upsert (by primary key).")
    ] = "replace",
    quarantine: Annotated[
        bool,
        typer.Option(
            "--quarantine", help="Publish valid rows; keep bad rows in a downloadable file."
        ),
    ] = False,
    delimiter: Annotated[
        str | None, typer.Option(help="CSV delimiter (detected when omitted).")
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(help="CSV encoding (detected when omitted): utf-8, cp1257, iso8859_13."),
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Data directory (DATI_DATA_DIR).")
    ] = None,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="Database URL (DATI_DATABASE_URL).")
    ] = None,
) -> None:
    """Validate a file against the resource's Table Schema and publish it as a new version."""
    from dati.cli import console, err, fail, open_database, settings_from

    settings = settings_from(data_dir, database_url)
    if is_database_url(file):
        spec = SourceSpec(url=file, table=table, name=table or "")
    else:
        spec = SourceSpec(
            path=Path(file), name=Path(file).name, delimiter=delimiter, encoding=encoding
        )
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        console=err,
    )
    total = Path(file).stat().st_size if spec.path and spec.path.is_file() else None
    task = progress.add_task(f"{resource} ← {spec.name}", total=total)

    def advance(done: int, whole: int) -> None:
        progress.update(task, completed=done, total=whole or None)

    try:
        with progress, open_database(settings).session() as session:
            result = service.publish_version(
                session=session,
                actor=Actor.system("cli"),
                name=resource,
                source=spec,
                store=service.store_for(settings),
                mode=mode,
                quarantine=quarantine,
                progress=advance,
            )
            version = result.version
            number, rows, rejected, digest = (
                version.number,
                version.rows,
                version.rows_rejected,
                version.sha256,
            )
    except DatiError as exc:
        fail(exc)
        return
    console.print(f"{resource}: version {number} published, {rows} rows, sha256 {digest[:16]}…")
    if result.inferred_schema:
        console.print(
            "The resource had no Table Schema; one was inferred from the data. Review it in the catalogue."
        )
    if rejected:
        console.print(
            f"[yellow]{rejected} rows were refused and kept in the version's quarantine file.[/yellow]"
        )
