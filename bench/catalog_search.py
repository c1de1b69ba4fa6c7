"""Catalogue search at 100 000 resources: dati's own index (search and faceted listing)
against the engine's own full-text search over the same rows (SQLite FTS5, PostgreSQL
tsvector + GIN). Targets: search p95 <= 50 ms, faceted listing p95 <= 100 ms.

    python -m bench catalog_search                 # SQLite in a temporary directory
    DATI_BENCH_DATABASE_URL=postgresql://... python -m bench catalog_search
    DATI_BENCH_RESOURCES=20000 python -m bench catalog_search
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from bench.common import p95, summary, timed
from dati.auth.actor import Actor
from dati.catalog import indexer
from dati.catalog.models import (
    AccessRights,
    Distribution,
    FacetValue,
    Resource,
    ResourceField,
    SearchDocument,
    SearchPosting,
)
from dati.catalog.search import SearchQuery, Sort, search_resources
from dati.db import migrate
from dati.db.database import Database
from dati.orgs import factories as orgs_factories
from dati.orgs.models import Organisation

SUBJECTS = [
    ("Uzņēmumu", "enterprises"),
    ("Adrešu", "addresses"),
    ("Nekustamā īpašuma", "real estate"),
    ("Transportlīdzekļu", "vehicles"),
    ("Iedzīvotāju", "residents"),
    ("Skolu", "schools"),
    ("Slimnīcu", "hospitals"),
    ("Ceļu", "roads"),
    ("Mežu", "forests"),
    ("Ūdens kvalitātes", "water quality"),
    ("Budžeta izpildes", "budget execution"),
    ("Nodokļu", "tax"),
    ("Būvju", "buildings"),
    ("Zemes vienību", "land parcels"),
    ("Teritorijas plānojuma", "spatial plan"),
    ("Sabiedriskā transporta", "public transport"),
    ("Gaisa kvalitātes", "air quality"),
    ("Atkritumu", "waste"),
    ("Enerģijas patēriņa", "energy use"),
    ("Bezdarba", "unemployment"),
    ("Pabalstu", "benefits"),
    ("Licenču", "licences"),
    ("Atļauju", "permits"),
    ("Iepirkumu", "procurement"),
    ("Kultūras pieminekļu", "cultural monuments"),
    ("Bibliotēku", "libraries"),
    ("Sporta būvju", "sports facilities"),
    ("Dzīvnieku", "animals"),
    ("Lauku bloku", "field blocks"),
    ("Zivju resursu", "fish stocks"),
]
KINDS = [
    ("reģistrs", "register"),
    ("saraksts", "list"),
    ("dati", "data"),
    ("statistika", "statistics"),
    ("pārskats", "report"),
    ("karte", "map"),
    ("klasifikators", "classification"),
    ("datubāze", "database"),
]
WORDS = [
    "ziņas",
    "par",
    "objektiem",
    "un",
    "to",
    "stāvokli",
    "valsts",
    "pašvaldību",
    "iestāžu",
    "uzskaite",
    "datu",
    "kopa",
    "ietver",
    "informāciju",
    "adrese",
    "kods",
    "nosaukums",
    "datums",
    "gads",
    "mēnesis",
    "teritorija",
    "novads",
    "pilsēta",
    "pagasts",
    "iedzīvotāji",
    "personas",
    "uzņēmumi",
    "komersanti",
    "īpašumi",
    "būves",
    "zeme",
    "transportlīdzekļi",
    "reģistrācija",
    "izmaiņas",
    "vēsture",
    "statuss",
    "veids",
    "kategorija",
    "apjoms",
    "summa",
    "skaits",
    "rādītāji",
    "aprēķins",
    "metodika",
    "atjaunināšana",
    "publicēšana",
    "pieejamība",
    "licence",
    "tiesību",
    "akti",
    "normatīvi",
    "kontrole",
    "uzraudzība",
    "pakalpojumi",
    "pieteikumi",
    "lēmumi",
    "atļaujas",
    "licences",
    "sertifikāti",
    "pārbaudes",
    "sodi",
    "pārkāpumi",
    "līgumi",
    "iepirkumi",
    "piegādātāji",
    "maksājumi",
    "ieņēmumi",
    "izdevumi",
    "budžets",
    "finansējums",
    "dotācijas",
    "skolēni",
    "skolotāji",
    "studenti",
    "izglītības",
    "iestādes",
    "bērnudārzi",
    "slimnīcas",
    "ārsti",
    "pacienti",
    "medikamenti",
    "vakcinācija",
    "saslimstība",
    "mirstība",
    "dzimstība",
    "laulības",
    "migrācija",
    "pilsonība",
    "valoda",
    "tautība",
    "vecums",
    "dzimums",
    "nodarbinātība",
    "bezdarbs",
    "algas",
    "pensijas",
    "pabalsti",
    "nodokļi",
    "muita",
    "eksports",
    "imports",
    "tirdzniecība",
    "rūpniecība",
    "lauksaimniecība",
    "mežsaimniecība",
    "zvejniecība",
    "enerģētika",
    "elektroenerģija",
    "siltumapgāde",
    "ūdensapgāde",
    "kanalizācija",
    "atkritumi",
    "emisijas",
    "piesārņojums",
    "gaiss",
    "ūdens",
    "augsne",
    "klimats",
    "laikapstākļi",
    "nokrišņi",
    "temperatūra",
    "vējš",
    "upes",
    "ezeri",
    "jūra",
    "krasts",
    "aizsargājamās",
    "teritorijas",
    "dabas",
    "parki",
    "meži",
    "purvi",
    "pļavas",
    "sugas",
    "dzīvnieki",
    "putni",
    "zivis",
    "medības",
    "ceļi",
    "ielas",
    "tilti",
    "dzelzceļš",
    "ostas",
    "lidostas",
    "autobusi",
    "maršruti",
    "pieturas",
    "satiksme",
    "negadījumi",
    "drošība",
    "policija",
    "ugunsdzēsība",
    "glābšana",
    "tiesas",
    "prokuratūra",
    "cietumi",
    "notāri",
    "advokāti",
    "mantojums",
    "zemesgrāmata",
    "hipotēkas",
    "kadastrs",
    "robežas",
    "plāni",
    "kartes",
    "ortofoto",
    "augstums",
    "reljefs",
    "ēkas",
    "dzīvokļi",
    "telpas",
    "platība",
    "vērtība",
    "cena",
    "tirgus",
    "darījumi",
    "noma",
    "īre",
    "kultūra",
    "muzeji",
    "bibliotēkas",
    "teātri",
    "koncerti",
    "sports",
    "sacensības",
    "tūrisms",
    "viesnīcas",
    "digitalizācija",
    "sistēmas",
    "reģistri",
    "klasifikatori",
    "standarti",
    "saskarnes",
    "dokumenti",
    "arhīvs",
]
FIELD_NAMES = [
    "id",
    "kods",
    "nosaukums",
    "adrese",
    "datums",
    "gads",
    "summa",
    "skaits",
    "statuss",
    "veids",
    "personas_kods",
    "registracijas_numurs",
    "novads",
    "pagasts",
    "kadastra_apzimejums",
    "platiba",
    "vertiba",
    "apraksts",
    "kategorija",
    "numurs",
    "vards",
    "uzvards",
    "dzimsanas_datums",
    "iela",
    "maja",
    "dzivoklis",
    "pasta_indekss",
    "telefons",
    "e_pasts",
    "izveidots",
    "mainits",
    "derigs_lidz",
    "izsniegts",
    "izsniedzejs",
    "valsts",
    "valoda",
    "marka",
    "modelis",
    "izlaiduma_gads",
    "dzinejs",
    "krasa",
    "masa",
    "sedvietas",
    "vin_kods",
    "numura_zime",
    "ipasnieks",
    "turetajs",
    "apdrosinasana",
    "tehniska_apskate",
    "nobraukums",
    "zemes_vieniba",
    "buve",
    "telpu_grupa",
    "lietosanas_merkis",
    "kadastra_vertiba",
    "nodoklis",
    "atlaide",
    "pamatkapitals",
    "dalibnieks",
    "amatpersona",
    "nace_kods",
    "darbinieku_skaits",
    "apgrozijums",
]
WORD_WEIGHTS = [1 / (rank + 1) for rank in range(len(WORDS))]
FIELD_WEIGHTS = [1 / (rank + 1) ** 0.7 for rank in range(len(FIELD_NAMES))]
FORMATS = ["CSV", "JSON", "XLSX", "XML", "PDF", "GEOJSON", "SHP", "HTML"]
LICENCES = ["CC_BY_4_0", "CC0", "CC_BYSA_4_0", None]
QUERIES = [
    "uznemumu registrs",
    "adrešu reģistra",
    "nekustamā īpašuma dati",
    "transportlīdzekļu",
    "skolu saraksts",
    "budžeta izpilde",
    "gaisa kvalitātes karte",
    "personas kods",
    "vehicles register",
    "reģistrs",
    "dati",
    "statistika 2023",
    "mežu",
    "bezdarba statistika",
    "public transport",
    "kultūras pieminekļi",
    "atkritumu pārskats",
    "zemes vienību kadastra",
    "iepirkumu",
    "ūdens kvalitāte",
    "lauku bloku karte",
    "licenču saraksts",
]


def generate(session: Session, count: int, seed: int = 7) -> None:
    """Insert ``count`` synthetic resources with fields and distributions, then index them."""
    rng = random.Random(seed)
    orgs = list(session.scalars(select(Organisation)))
    started = time.perf_counter()
    batch = 2000
    for start in range(0, count, batch):
        rows, fields, dists, objects = [], [], [], []
        for n in range(start, min(start + batch, count)):
            subject, kind = rng.choice(SUBJECTS), rng.choice(KINDS)
            year = rng.choice(["", f" {rng.randint(2005, 2025)}"])
            org = rng.choice(orgs)
            title_lv = f"{subject[0]} {kind[0]}{year}"
            description = " ".join(rng.choices(WORDS, WORD_WEIGHTS, k=rng.randint(8, 30)))
            themes = rng.sample(
                ["ECON", "GOVE", "SOCI", "REGI", "TRAN", "ENVI", "EDUC", "HEAL"], rng.randint(0, 2)
            )
            row = {
                "id": n + 1,
                "name": f"resurss-{n + 1}",
                "title_lv": title_lv,
                "title_en": f"{subject[1].capitalize()} {kind[1]}{year}"
                if rng.random() < 0.6
                else "",
                "description_lv": description,
                "description_en": "",
                "owner_org_id": org.id,
                "publisher_org_id": org.id,
                "keywords_lv": list(set(rng.choices(WORDS, WORD_WEIGHTS, k=rng.randint(0, 4)))),
                "keywords_en": [],
                "themes": themes,
                "access_rights": rng.choice(list(AccessRights)),
                "licence": rng.choice(LICENCES),
                "hvd_category": rng.choice([None] * 9 + ["c_ac64a52d"]),
                "personal_data": rng.random() < 0.3,
                "primary_key": [],
                "foreign_keys": [],
                "legal_basis": "",
                "quality_score": rng.randint(0, 405),
                "completeness": rng.randint(0, 100),
                "modified": date(2020 + rng.randint(0, 5), rng.randint(1, 12), 1),
            }
            rows.append(row)
            resource = Resource(**{k: v for k, v in row.items() if k != "id"})
            resource.id = row["id"]
            resource.owner = org
            chosen = list(
                dict.fromkeys(rng.choices(FIELD_NAMES, FIELD_WEIGHTS, k=rng.randint(3, 14)))
            )
            resource.fields = [ResourceField(name=f, title_lv=f.replace("_", " ")) for f in chosen]
            fields += [
                {
                    "resource_id": n + 1,
                    "position": i,
                    "name": f,
                    "type": "string",
                    "title_lv": f.replace("_", " "),
                    "title_en": "",
                    "description": "",
                    "constraints": {},
                    "classification": "open",
                }
                for i, f in enumerate(chosen, start=1)
            ]
            formats = rng.sample(FORMATS, rng.randint(0, 3))
            resource.distributions = [
                Distribution(format=f, access_url="https://example.lv") for f in formats
            ]
            dists += [
                {
                    "resource_id": n + 1,
                    "access_url": f"https://dati.example.lv/{n + 1}",
                    "format": f,
                    "title_lv": "",
                    "title_en": "",
                    "description": "",
                }
                for f in formats
            ]
            objects.append(resource)
        session.execute(insert(Resource), rows)
        session.execute(insert(ResourceField), fields)
        if dists:
            session.execute(insert(Distribution), dists)
        _index_transient(session, objects)
        session.commit()
        for obj in objects:
            session.expunge(obj) if obj in session else None
    print(f"generated {count} resources in {time.perf_counter() - started:.0f} s")


def _index_transient(session: Session, resources: list[Resource]) -> None:
    """What indexer.index_resources writes, for objects built in memory (no ORM round trips)."""
    postings, facets, documents = [], [], []
    terms = [indexer.document_terms(r) for r in resources]
    avgdl = sum(sum(tf.values()) for tf in terms) / max(len(terms), 1)
    for r, tf in zip(resources, terms, strict=True):
        postings += [
            {"term": t, "resource_id": r.id, "impact": w}
            for t, w in indexer.impacts(tf, avgdl).items()
        ]
        facets += [
            {"resource_id": r.id, "facet": f, "value": v} for f, v in indexer.facet_values(r)
        ]
        documents.append(indexer.document_row(r, float(sum(tf.values()))))
    session.execute(insert(SearchPosting), postings)
    session.execute(insert(FacetValue), facets)
    session.execute(insert(SearchDocument), documents)
    indexer.adjust_stats(session, len(documents), sum(d["length"] for d in documents))
    indexer.log_change(session, [r.id for r in resources])


def build_engine_fts(session: Session, dialect: str) -> None:
    """The peer: the database's own full-text index over the same texts."""
    started = time.perf_counter()
    if dialect == "sqlite":
        session.execute(
            text(
                "CREATE VIRTUAL TABLE fts USING fts5(title_lv, title_en, description_lv, keywords, "
                "tokenize = 'unicode61 remove_diacritics 2')"
            )
        )
        session.execute(
            text(
                "INSERT INTO fts(rowid, title_lv, title_en, description_lv, keywords) "
                "SELECT id, title_lv, title_en, description_lv, keywords_lv FROM catalog_resource"
            )
        )
    else:
        session.execute(
            text(
                "ALTER TABLE catalog_resource ADD COLUMN fts tsvector GENERATED ALWAYS AS ("
                "to_tsvector('simple', title_lv || ' ' || title_en || ' ' || description_lv || ' ' "
                "|| keywords_lv::text)) STORED"
            )
        )
        session.execute(text("CREATE INDEX ix_fts ON catalog_resource USING gin (fts)"))
    session.commit()
    print(f"built the engine's full-text index in {time.perf_counter() - started:.1f} s")


