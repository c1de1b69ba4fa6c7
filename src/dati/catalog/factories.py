"""Demo catalogue, created through the service layer as the system actor.

The base registers (population, enterprises, addresses, cadastre, vehicles) and a few other
named resources come from ``data/demo_catalogue.json`` down to fields and foreign keys.
Every other demo institution gets an information system and a few resources from templates,
described with a deliberately uneven hand (seeded), so the quality pages show a realistic
spread. The nightly URL check then runs once against a simulated network, because the demo
must not reach the internet.
"""

from __future__ import annotations

import json
import random
import zlib
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from dati.auth.actor import Actor
from dati.catalog import distributions, glossary, service, systems, urlcheck
from dati.catalog.models import DataService, GlossaryTerm, InformationSystem, Resource
from dati.catalog.schemas import (
    DataServiceCreate,
    DistributionCreate,
    GlossaryTermCreate,
    GlossaryTermUpdate,
    ResourceCreate,
    SystemCreate,
)
from dati.catalog.vocabularies import DATA_DIR
from dati.orgs.models import Organisation, OrgKind

REACHABLE_HOSTS = {
    "data.gov.lv",
    "dati.ur.gov.lv",
    "api.vzd.gov.lv",
    "data.stat.gov.lv",
    "viss.gov.lv",
    "e.csdd.lv",
    "www.kadastrs.lv",
}

# Rīga's own open data portal describes these; the interoperability demo harvests them, so the
# templates would put each dataset in the catalogue twice.
HARVESTED = {"riga-budzets", "riga-izglitibas-iestades"}


@dataclass
class DemoCounts:
    systems: int = 0
    resources: int = 0
    terms: int = 0
    services: int = 0


def _exists(session: Session, model: Any, name: str) -> bool:
    return session.scalar(select(model.id).where(model.name == name)) is not None


def load_demo(session: Session, actor: Actor) -> DemoCounts:
    """Create the demo catalogue; names that already exist are left alone (safe to re-run)."""
    counts = load_described(session, actor)
    rng = random.Random(2026)  # noqa: S311 - demo variety, not security
    orgs = session.scalars(select(Organisation).order_by(Organisation.short_name)).all()
    for org in orgs:
        made_systems, made_resources = _generic(session, actor, org, rng)
        counts.systems += made_systems
        counts.resources += made_resources
    session.flush()
    if counts.resources:
        with httpx.Client(transport=httpx.MockTransport(_simulated_network)) as client:
            urlcheck.check_urls(session=session, actor=actor, client=client, workers=1)
    return counts


def load_described(session: Session, actor: Actor) -> DemoCounts:
    """The hand-described part of the demo catalogue: glossary, systems, the base registers and
    other named resources, data services (the exchange demo fills these registers with data)."""
    data = json.loads((DATA_DIR / "demo_catalogue.json").read_text(encoding="utf-8"))
    counts = DemoCounts()
    counts.terms = _glossary(session, actor, data["glossary"])
    for item in data["systems"]:
        if not _exists(session, InformationSystem, item["name"]):
            systems.create_system(session=session, actor=actor, data=SystemCreate(**item))
            counts.systems += 1
    for item in data["resources"]:
        counts.resources += _resource(session, actor, dict(item))
    for item in data["data_services"]:
        if not _exists(session, DataService, item["name"]):
            distributions.create_data_service(
                session=session, actor=actor, data=DataServiceCreate(**item)
            )
            counts.services += 1
    return counts


def _glossary(session: Session, actor: Actor, terms: list[dict[str, Any]]) -> int:
    made = 0
    for item in terms:
        if not _exists(session, GlossaryTerm, item["name"]):
            plain = {k: v for k, v in item.items() if k not in ("broader", "related")}
            glossary.create_term(session=session, actor=actor, data=GlossaryTermCreate(**plain))
            made += 1
    for item in terms:  # links once every term exists
        if made and ("broader" in item or "related" in item):
            glossary.update_term(
                session=session,
                actor=actor,
                name=item["name"],
                data=GlossaryTermUpdate(
                    broader=item.get("broader"), related=item.get("related", [])
                ),
            )
    return made


def _resource(session: Session, actor: Actor, item: dict[str, Any]) -> int:
    if _exists(session, Resource, item["name"]):
        return 0
    schema = item.pop("schema", None)
    dists = item.pop("distributions", [])
    resource = service.create_resource(session=session, actor=actor, data=ResourceCreate(**item))
    if schema:
        service.set_table_schema(session=session, actor=actor, name=resource.name, schema=schema)
    for dist in dists:
        distributions.add_distribution(
            session=session, actor=actor, name=resource.name, data=DistributionCreate(**dist)
        )
    return 1


