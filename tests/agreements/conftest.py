"""Agreements test fixtures: a personal-data resource of PMLP, the people of both parties, their
organisations' keys, and shortcuts to a request, a pending or a signed agreement."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from dati import clock
from dati.auth import passwords
from dati.auth.actor import Actor, Role
from dati.catalog import service as catalog_service
from dati.catalog.models import AccessRights, Resource
from dati.catalog.schemas import ResourceCreate
from dati.exchange.agreements.models import AccessRequest, Agreement
from dati.exchange.agreements.schemas import AccessRequestCreate, Terms
from dati.exchange.agreements.services import agreements, keys, requests
from tests.conftest import MakeUser

SECRET = "test-secret-key-0123456789"  # the `settings` fixture's secret, so the app agrees

POPULATION_SCHEMA = {
    "fields": [
        {"name": "personal_code", "type": "string", "classification": "personal_identifier"},
        {"name": "first_name", "type": "string", "classification": "personal_data"},
        {"name": "last_name", "type": "string", "classification": "personal_data"},
        {"name": "birth_date", "type": "date", "classification": "personal_data"},
        {"name": "municipality", "type": "string", "classification": "open"},
        {"name": "address", "type": "string", "classification": "personal_data"},
        {"name": "children", "type": "integer", "classification": "personal_data"},
    ],
    "primaryKey": ["personal_code"],
}


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 with the production cost takes half a second per account; these tests make
    seven. Hashes record their own parameters, so logins still verify."""
    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@dataclass
class People:
    recipient: Actor  # VSAA API consumer
    vsaa_steward: Actor
    vsaa_signatory: Actor
    pmlp_steward: Actor
    pmlp_signatory: Actor
    auditor: Actor
    outsider: Actor  # a steward of an unrelated institution


@pytest.fixture
def population(session: Session, system: Actor) -> Resource:
    resource = catalog_service.create_resource(
        session=session,
        actor=system,
        data=ResourceCreate(
            name="iedzivotaju-registrs-test",
            title_lv="Iedzīvotāju reģistrs (tests)",
            title_en="Population register (test)",
            owner="PMLP",
            access_rights=AccessRights.NON_PUBLIC,
            personal_data=True,
        ),
    )
    catalog_service.set_table_schema(
        session=session, actor=system, name=resource.name, schema=POPULATION_SCHEMA
    )
    session.flush()
    return resource


@pytest.fixture
def people(make_user: MakeUser, session: Session, system: Actor) -> People:
    found = People(
        recipient=make_user("vsaa-api", (Role.RECIPIENT, "VSAA")),
        vsaa_steward=make_user("vsaa-steward", (Role.STEWARD, "VSAA")),
        vsaa_signatory=make_user("vsaa-sign", (Role.SIGNATORY, "VSAA")),
        pmlp_steward=make_user("pmlp-steward", (Role.STEWARD, "PMLP")),
        pmlp_signatory=make_user("pmlp-sign", (Role.SIGNATORY, "PMLP")),
        auditor=make_user("auditor-x", (Role.AUDITOR, "VKONTROLE")),
        outsider=make_user("vzd-steward", (Role.STEWARD, "VZD")),
    )
    for org in ("PMLP", "VSAA"):
        keys.create_signing_key(session=session, actor=system, org=org, secret=SECRET)
    return found


def request_data(resource: Resource, **changes: Any) -> AccessRequestCreate:
    values: dict[str, Any] = {
        "resource": resource.name,
        "fields": ["personal_code", "first_name", "last_name", "municipality", "children"],
        "purpose": "Piešķirt bērna kopšanas pabalstu Rīgas iedzīvotājiem",
        "legal_basis": "Likums “Par valsts sociālajiem pabalstiem”, 7. pants",
        "valid_from": clock.today(),
        "valid_until": clock.today() + timedelta(days=365),
        "requests_per_day": 100,
        "rows_per_day": 1000,
    }
    values.update(changes)
    return AccessRequestCreate(**values)


RIGA_ONLY = Terms.model_validate(
    {
        "fields": ["personal_code", "first_name", "municipality", "children"],
        "row_conditions": [{"field": "municipality", "op": "eq", "values": ["LV-RIX"]}],
        "pseudonymised_fields": ["personal_code"],
        "note": "Tikai Rīgas iedzīvotāji; personas kods pseidonimizēts.",
    }
)

MakeRequest = Callable[..., AccessRequest]
MakeAgreement = Callable[..., Agreement]


@pytest.fixture
def make_request(session: Session, population: Resource, people: People) -> MakeRequest:
    def make(**changes: Any) -> AccessRequest:
        return requests.submit_request(
            session=session,
            actor=people.recipient,
            data=request_data(population, **changes),
            secret=SECRET,
        )

    return make


@pytest.fixture
def make_agreement(session: Session, make_request: MakeRequest, people: People) -> MakeAgreement:
    """An agreement from a fresh request: ``signed_by`` none, "provider" or "both"."""

    def make(signed_by: str = "both", terms: Terms = RIGA_ONLY, **changes: Any) -> Agreement:
        request = make_request(**changes)
        agreement = requests.approve_request(
            session=session,
            actor=people.pmlp_steward,
            number=request.number,
            terms=terms,
            secret=SECRET,
        )
        signers = {
            "none": [],
            "provider": [people.pmlp_signatory],
            "both": [people.pmlp_signatory, people.vsaa_signatory],
        }
        for signer in signers[signed_by]:
            agreement = agreements.sign_agreement(
                session=session,
                actor=signer,
                number=agreement.number,
                version=agreement.version,
                document_sha256=agreement.document_sha256,
                secret=SECRET,
            )
        session.flush()
        return agreement

    return make


def days(n: int) -> date:
    return clock.today() + timedelta(days=n)