def engine_search(session: Session, dialect: str, q: str) -> None:
    words = [w for w in q.split() if w]
    if dialect == "sqlite":
        match = " ".join(f'"{w}"' for w in words)
        session.execute(
            text("SELECT rowid FROM fts WHERE fts MATCH :m ORDER BY bm25(fts) LIMIT 20"),
            {"m": match},
        ).all()
        session.execute(text("SELECT count(*) FROM fts WHERE fts MATCH :m"), {"m": match}).scalar()
    else:
        query = " & ".join(words)
        session.execute(
            text(
                "SELECT id FROM catalog_resource WHERE fts @@ to_tsquery('simple', :q) "
                "ORDER BY ts_rank(fts, to_tsquery('simple', :q)) DESC LIMIT 20"
            ),
            {"q": query},
        ).all()
        session.execute(
            text("SELECT count(*) FROM catalog_resource WHERE fts @@ to_tsquery('simple', :q)"),
            {"q": query},
        ).scalar()


LISTINGS = [
    {},
    {"theme": ["ECON"]},
    {"access": ["public"]},
    {"org": ["VZD"]},
    {"theme": ["REGI"], "format": ["CSV"]},
    {"personal": ["no"], "licence": ["CC_BY_4_0"]},
    {"hvd": ["c_ac64a52d"]},
]


