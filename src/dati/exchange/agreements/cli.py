"""`dati agreement ...` and `dati key ...`: verify a signed agreement offline, export one,
expire agreements past their end date, mail notifications, manage organisations' keys."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from dati.auth.actor import Actor

agreement_app = typer.Typer(help="Data-exchange agreements.", no_args_is_help=True)
key_app = typer.Typer(help="Organisations' signing keys.", no_args_is_help=True)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Data directory (DATI_DATA_DIR).", show_default=False),
]
DatabaseUrl = Annotated[
    str | None,
    typer.Option("--database-url", help="Database URL (DATI_DATABASE_URL).", show_default=False),
]
CLI = Actor.system("cli")


def _read_json(path: Path, what: str) -> Any:
    from dati.cli import err

    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        err.print(f"[red]Cannot read {what} {escape(str(path))}: {escape(str(exc))}[/red]")
        raise typer.Exit(2) from None


def trusted_from(data: Any) -> dict[str, str]:
    """Fingerprint -> organisation from published keys: a list of {org, fingerprint} (as
    /api/v1/agreements/keys/{org} and `dati key list --json` give) or a {fingerprint: org} map."""
    if isinstance(data, dict):
        return {str(k): str(v) for k, v in data.items()}
    return {str(item["fingerprint"]): str(item["org"]) for item in data}


@agreement_app.command("verify")
def verify(
    file: Annotated[Path, typer.Argument(help="A signed agreement (…signed.json).")],
    keys: Annotated[
        Path | None,
        typer.Option(help="The organisations' published public keys (JSON), to pin the signers."),
    ] = None,
) -> None:
    """Check a signed agreement offline: document hash, both parties' Ed25519 signatures, order
    of signing and, with --keys, that each key belongs to its organisation. Exit 1 if not valid."""
    from dati.cli import console, err
    from dati.exchange.agreements import document

    data = _read_json(file, "the agreement")
    trusted = None
    if keys is not None:
        try:
            trusted = trusted_from(_read_json(keys, "the keys"))
        except (KeyError, TypeError):
            err.print("[red]The keys file must list objects with org and fingerprint.[/red]")
            raise typer.Exit(2) from None
    result = document.verify_export(data, trusted_keys=trusted)
    for warning in result.warnings:
        err.print(escape(warning))
    if result.ok:
        doc = data["document"]
        console.print(f"VALID: {doc['number']} v{doc['version']}, SHA-256 {result.document_sha256}")
        for s in result.signed_by:
            console.print(f"  {s['party']}: {s['org']}, {escape(s['signer'])}, {s['signed_at']}")
        return
    err.print("[red]NOT VALID[/red]")
    for problem in result.problems:
        err.print(f"  {escape(problem)}")
    raise typer.Exit(1)


@agreement_app.command("export")
def export(
    number: Annotated[str, typer.Argument(help="Agreement number, e.g. EV-2026-00001.")],
    version: Annotated[int | None, typer.Option(help="Version; the newest by default.")] = None,
    out: Annotated[Path | None, typer.Option(help="Write here instead of standard output.")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Write the signed agreement with its signers' public keys, for `dati agreement verify`."""
    from dati.cli import fail, open_database, settings_from
    from dati.errors import DatiError
    from dati.exchange.agreements import document
    from dati.exchange.agreements.services import agreements

    settings = settings_from(data_dir, database_url)
    try:
        with open_database(settings).session() as session:
            text = document.export_text(
                agreements.export_signed(session=session, actor=CLI, number=number, version=version)
            )
    except DatiError as exc:
        fail(exc)
    if out is None:
        print(text, end="")
    else:
        out.write_text(text, encoding="utf-8")


@agreement_app.command("expire")
def expire(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Mark agreements past their end date as expired and tell both parties (run daily)."""
    from dati.cli import console, open_database, settings_from
    from dati.exchange.agreements.services import changes

    settings = settings_from(data_dir, database_url)
    with open_database(settings).session() as session:
        expired = changes.expire_due(
            session=session, actor=CLI, secret=settings.effective_secret_key
        )
        labels = [a.label for a in expired]
    console.print(f"{len(labels)} expired" + (": " + ", ".join(labels) if labels else ""))


@agreement_app.command("send-emails")
def send_emails(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Mail notifications not yet mailed (needs DATI_SMTP_URL)."""
    from dati.cli import console, err, open_database, settings_from
    from dati.exchange.agreements import mail

    settings = settings_from(data_dir, database_url)
    if not settings.smtp_url:
        err.print("DATI_SMTP_URL is not set: notifications stay in the app only.")
        raise typer.Exit(2)
    sent = mail.send_pending(open_database(settings), settings.smtp_url, settings.base_url)
    console.print(f"{sent} e-mails sent")


def _key_command(action: str, org: str, data_dir: Path | None, database_url: str | None) -> None:
    from dati.cli import console, fail, open_database, settings_from
    from dati.errors import DatiError
    from dati.exchange.agreements.services import keys

    settings = settings_from(data_dir, database_url)
    make = keys.create_signing_key if action == "create" else keys.rotate_signing_key
    try:
        with open_database(settings).session() as session:
            key = make(session=session, actor=CLI, org=org, secret=settings.effective_secret_key)
            fingerprint = key.fingerprint
    except DatiError as exc:
        fail(exc)
    console.print(f"{org}: signing key {fingerprint}")


@key_app.command("create")
def key_create(
    org: Annotated[str, typer.Argument(help="Organisation short name.")],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Give an organisation its first Ed25519 signing key."""
    _key_command("create", org, data_dir, database_url)


@key_app.command("rotate")
def key_rotate(
    org: Annotated[str, typer.Argument(help="Organisation short name.")],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Retire the organisation's key and make a new one (old signatures stay verifiable)."""
    _key_command("rotate", org, data_dir, database_url)


@key_app.command("list")
def key_list(
    org: Annotated[str, typer.Argument(help="Organisation short name.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for --keys.")] = False,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """An organisation's public keys, current first."""
    from dati.cli import console, fail, open_database, settings_from
    from dati.errors import DatiError
    from dati.exchange.agreements.services import keys

    settings = settings_from(data_dir, database_url)
    try:
        with open_database(settings).session() as session:
            rows = [
                {
                    "org": k.organisation.short_name,
                    "fingerprint": k.fingerprint,
                    "public_key": k.public_key,
                    "created_at": k.created_at.isoformat(),
                    "retired_at": k.retired_at.isoformat() if k.retired_at else None,
                }
                for k in keys.list_signing_keys(session=session, actor=CLI, org=org)
            ]
    except DatiError as exc:
        fail(exc)
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    for row in rows:
        state = "retired" if row["retired_at"] else "current"
        console.print(f"{row['fingerprint']}  {str(row['created_at'])[:10]}  {state}")
