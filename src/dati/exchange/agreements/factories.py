"""Demo agreements between demo institutions, and reads under them, made through the service
layer.

- VSAA receives PMLP's population register for benefits paid in Rīga: signed by both, in force,
  limited to Rīga's residents; VSAA's API reads it (audited, including the demo citizen's record).
- VZD's cadastre for VSAA's means testing: signed by VZD, awaiting VSAA's signature.
- Rīga asks CSDD for vehicle data: submitted, awaiting the CSDD steward's review.
- The University of Latvia asked for the population register: rejected, with the reason.

Signatures are made by the demo users who hold the signatory role, so the demo shows real
names; everything else runs as the system actor. Running it twice changes nothing.
"""

from __future__ import annotations

import contextlib
import csv
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dati import clock
from dati.audit.models import AuditEntry
from dati.auth import service as auth_service
from dati.auth.actor import Actor
from dati.auth.factories import DEMO_CITIZEN_CODE
from dati.auth.models import User
from dati.catalog import service as catalog_service
from dati.errors import NotFound
from dati.exchange import factories as exchange_factories
from dati.exchange import governed
from dati.exchange import service as exchange_service
from dati.exchange.agreements.models import AccessRequest, Agreement
from dati.exchange.agreements.schemas import AccessRequestCreate, RowCondition, Terms
from dati.exchange.agreements.services import agreements, keys, requests
from dati.exchange.agreements.services.access import AccessDenied
from dati.exchange.service import SourceSpec
from dati.exchange.storage import DatasetStore
from dati.orgs import service as orgs_service

# The catalogue's registers, which the exchange demo fills with synthetic records.
POPULATION = exchange_factories.POPULATION
CADASTRE = exchange_factories.CADASTRE
VEHICLES = exchange_factories.VEHICLES
KEY_HOLDERS = ("PMLP", "VSAA", "VZD", "CSDD", "riga", "LU")


@dataclass(frozen=True)
class DemoRequest:
    resource: str
    org: str
    fields: tuple[str, ...]
    purpose: str
    legal_basis: str
    requests_per_day: int
    rows_per_day: int


VSAA_POPULATION = DemoRequest(
    POPULATION,
    "VSAA",
    ("personas_kods", "vards", "uzvards", "dzimsanas_datums", "dzimums", "pasvaldiba"),
    "Valsts sociālo pabalstu piešķiršana un izmaksa Rīgas valstspilsētas iedzīvotājiem "
    "(izmēģinājuma projekts ar Rīgas sociālo dienestu)",
    "Likums “Par valsts sociālajiem pabalstiem”, 2. un 7. pants; "
    "Fizisko personu reģistra likums, 12. pants",
    5000,
    200000,
)
VSAA_CADASTRE = DemoRequest(
    CADASTRE,
    "VSAA",
    ("kadastra_numurs", "pasvaldiba", "platiba_ha", "lietosanas_merkis", "kadastrala_vertiba"),
    "Trūcīgas personas statusa izvērtēšana: nekustamā īpašuma esības pārbaude",
    "Sociālo pakalpojumu un sociālās palīdzības likums, 33. pants",
    1000,
    50000,
)
RIGA_VEHICLES = DemoRequest(
    VEHICLES,
    "riga",
    ("numura_zime", "marka", "izlaiduma_gads", "degviela", "pasvaldiba"),
    "Transportlīdzekļu nodokļa atvieglojumu plānošana un zemo izmešu zonas ietekmes novērtējums",
    "Likums “Par pašvaldībām”, 4. pants; Autoceļu lietošanas nodevas likums",
    200,
    100000,
)
LU_POPULATION = DemoRequest(
    POPULATION,
    "LU",
    ("personas_kods", "dzimsanas_datums", "pasvaldiba"),
    "Pētījums par iekšējo migrāciju Latvijā 2000.–2025. gadā",
    "Zinātniskās darbības likums, 3. pants",
    100,
    20000,
)


def _user(session: Session, username: str) -> Actor | None:
    user = session.scalars(select(User).where(User.username == username)).first()
    return auth_service.actor_for_user(user) if user else None


def _submit(session: Session, actor: Actor, demo: DemoRequest, secret: str) -> AccessRequest:
    today = clock.today()
    data = AccessRequestCreate(
        resource=demo.resource,
        org=demo.org,
        fields=list(demo.fields),
        purpose=demo.purpose,
        legal_basis=demo.legal_basis,
        valid_from=today - timedelta(days=30),
        valid_until=today + timedelta(days=730),
        requests_per_day=demo.requests_per_day,
        rows_per_day=demo.rows_per_day,
    )
    return requests.submit_request(session=session, actor=actor, data=data, secret=secret)


def _sign(session: Session, signer: Actor, agreement: Agreement, secret: str) -> Agreement:
    return agreements.sign_agreement(
        session=session,
        actor=signer,
        number=agreement.number,
        version=agreement.version,
        document_sha256=agreement.document_sha256,
        secret=secret,
    )