def run(database: Database, count: int) -> None:
    dialect = database.dialect
    actor = Actor.anonymous()
    with database.new_session() as session:
        existing = session.scalar(select(func.count()).select_from(Resource)) or 0
    if existing:
        print(f"reusing {existing} generated resources (DATI_BENCH_KEEP)")
        count = existing
    else:
        with database.session() as session:
            orgs_factories.load_demo(session, Actor.system("bench"))
    with database.new_session() as session:
        if not existing:
            generate(session, count)
            build_engine_fts(session, dialect)
        if dialect == "postgresql":
            session.execute(text("ANALYZE"))
            session.commit()

        from dati.catalog import engine

        session.info.pop(indexer.DIRTY, None)
        started = time.perf_counter()
        engine.ENGINE.reset()
        engine.ENGINE.snapshot(session)
        cold = time.perf_counter() - started

        def ours(q: str, filters: dict | None = None, facets: bool = False) -> None:
            search_resources(
                session=session,
                actor=actor,
                query=SearchQuery(
                    q=q,
                    filters=filters or {},
                    facets=facets,
                    sort=Sort.RELEVANCE if q else Sort.TITLE,
                ),
            )

        for q in QUERIES:  # warm caches
            ours(q)
        search = [s for q in QUERIES for s in timed(lambda q=q: ours(q), 5)]
        peer = [
            s for q in QUERIES for s in timed(lambda q=q: engine_search(session, dialect, q), 5)
        ]
        listing = [s for f in LISTINGS for s in timed(lambda f=f: ours("", f, facets=True), 5)]
        q_listing = [
            s
            for q in QUERIES[:8]
            for s in timed(lambda q=q: ours(q, {"access": ["public"]}, facets=True), 5)
        ]
        print(f"{dialect}, {count} resources")
        print(f"  cold start (load the index into a process): {cold:.2f} s")
        print(f"  search (ranked top 20 + total):       {summary(search)}  target p95 <= 50 ms")
        print(f"  engine full-text, same queries:       {summary(peer)}")
        print(f"  ratio (p95 ours / engine):            {p95(search) / p95(peer):.2f}")
        print(f"  faceted listing (7 facets, page 1):   {summary(listing)}  target p95 <= 100 ms")
        print(f"  search + filter + facets:             {summary(q_listing)}")
        slowest = sorted(((max(timed(lambda q=q: ours(q), 3)), q) for q in QUERIES), reverse=True)[
            :3
        ]
        print("  slowest searches: " + ", ".join(f"{q!r} {t * 1000:.1f} ms" for t, q in slowest))


