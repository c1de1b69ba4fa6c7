"""The demo agreements: made through the services, by the demo people, once."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dati.audit import service as audit_service
from dati.audit.verify import verify_chain
from dati.auth import factories as auth_factories
from dati.auth.actor import Actor, ActorKind
from dati.catalog import service as catalog_service
from dati.catalog.models import AccessRights
from dati.catalog.schemas import ResourceCreate
from dati.config import Settings
from dati.exchange import service as exchange_service
from dati.exchange.agreements import factories
from dati.exchange.agreements.models import AccessRequest, AgreementStatus, RequestStatus
from dati.exchange.agreements.services import agreements
from dati.exchange.service import SourceSpec
from tests.agreements.conftest import SECRET

SCHEMAS = {
    factories.POPULATION: (
        "PMLP",
        ["personas_kods", "vards", "uzvards", "dzimsanas_datums", "dzimums", "pasvaldiba"],
    ),
    factories.CADASTRE: (
        "VZD",
        ["kadastra_numurs", "pasvaldiba", "platiba_ha", "lietosanas_merkis", "kadastrala_vertiba"],
    ),
    factories.VEHICLES: (
        "CSDD",
        ["numura_zime", "marka", "izlaiduma_gads", "degviela", "pasvaldiba"],
    ),
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
        schema: dict[str, object] = {
            "fields": [
                {
                    "name": f,
                    "type": "date" if f == "dzimsanas_datums" else "string",
                    "classification": "personal_identifier" if f == "personas_kods" else "open",
                }
                for f in fields
            ],
            "primaryKey": [fields[0]],
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


def test_demo_accesses_find_the_demo_citizen(
    session: Session, system: Actor, demo_resources: None, settings: Settings, tmp_path: Path
) -> None:
    store = exchange_service.store_for(settings)
    path = tmp_path / "people.csv"
    path.write_text(
        "personas_kods,vards,uzvards,dzimsanas_datums,dzimums,pasvaldiba\n"
        "120277-12345,Jānis,Liepa,2016-02-12,V,Rīga\n010101-10006,Anna,Ozola,2001-01-01,S,Jelgava\n",
        encoding="utf-8",
    )
    exchange_service.publish_version(
        session=session,
        actor=system,
        name=factories.POPULATION,
        source=SourceSpec(path=path, name="p.csv"),
        store=store,
    )
    factories.load_demo(session, system, SECRET)
    assert "added" in factories.add_demo_citizen(session, system, store, tmp_path)
    assert "is in the population register" in factories.add_demo_citizen(
        session, system, store, tmp_path
    )
    session.commit()
    lines = factories.load_demo_accesses(session, SECRET, store)
    assert lines == ["audit: VSAA read 2 + 1 + 1 rows under its agreement, one refusal"]
    citizen = Actor(kind=ActorKind.CITIZEN, name="K", user_id=1, personal_code="150385-11116")
    seen = audit_service.my_accesses(session=session, actor=citizen, secret=SECRET)
    assert len(seen) == 2 and {a.recipient_short_name for a in seen} == {"VSAA"}
    assert factories.load_demo_accesses(session, SECRET, store) == [
        "audit: demo accesses already logged"
    ]
    assert verify_chain(session, secret=SECRET).ok
