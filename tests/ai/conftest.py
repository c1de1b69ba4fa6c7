"""Fixtures for the AI register: people in each role, systems made through the service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from dati.ai.factories import answers_with
from dati.ai.models import AiSystem
from dati.ai.schemas import AiSystemCreate
from dati.ai.services import assessments, systems
from dati.auth import service as auth_service
from dati.auth.actor import Actor, Role
from dati.auth.schemas import TokenCreate
from tests.conftest import MakeUser

NewSystem = Callable[..., AiSystem]


@pytest.fixture
def officer(make_user: MakeUser) -> Actor:
    return make_user("dace", (Role.AI_OFFICER, "VID"))


@pytest.fixture
def other_officer(make_user: MakeUser) -> Actor:
    return make_user("ilze", (Role.AI_OFFICER, "VDAA"))


@pytest.fixture
def auditor(make_user: MakeUser) -> Actor:
    return make_user("maris", (Role.AUDITOR, "VKONTROLE"))


@pytest.fixture
def steward(make_user: MakeUser) -> Actor:
    return make_user("janis", (Role.STEWARD, "VID"))


def system_data(**overrides: Any) -> AiSystemCreate:
    data: dict[str, Any] = {
        "org": "VID",
        "name_lv": "Tērzēšanas robots",
        "name_en": "Chatbot",
        "purpose_lv": "Atbild uz nodokļu maksātāju jautājumiem.",
        "purpose_en": "Answers taxpayers' questions.",
        "technique": "generative",
        "role": "both",
        "lifecycle": "production",
        "sourcing": "in_house",
        "human_oversight_lv": "Konsultants pārskata atbildes.",
        "contact_email": "mi@vid.demo.lv",
        "in_service_since": "2026-09-01",
    }
    data.update(overrides)
    return AiSystemCreate.model_validate(data)


@pytest.fixture
def new_system(session: Session, system: Actor) -> NewSystem:
    """Register a system (as the platform) and, given ``yes``, classify it."""

    def make(*, yes: list[str] | None = None, **overrides: Any) -> AiSystem:
        created = systems.create_system(
            session=session, actor=system, data=system_data(**overrides)
        )
        if yes is not None:
            assessments.assess_system(
                session=session, actor=system, system_id=created.id, answers=answers_with(yes)
            )
        session.commit()
        return created

    return make


@pytest.fixture
def bearer(session: Session, system: Actor) -> Callable[[str, Role, str | None], dict[str, str]]:
    """Authorization headers for a user's token in one role."""

    def make(username: str, role: Role, org: str | None) -> dict[str, str]:
        _token, secret = auth_service.issue_token_for(
            session=session,
            actor=system,
            username=username,
            data=TokenCreate(name="tests", role=role, org=org),
        )
        session.commit()
        return {"authorization": f"Bearer {secret}"}

    return make


@pytest.fixture
def make_resource(session: Session, system: Actor) -> Callable[..., Any]:
    """A catalogue resource, described through the catalogue's own service."""
    from dati.catalog import service as catalog_service
    from dati.catalog.models import AccessRights
    from dati.catalog.schemas import ResourceCreate

    def make(title_lv: str = "Nodokļu maksātāju reģistrs", owner: str = "VID") -> Any:
        resource = catalog_service.create_resource(
            session=session,
            actor=system,
            data=ResourceCreate(
                title_lv=title_lv, owner=owner, access_rights=AccessRights.RESTRICTED
            ),
        )
        session.commit()
        return resource

    return make
