"""`dati audit ...`: check the chain, sign a checkpoint, export the platform's public keys."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from dati.auth.actor import Actor
from dati.config import Settings

app = typer.Typer(help="Check and sign the audit log.", no_args_is_help=True)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Data directory (DATI_DATA_DIR).", show_default=False),
]
DatabaseUrl = Annotated[
    str | None,
    typer.Option("--database-url", help="Database URL (DATI_DATABASE_URL).", show_default=False),
]


def _existing_secret(
    data_dir: Path | None, database_url: str | None
) -> tuple[Settings, str | None]:
    """Settings and the instance secret, without creating a new secret when none exists yet."""
    from dati.cli import settings_from

    settings = settings_from(data_dir, database_url)
    if settings.secret_key or (settings.data_dir / "secret.key").exists():
        return settings, settings.effective_secret_key
    return settings, None


@app.command("verify")
def verify(
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    trusted_keys: Annotated[
        Path | None,
        typer.Option(
            help="JSON list of trusted platform public keys (from /api/v1/audit/keys); "
            "checks that checkpoints were signed by one of them."
        ),
    ] = None,
) -> None:
    """Walk the whole audit log; exit 1 and say where if anything was modified, deleted,
    inserted or reordered."""
    from dati.audit.verify import verify_chain
    from dati.cli import console, err, open_database

    settings, secret = _existing_secret(data_dir, database_url)
    trusted = None
    if trusted_keys is not None:
        try:
            trusted = {k["fingerprint"] for k in json.loads(trusted_keys.read_text("utf-8"))}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            err.print(f"[red]Cannot read trusted keys from {trusted_keys}: {exc}[/red]")
            raise typer.Exit(2) from None
    if secret is None:
        err.print("No instance secret here: entry seals and key origins are not checked.")
    database = open_database(settings)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("verifying", total=None)

        def report_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        with database.session() as session:
            report = verify_chain(
                session, secret=secret, trusted_keys=trusted, progress=report_progress
            )
    if report.ok:
        console.print(
            f"OK: {report.entries} entries, {report.checkpoints} signed checkpoints, "
            f"head #{report.last_seq} {report.last_hash[:16]}…"
        )
        return
    err.print(f"[red]TAMPERED: {len(report.problems)} problem(s) in {report.entries} entries[/red]")
    for problem in report.problems:
        err.print(escape(f"  [{problem.kind}] {problem.message}"))
    raise typer.Exit(1)


@app.command("checkpoint")
def checkpoint(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Sign the chain head now (run from cron between the automatic hourly checkpoints)."""
    from dati.audit import service
    from dati.cli import console, open_database, settings_from

    settings = settings_from(data_dir, database_url)
    with open_database(settings).session() as session:
        made = service.sign_checkpoint(
            session=session, actor=Actor.system("cli"), secret=settings.effective_secret_key
        )
        message = (
            f"checkpoint signed at #{made.seq}" if made else "nothing new since the last checkpoint"
        )
    console.print(message)


@app.command("public-keys")
def public_keys(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Print the platform's checkpoint public keys as JSON (for `verify --trusted-keys`)."""
    from dati.audit import service
    from dati.cli import open_database, settings_from

    settings = settings_from(data_dir, database_url)
    with open_database(settings).session() as session:
        keys = service.list_platform_keys(session=session, actor=Actor.system("cli"))
        data = [
            {
                "fingerprint": k.fingerprint,
                "public_key": k.public_key,
                "created_at": k.created_at.isoformat(),
                "retired_at": k.retired_at.isoformat() if k.retired_at else None,
            }
            for k in keys
        ]
    print(json.dumps(data, indent=2))