# --- every other institution -----------------------------------------------------------------


def _templates(org: Organisation) -> list[dict[str, Any]]:
    # Municipal datasets are named after the place; an agency's are not named after itself.
    name, short = org.name_lv, org.short_name
    if org.kind is OrgKind.MUNICIPALITY:
        return [
            {"key": "budzets", "title_lv": f"{name}: budžeta izpilde", "title_en": f"{name}: budget execution",
             "themes": ["ECON", "GOVE"], "keywords_lv": ["budžets", "pašvaldība", "izdevumi"], "access_rights": "public",
             "fields": ["gads", "ienemumu_veids", "summa_eur"], "format": "CSV"},
            {"key": "izglitibas-iestades", "title_lv": f"{name}: izglītības iestādes", "title_en": f"{name}: schools and kindergartens",
             "themes": ["EDUC"], "keywords_lv": ["skolas", "bērnudārzi"], "access_rights": "public",
             "fields": ["nosaukums", "adreses_kods", "skolenu_skaits"], "format": "XLSX"},
            {"key": "teritorijas-planojums", "title_lv": f"{name}: teritorijas plānojums", "title_en": f"{name}: spatial plan",
             "themes": ["REGI", "ENVI"], "keywords_lv": ["teritorijas plānojums", "zonējums"], "access_rights": "public",
             "hvd": "c_ac64a52d", "format": "GEOJSON"},
            {"key": "socialie-pabalsti", "title_lv": f"{name}: sociālās palīdzības saņēmēji", "title_en": f"{name}: social assistance recipients",
             "themes": ["SOCI"], "access_rights": "non_public", "personal": True,
             "fields": ["personas_kods", "pabalsta_veids", "summa_eur"]},
        ]  # fmt: skip
    if org.kind is OrgKind.MINISTRY:
        return [
            {"key": "budzeta-izpilde", "title_lv": f"Budžeta programmu izpilde ({short})", "title_en": f"Budget programme execution ({short})",
             "themes": ["ECON", "GOVE"], "keywords_lv": ["budžets", "programmas"], "access_rights": "public",
             "fields": ["gads", "programma", "plans_eur", "izpilde_eur"], "format": "CSV"},
            {"key": "tiesibu-aktu-projekti", "title_lv": f"Izstrādātie tiesību aktu projekti ({short})", "title_en": f"Draft legal acts ({short})",
             "themes": ["JUST", "GOVE"], "keywords_lv": ["tiesību akti", "TAP portāls"], "access_rights": "public", "format": "JSON"},
            {"key": "amatpersonu-atlidziba", "title_lv": f"Amatpersonu atlīdzība ({short})", "title_en": f"Remuneration of officials ({short})",
             "themes": ["GOVE"], "access_rights": "public", "personal": True, "fields": ["amats", "vards_uzvards", "atlidziba_eur"], "format": "PDF"},
        ]  # fmt: skip
    return [
        {"key": "pakalpojumi", "title_lv": f"Sniegtie pakalpojumi ({short})", "title_en": f"Services provided ({short})",
         "themes": ["GOVE"], "keywords_lv": ["pakalpojumi", "e-pakalpojumi"], "access_rights": "public", "format": "CSV",
         "fields": ["pakalpojuma_kods", "nosaukums", "pieprasijumu_skaits"]},
        {"key": "darbibas-statistika", "title_lv": f"Darbības statistika ({short})", "title_en": f"Activity statistics ({short})",
         "themes": ["GOVE", "ECON"], "access_rights": "public", "format": "XLSX"},
        {"key": "klientu-lietas", "title_lv": f"Klientu lietas ({short})", "title_en": f"Client cases ({short})",
         "themes": ["GOVE"], "access_rights": "restricted", "personal": True, "fields": ["lietas_numurs", "personas_kods", "statuss"]},
    ]  # fmt: skip


def _generic(
    session: Session, actor: Actor, org: Organisation, rng: random.Random
) -> tuple[int, int]:
    slug = service.slugify(org.short_name)
    system_name = f"{slug}-is"
    made_systems = made_resources = 0
    if not _exists(session, InformationSystem, system_name):
        systems.create_system(
            session=session,
            actor=actor,
            data=SystemCreate(
                name=system_name,
                owner=org.short_name,
                title_lv=f"{org.name_lv} informācijas sistēma",
                title_en=f"{org.name_en or org.name_lv} information system",
                legal_basis=rng.choice(["", "Valsts informācijas sistēmu likums"]),
            ),
        )
        made_systems = 1
    for template in _templates(org):
        name = f"{slug}-{template['key']}"
        if name in HARVESTED or _exists(session, Resource, name):
            continue
        _generic_resource(session, actor, org, name, system_name, template, rng)
        made_resources += 1
    return made_systems, made_resources