def _postgres(url: str, fresh: bool) -> str:
    """The benchmark's own database on the given server (dropped and created when fresh)."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = 'dati_bench_catalog'"))
        if fresh or not exists:
            conn.execute(text('DROP DATABASE IF EXISTS "dati_bench_catalog" WITH (FORCE)'))
            conn.execute(text('CREATE DATABASE "dati_bench_catalog"'))
    admin.dispose()
    return make_url(url).set(database="dati_bench_catalog").render_as_string(hide_password=False)


def main() -> None:
    count = int(os.environ.get("DATI_BENCH_RESOURCES", "100000"))
    url = os.environ.get("DATI_BENCH_DATABASE_URL")
    # DATI_BENCH_KEEP=1 keeps the generated rows (SQLite in /tmp, or the PostgreSQL database)
    # and reuses them next time, because generating 100 000 resources takes minutes.
    keep = bool(os.environ.get("DATI_BENCH_KEEP"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tempfile.gettempdir()) if keep else Path(tmp)
        if url is None:
            url = f"sqlite:///{folder / 'dati-bench-catalog.sqlite3'}"
        else:
            url = _postgres(url, fresh=not keep)
        migrate.upgrade(url)
        database = Database(url)
        try:
            run(database, count)
        finally:
            database.dispose()
