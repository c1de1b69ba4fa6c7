"""`dati harvest SOURCE --org SHORTNAME` and `dati harvest run-due` (the scheduled job)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import structlog
import typer
from rich.table import Table
from typer.core import TyperGroup

from dati.interop.models import HarvestRun, RunStatus

log = structlog.get_logger("dati.harvest")


class SourceOrCommand(TyperGroup):
    """`dati harvest SOURCE ...` runs the default command; known names run their command."""

    # Typer bundles its own click, whose types are private; the override is typed loosely.
    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["source", *args]
        return super().resolve_command(ctx, args)


harvest_app = typer.Typer(
    cls=SourceOrCommand,
    help="Harvest DCAT-AP catalogues: dati harvest FILE-OR-URL --org SHORTNAME, or run-due.",
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


def _report(run: HarvestRun) -> int:
    from dati.cli import console, err

    table = Table(title=f"Harvest {run.origin}")
    for column in ("created", "updated", "unchanged", "failed"):
        table.add_column(column, justify="right")
    table.add_row(str(run.created), str(run.updated), str(run.unchanged), str(run.failed))
    console.print(table)
    for entry in run.errors:
        style = "yellow" if entry.get("level") == "warning" else "red"
        err.print(
            f"[{style}]{entry.get('title') or entry.get('identifier')}: {entry['message']}[/{style}]"
        )
        for field, message in (entry.get("fields") or {}).items():
            err.print(f"  {field}: {message}")
    if run.message:
        err.print(f"[red]{run.message}[/red]")
    return {RunStatus.OK: 0, RunStatus.PARTIAL: 3}.get(run.status, 1)


@harvest_app.command("source", hidden=True)
def harvest_source(
    source: Annotated[
        str, typer.Argument(help="A DCAT-AP file (Turtle, RDF/XML, JSON-LD) or URL.")
    ],
    org: Annotated[str, typer.Option("--org", help="Short name of the receiving institution.")],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Harvest one file or URL (following Hydra pages) into an institution's catalogue."""
    from dati.auth.actor import Actor
    from dati.cli import fail, open_database, settings_from
    from dati.errors import DatiError
    from dati.interop import harvest_fetch, service

    settings = settings_from(data_dir, database_url)
    actor = Actor.system("harvest")
    try:
        with open_database(settings).session() as session:
            run: Any
            if source.startswith(("http://", "https://")):
                # The operator's own command may reach the local network (a staging portal).
                run = service.harvest_url(
                    session=session, actor=actor, org=org, url=source, allow_private=True
                )
            else:
                document = harvest_fetch.read_file(Path(source))
                run = service.harvest_document(
                    session=session, actor=actor, org=org, document=document
                )
    except DatiError as exc:
        fail(exc)
    raise typer.Exit(_report(run))


@harvest_app.command("run-due")
def run_due(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Harvest every scheduled source whose time has come (run it from cron or a timer)."""
    from dati.auth.actor import Actor
    from dati.cli import console, err, open_database, settings_from
    from dati.interop import sources

    settings = settings_from(data_dir, database_url)
    database = open_database(settings)
    actor = Actor.system("harvest")
    with database.session() as session:
        due = sources.claim_due(session=session, actor=actor)
    worst = 0
    for source_id in due:  # one transaction per source: a failing source keeps the others
        try:
            with database.session() as session:
                run = sources.run_source(session=session, actor=actor, source_id=source_id)
                worst = max(worst, _report(run))
        except Exception:  # a fault in one source (even a bug) must not starve the rest
            log.exception("scheduled harvest failed", source_id=source_id)
            err.print(f"[red]Harvest source {source_id} failed; the log has the details.[/red]")
            worst = max(worst, 1)
    console.print(f"{len(due)} source(s) harvested")
    raise typer.Exit(worst)