def _generic_resource(
    session: Session,
    actor: Actor,
    org: Organisation,
    name: str,
    system_name: str,
    t: dict[str, Any],
    rng: random.Random,
) -> None:
    care = rng.choice(["thin", "thin", "basic", "basic", "good"])  # how well it is described
    values: dict[str, Any] = {
        "name": name,
        "owner": org.short_name,
        "title_lv": t["title_lv"],
        "access_rights": t["access_rights"],
        "personal_data": t.get("personal", False),
        "system": system_name,
    }
    if care != "thin":
        values |= {
            "description_lv": f"{t['title_lv']}. Dati tiek uzturēti iestādes informācijas sistēmā.",
            "keywords_lv": t.get("keywords_lv", []),
            "themes": t["themes"],
            "contact_email": f"info@{service.slugify(org.short_name)}.gov.lv",
            "licence": "CC_BY_4_0" if t["access_rights"] == "public" else None,
            "issued": f"20{rng.randint(15, 24)}-0{rng.randint(1, 9)}-01",
        }
    if care == "good":
        values |= {
            "title_en": t["title_en"],
            "spatial": org.municipality_code or "LV",
            "temporal_start": "2020-01-01",
            "frequency": rng.choice(["MONTHLY", "ANNUAL", "QUARTERLY"]),
            "modified": "2026-10-01",
            "hvd_category": t.get("hvd"),
            "rights": "Izmantošana, norādot avotu.",
        }
    if org.short_name in {"VSAA"}:
        values["steward"] = "recipient"
    resource = service.create_resource(session=session, actor=actor, data=ResourceCreate(**values))
    if t.get("fields") and care != "thin":
        fields = [
            {
                "name": f,
                "title_lv": f.replace("_", " ").capitalize(),
                "type": "integer" if f.endswith(("skaits", "gads")) else "number" if f.endswith("eur") else "string",
                "classification": "personal_identifier" if f == "personas_kods" else
                "personal_data" if f == "vards_uzvards" else "open",
                "glossaryTerm": "personas-kods" if f == "personas_kods" else
                "adreses-kods" if f == "adreses_kods" else None,
            }
            for f in t["fields"]
        ]  # fmt: skip
        fks = []
        if "personas_kods" in t["fields"]:
            fks.append({"fields": ["personas_kods"], "reference": {"resource": "fizisko-personu-registrs", "fields": ["personas_kods"]}})  # fmt: skip
        if "adreses_kods" in t["fields"]:
            fks.append({"fields": ["adreses_kods"], "reference": {"resource": "valsts-adresu-registrs", "fields": ["adreses_kods"]}})  # fmt: skip
        service.set_table_schema(
            session=session,
            actor=actor,
            name=resource.name,
            schema={"fields": fields, "foreignKeys": fks},
        )
    if t.get("format") and care != "thin" and t["access_rights"] == "public":
        fmt = t["format"]
        host = "data.gov.lv" if care == "good" else f"www.{service.slugify(org.short_name)}.lv"
        distributions.add_distribution(
            session=session,
            actor=actor,
            name=resource.name,
            data=DistributionCreate(
                access_url=f"https://{host}/dati/{name}",
                download_url=f"https://{host}/dati/{name}.{fmt.lower()}" if care == "good" else None,
                format=fmt,
                media_type={"CSV": "text/csv", "JSON": "application/json", "PDF": "application/pdf"}.get(fmt)
                if care == "good" else None,
                byte_size=rng.randint(10_000, 5_000_000) if care == "good" else None,
            ),
        )  # fmt: skip


def _simulated_network(request: httpx.Request) -> httpx.Response:
    """The demo's stand-in for the internet: national portals answer, some sites do not."""
    host = request.url.host
    if host in REACHABLE_HOSTS:
        return httpx.Response(200)
    # Institutions' own sites: most answer, a stable few are broken or gone.
    bucket = zlib.crc32(str(request.url).encode()) % 10
    if bucket < 6:
        return httpx.Response(200)
    if bucket < 8:
        return httpx.Response(404)
    raise httpx.ConnectTimeout("simulated timeout", request=request)
