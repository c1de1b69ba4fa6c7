"""Demo accounts: one per role, created through the service layer."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from dati.auth import service
from dati.auth.actor import Actor, Role
from dati.auth.models import User
from dati.auth.schemas import UserCreate

DEMO_PASSWORD = "dati-demo-2026"  # noqa: S105 - published demo credential, documented in README
DEMO_CITIZEN_CODE = "150385-11116"


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    grants: tuple[tuple[Role, str | None], ...]
    what: str


DEMO_USERS = (
    DemoUser("admin", "Anna Administratore", ((Role.ADMIN, None),), "platform administrator"),
    DemoUser(
        "steward",
        "Jānis Bērziņš",
        (
            (Role.STEWARD, "VZD"),
            (Role.STEWARD, "PMLP"),
            (Role.STEWARD, "UR"),
            (Role.STEWARD, "CSDD"),
        ),
        "data steward of the base registers (VZD, PMLP, UR, CSDD)",
    ),
    DemoUser(
        "publisher",
        "Līga Kalniņa",
        (
            (Role.PUBLISHER, "VZD"),
            (Role.PUBLISHER, "PMLP"),
            (Role.PUBLISHER, "UR"),
            (Role.PUBLISHER, "CSDD"),
            (Role.PUBLISHER, "riga"),
        ),
        "publisher for the base registers and Rīga",
    ),
    DemoUser(
        "signatory",
        "Pēteris Ozols",
        ((Role.SIGNATORY, "VZD"), (Role.SIGNATORY, "PMLP"), (Role.SIGNATORY, "VSAA")),
        "signatory of VZD, PMLP and VSAA",
    ),
    DemoUser(
        "recipient",
        "Ilze Liepiņa",
        ((Role.RECIPIENT, "VSAA"), (Role.STEWARD, "VSAA")),
        "recipient (API consumer) and steward at VSAA",
    ),
    DemoUser(
        "auditor",
        "Māris Krūmiņš",
        ((Role.AUDITOR, "VKONTROLE"),),
        "auditor at the State Audit Office",
    ),
    DemoUser(
        "ai-officer",
        "Dace Vītola",
        ((Role.AI_OFFICER, "VID"), (Role.AI_OFFICER, "VDAA")),
        "AI officer at VID and VDAA",
    ),
)


def load_demo(session: Session, actor: Actor) -> list[tuple[str, str, str]]:
    """Create the demo accounts (skipping existing ones); return (login, password, role) lines."""
    logins: list[tuple[str, str, str]] = []
    for demo in DEMO_USERS:
        exists = session.scalar(select(User.id).where(User.username == demo.username))
        if not exists:
            service.create_user(
                session=session,
                actor=actor,
                data=UserCreate(
                    username=demo.username, display_name=demo.display_name, password=DEMO_PASSWORD
                ),
            )
        for role, org in demo.grants:
            service.grant_role(
                session=session, actor=actor, username=demo.username, role=role, org=org
            )
        logins.append((demo.username, DEMO_PASSWORD, demo.what))
    if not session.scalar(select(User.id).where(User.username == "citizen")):
        service.create_user(
            session=session,
            actor=actor,
            data=UserCreate(
                username="citizen", display_name="Kristaps Demo", personal_code=DEMO_CITIZEN_CODE
            ),
        )
    logins.append((DEMO_CITIZEN_CODE, "", "citizen (log in with the personal code)"))
    return logins
