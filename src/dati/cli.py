"""The `dati` command line. Every command goes through the service layer as a named actor."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dati.ai import cli as ai_cli
from dati.catalog import cli as catalog_cli
from dati.config import ConfigError, Settings, load_settings
from dati.db.database import Database
from dati.errors import DatiError
from dati.interop.cli import harvest_app
from dati.monitoring.cli import monitoring_app
from dati.readiness.cli import readiness_app

app = typer.Typer(
    help="dati — data and AI governance platform.", no_args_is_help=True, add_completion=False
)
user_app = typer.Typer(help="Manage user accounts.", no_args_is_help=True)
token_app = typer.Typer(help="Manage API tokens.", no_args_is_help=True)
org_app = typer.Typer(help="Manage organisations.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(org_app, name="org")
app.add_typer(catalog_cli.app, name="catalog")
app.add_typer(harvest_app, name="harvest")
app.add_typer(ai_cli.app, name="ai")
app.add_typer(readiness_app, name="readiness")
app.add_typer(monitoring_app, name="monitoring")

console = Console()
err = Console(stderr=True)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Data directory (DATI_DATA_DIR).", show_default=False),
]
DatabaseUrl = Annotated[
    str | None,
    typer.Option("--database-url", help="Database URL (DATI_DATABASE_URL).", show_default=False),
]


def settings_from(
    data_dir: Path | None, database_url: str | None = None, **extra: object
) -> Settings:
    try:
        return load_settings(data_dir=data_dir, database_url=database_url, **extra)
    except ConfigError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


def open_database(settings: Settings) -> Database:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return Database(settings.effective_database_url)


def fail(exc: DatiError) -> None:
    err.print(f"[red]{exc.detail}[/red]")
    for name, message in exc.errors.items():
        err.print(f"  {name}: {message}")
    raise typer.Exit(1)


def read_csv_file(file: Path) -> str:
    """A CSV file's text (UTF-8, with or without BOM); exits 1 with a clear message otherwise."""
    try:
        return file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        err.print("[red]The file is not UTF-8. Save it as 'CSV UTF-8' and try again.[/red]")
        raise typer.Exit(1) from None
    except OSError as exc:
        err.print(f"[red]Cannot read {file}: {exc.strerror}[/red]")
        raise typer.Exit(1) from None


@app.command()
def init(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Create or upgrade the database schema."""
    from dati.db import migrate

    settings = settings_from(data_dir, database_url)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.effective_database_url)
    settings.effective_secret_key  # noqa: B018 - creates the per-instance secret on first init
    console.print(f"Schema is up to date in {settings.effective_database_url.split('@')[-1]}")


@app.command()
def demo(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Load the demo data (organisations, users for every role, and each feature's data)."""
    from dati import demo as demo_loader
    from dati.db import migrate

    settings = settings_from(data_dir, database_url)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.effective_database_url)
    db = open_database(settings)
    try:
        with db.session() as session:
            report = demo_loader.load(session, settings)
    except DatiError as exc:
        fail(exc)
    for line in report.lines:
        console.print(line)
    table = Table(title="Demo logins (http://127.0.0.1:8000/login)")
    table.add_column("login")
    table.add_column("password")
    table.add_column("role")
    for login, password, role in report.logins:
        table.add_row(login, password or "—", role)
    console.print(table)


@app.command()
def serve(
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Serve the web site and API."""
    import os

    import uvicorn

    settings = settings_from(data_dir, database_url)
    # Workers are separate processes: hand them the settings through the environment.
    os.environ["DATI_DATA_DIR"] = str(settings.data_dir)
    if settings.database_url:
        os.environ["DATI_DATABASE_URL"] = settings.database_url
    os.environ.setdefault("DATI_SECRET_KEY", settings.effective_secret_key)
    console.print(f"Serving dati on http://{host}:{port}")
    uvicorn.run(
        "dati.web.asgi:app",
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        proxy_headers=True,
    )


@user_app.command("create")
def user_create(
    username: str,
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    password: Annotated[
        str | None, typer.Option(help="Password; generated and printed when omitted.")
    ] = None,
    role: Annotated[
        list[str] | None, typer.Option(help="ROLE or ROLE@ORG, repeatable (admin has no ORG).")
    ] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a user and print the credentials."""
    from dati.auth import service
    from dati.auth.actor import Actor, Role
    from dati.auth.schemas import UserCreate

    settings = settings_from(data_dir, database_url)
    secret = password or secrets.token_urlsafe(12)
    actor = Actor.system("cli")
    try:
        with open_database(settings).session() as session:
            service.create_user(
                session=session,
                actor=actor,
                data=UserCreate(username=username, display_name=name or username, password=secret),
            )
            for item in role or []:
                role_name, _, org = item.partition("@")
                service.grant_role(
                    session=session,
                    actor=actor,
                    username=username,
                    role=Role(role_name),
                    org=org or None,
                )
    except DatiError as exc:
        fail(exc)
    except ValueError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    console.print(f"username: {username}")
    console.print(f"password: {secret}")


@token_app.command("create")
def token_create(
    username: str,
    role: Annotated[str, typer.Option(help="ROLE or ROLE@ORG the token acts as.")],
    name: Annotated[str, typer.Option(help="A name to recognise the token by.")] = "cli",
    expires_days: Annotated[int | None, typer.Option(help="Days until it expires.")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create an API token for a user's role and print it (shown once)."""
    from dati.auth import service
    from dati.auth.actor import Actor, Role
    from dati.auth.schemas import TokenCreate

    settings = settings_from(data_dir, database_url)
    role_name, _, org = role.partition("@")
    try:
        with open_database(settings).session() as session:
            _token, secret = service.issue_token_for(
                session=session,
                actor=Actor.system("cli"),
                username=username,
                data=TokenCreate(
                    name=name, role=Role(role_name), org=org or None, expires_days=expires_days
                ),
            )
    except DatiError as exc:
        fail(exc)
    except ValueError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    print(secret)


@org_app.command("import")
def org_import(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV with short_name,name_lv,name_en,reg_number,kind,parent_short_name,municipality_code"
        ),
    ],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Import or update organisations from a CSV file."""
    from dati.auth.actor import Actor
    from dati.orgs import service

    settings = settings_from(data_dir, database_url)
    text = read_csv_file(file)
    try:
        with open_database(settings).session() as session:
            created, updated = service.import_organisations(
                session=session, actor=Actor.system("cli"), csv_text=text
            )
    except DatiError as exc:
        fail(exc)
    console.print(f"{created} created, {updated} updated")


from dati.exchange.cli import publish as _publish  # noqa: E402 - needs the helpers above

app.command("publish")(_publish)

# Feature command groups; their commands import this module lazily.
from dati.audit.cli import app as audit_app  # noqa: E402
from dati.exchange.agreements.cli import agreement_app, key_app  # noqa: E402

app.add_typer(audit_app, name="audit")
app.add_typer(agreement_app, name="agreement")
app.add_typer(key_app, name="key")


def main() -> None:  # pragma: no cover
    app(sys.argv[1:])
