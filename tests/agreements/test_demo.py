"""The demo agreements: made through the services, by the demo people, once."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dati.audit.verify import verify_chain
from dati.auth import factories as auth_factories
from dati.auth.actor import Actor
from dati.catalog import service as catalog_service
from dati.catalog.models import AccessRights
from dati.catalog.schemas import ResourceCreate
from dati.exchange.agreements import factories
from dati.exchange.agreements.models import AccessRequest, AgreementStatus, RequestStatus
from dati.exchange.agreements.services import agreements
from tests.agreements.conftest import SECRET

SCHEMAS = {
    factories.POPULATION: (
        "PMLP",
        ["personas_kods", "vards", "uzvards", "dzimsanas_datums", "dzimums", "pasvaldiba"],
    ),
    factories.CADASTRE: (
        "VZD",
        ["kadastra_numurs", "pasvaldiba", "platiba_ha", "lietosanas_merkis", "kadastra_vertiba"],
    ),
    factories.VEHICLES: ("CSDD", ["numurs", "marka", "izlaiduma_gads", "degviela", "pasvaldiba"]),
}


@pytest.fixture
def demo_resources(session: Session, system: Actor) -> None:
    for name, (owner, fields) in SCHEMAS.items():
        catalog_service.create_resource(
            session=session,
            actor=system,
            data=ResourceCreate(
                name=name, title_lv=name, owner=owner, access_rights=AccessRights.RESTRICTED
            ),
        )
        schema = {
            "fields": [
                {
                    "name": f,
                    "classification": "personal_identifier" if f == "personas_kods" else "open",
                }
                for f in fields
            ]
        }
        catalog_service.set_table_schema(session=session, actor=system, name=name, schema=schema)
    auth_factories.load_demo(session, system)


def test_demo_agreements(session: Session, system: Actor, demo_resources: None) -> None:
    lines = factories.load_demo(session, system, SECRET)
    assert "in force" in lines[0]
    found = {a.resource_name: a for a in agreements.list_agreements(session=session, actor=system)}
    live = found[factories.POPULATION]
    assert live.status == AgreementStatus.ACTIVE and agreements.in_force(live)
    assert live.recipient.short_name == "VSAA" and live.document["row_conditions"][0]["values"] == [
        "Rīga"
    ]
    assert {s.signer_name for s in live.signatures} == {"Pēteris Ozols"}
    assert found[factories.CADASTRE].status == AgreementStatus.AWAITING_RECIPIENT
    statuses = sorted(r.status for r in session.scalars(select(AccessRequest)))
    assert statuses.count(RequestStatus.SUBMITTED) == 1 and RequestStatus.REJECTED in statuses
    assert factories.load_demo(session, system, SECRET) == ["agreements: already loaded"]
    assert verify_chain(session, secret=SECRET).ok


def test_demo_is_skipped_without_the_resources(session: Session, system: Actor) -> None:
    assert "skipped" in factories.load_demo(session, system, SECRET)[0]