def load_demo(session: Session, actor: Actor, secret: str) -> list[str]:
    """Create the demo keys, requests and agreements; report lines for `dati demo`."""
    for name in (POPULATION, CADASTRE, VEHICLES):
        try:
            catalog_service.find_resource(session, name)
        except NotFound:
            return [f"agreements: skipped, the demo resource {name} is not in the catalogue"]
    if session.scalar(select(AccessRequest.id).limit(1)) is not None:
        return ["agreements: already loaded"]
    for org in KEY_HOLDERS:
        if keys.active_key(session, _org_id(session, org)) is None:
            keys.create_signing_key(session=session, actor=actor, org=org, secret=secret)
    signer = _user(session, "signatory") or actor
    steward = _user(session, "steward") or actor

    population = _submit(session, actor, VSAA_POPULATION, secret)
    in_force = requests.approve_request(
        session=session,
        actor=steward,
        number=population.number,
        terms=Terms(
            fields=[f for f in VSAA_POPULATION.fields if f != "dzimums"],
            row_conditions=[RowCondition(field="pasvaldiba", op="eq", values=["Rīga"])],
            retention_days=1825,
            note="Piešķirts bez dzimuma; tikai Rīgas iedzīvotāju ieraksti.",
        ),
        secret=secret,
    )
    _sign(session, signer, in_force, secret)
    _sign(session, signer, in_force, secret)  # the demo signatory also signs for VSAA

    cadastre = _submit(session, actor, VSAA_CADASTRE, secret)
    pending = requests.approve_request(
        session=session,
        actor=steward,
        number=cadastre.number,
        terms=Terms(
            fields=list(VSAA_CADASTRE.fields),
            pseudonymised_fields=["kadastra_numurs"],
            rows_per_day=20000,
        ),
        secret=secret,
    )
    _sign(session, signer, pending, secret)

    _submit(session, actor, RIGA_VEHICLES, secret)
    research = _submit(session, actor, LU_POPULATION, secret)
    requests.reject_request(
        session=session,
        actor=steward,
        number=research.number,
        reason="Pētījumam personas kodi nav nepieciešami; lūdzam izmantot depersonalizēto "
        "iedzīvotāju kopu vai pieprasīt datus drošajā apstrādes vidē.",
        secret=secret,
    )
    return [
        f"agreements: {in_force.number} in force (VSAA ← PMLP), {pending.number} awaiting "
        "VSAA's signature, 1 request awaiting review, 1 rejected"
    ]


# The demo citizen (the one who logs in) lives in Rīga, so VSAA's reads find them.
DEMO_CITIZEN: dict[str, object] = {
    "personas_kods": DEMO_CITIZEN_CODE,
    "vards": "Kristaps",
    "uzvards": "Kalējs",
    "dzimsanas_datums": "1985-03-15",
    "dzimums": "V",
    "pilsoniba": "LVA",
    "deklaretas_adreses_kods": exchange_factories.DEMO_HOME["adreses_kods"],
    "pasvaldiba": exchange_factories.DEMO_HOME["pasvaldiba"],
    "statuss": "aktīvs",
}


def add_demo_citizen(session: Session, actor: Actor, store: DatasetStore, work_dir: Path) -> str:
    """Put the demo citizen into the synthetic population register (an upsert by key)."""
    current = exchange_service.current_version(session, _resource_id(session, POPULATION))
    if current is None:
        return "agreements: no population data to add the demo citizen to"
    code = DEMO_CITIZEN_CODE
    dataset = exchange_service.open_version(session, POPULATION, store)
    if exchange_service.reader().lookup(dataset.path, dataset.schema, [code]) is not None:
        return "agreements: the demo citizen is in the population register"
    path = work_dir / "demo-citizen.csv"
    columns = [f["name"] for f in current.table_schema["fields"]]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, columns, extrasaction="ignore")  # what the schema describes
        writer.writeheader()
        writer.writerow(DEMO_CITIZEN)
    try:
        exchange_service.publish_version(
            session=session,
            actor=actor,
            name=POPULATION,
            source=SourceSpec(path=path, name=path.name),
            store=store,
            mode="upsert",
        )
    finally:
        path.unlink(missing_ok=True)
    return "agreements: the demo citizen 150385-11116 added to the population register"


def load_demo_accesses(session: Session, secret: str, store: DatasetStore) -> list[str]:
    """VSAA's API consumer reads under its agreement: a page of Rīga's residents, the demo
    citizen's record by key, an export of children born since 2015 and one refused request.
    Each is logged in the audit chain (the caller committed the agreements first, because
    logging a read opens a transaction of its own)."""
    reader = _user(session, "recipient")
    if (
        reader is None
        or exchange_service.current_version(session, _resource_id(session, POPULATION)) is None
    ):
        return []
    if session.scalar(select(AuditEntry.id).where(AuditEntry.action == "data.read").limit(1)):
        return ["audit: demo accesses already logged"]

    def plan(**params: Any) -> governed.Read:
        return governed.plan_read(
            session=session, actor=reader, name=POPULATION, store=store, secret=secret, **params
        )

    page = plan(fields="personas_kods,vards,uzvards,pasvaldiba", limit=50)
    served = governed.serve_page(page, exchange_service.read_page(page.dataset, page.query))
    code = DEMO_CITIZEN_CODE
    lookup = governed.plan_lookup(
        session=session, actor=reader, name=POPULATION, store=store, secret=secret, key=[code]
    )
    found = exchange_service.reader().lookup(
        lookup.dataset.path, lookup.dataset.schema, [code], lookup.query.fields
    )
    governed.serve_row(lookup, [code], found)
    export = plan(filters=[("dzimsanas_datums__gte", "2015-01-01")], limit=None)
    _schema, batches = governed.export_batches(export)
    exported = sum(batch.num_rows for batch in batches)
    with contextlib.suppress(AccessDenied):  # logged as a refusal: the agreement leaves out sex
        plan(fields="dzimums")
    return [
        f"audit: VSAA read {len(served)} + 1 + {exported} rows under its agreement, one refusal"
    ]


def _resource_id(session: Session, name: str) -> int:
    return catalog_service.find_resource(session, name).id


def _org_id(session: Session, short_name: str) -> int:
    org = orgs_service.find_by_short_name(session, short_name)
    if org is None:
        raise NotFound(short_name)
    return org.id
