"""Latvian-aware search: folding, stemming, BM25 ranking, facets, sorting."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from dati.auth.actor import Actor
from dati.catalog import distributions, glossary, service, stemmer
from dati.catalog.models import Resource
from dati.catalog.schemas import DistributionCreate, GlossaryTermCreate
from dati.catalog.search import SearchQuery, Sort, search_resources
from tests.catalog.conftest import MakeResource

ANYONE = Actor.anonymous()


@pytest.fixture
def registers(make_resource: MakeResource, session: Session, system: Actor) -> dict[str, Resource]:
    made = {
        "ur": make_resource(
            "Uzņēmumu reģistrs",
            owner="UR",
            title_en="Register of Enterprises",
            themes=["ECON"],
            description_lv="Ziņas par komersantiem un to amatpersonām.",
        ),
        "adreses": make_resource(
            "Valsts adrešu reģistrs",
            owner="VZD",
            title_en="State Address Register",
            themes=["REGI"],
            description_lv="Adresācijas objekti un to adreses.",
        ),
        "personas": make_resource(
            "Fizisko personu reģistrs",
            owner="PMLP",
            title_en="Population Register",
            themes=["SOCI"],
            access_rights="restricted",
            description_lv="Ziņas par iedzīvotājiem, arī deklarētā adrese.",
        ),
        "kadastrs": make_resource(
            "Nekustamā īpašuma valsts kadastrs",
            owner="VZD",
            title_en="State Real Estate Cadastre",
            themes=["REGI", "ECON"],
        ),
        "csdd": make_resource(
            "Transportlīdzekļu reģistrs",
            owner="CSDD",
            title_en="Vehicle Register",
            themes=["TRAN"],
            keywords_lv=["automašīnas"],
        ),
        "budzets": make_resource(
            "Pašvaldību budžeti",
            owner="riga",
            themes=["ECON"],
            description_lv="Budžeta izpilde; nav reģistrs.",
        ),
    }
    service.set_table_schema(
        session=session,
        actor=system,
        name=made["personas"].name,
        schema={
            "fields": [
                {
                    "name": "personas_kods",
                    "title": "Personas kods",
                    "classification": "personal_identifier",
                },
                {"name": "majsaimnieciba", "title": "Mājsaimniecības numurs"},
            ]
        },
    )
    distributions.add_distribution(
        session=session,
        actor=system,
        name=made["ur"].name,
        data=DistributionCreate(access_url="https://dati.ur.gov.lv/register/", format="csv"),
    )
    return made


def names(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.name for r in result.resources]


def find(session: Session, q: str = "", **kw) -> object:  # type: ignore[no-untyped-def]
    return search_resources(session=session, actor=ANYONE, query=SearchQuery(q=q, **kw))


def test_without_diacritics_and_in_any_case(session: Session, registers: dict) -> None:
    for q in ("uznemumu registrs", "Uzņēmumu reģistrs", "UZŅĒMUMU REĢISTRS", "uzņemumu registra"):
        result = find(session, q)
        assert names(result)[0] == registers["ur"].name, q


@pytest.mark.parametrize("word", ["reģistra", "reģistru", "reģistrs", "reģistram", "registrus"])
def test_inflected_forms_match_the_same_resources(
    session: Session, registers: dict, word: str
) -> None:
    assert set(names(find(session, word))) == {
        registers[k].name for k in ("ur", "adreses", "personas", "csdd", "budzets")
    }


def test_adresu_registra_finds_the_address_register_first(
    session: Session, registers: dict
) -> None:
    result = find(session, "adrešu reģistra")
    assert names(result)[0] == registers["adreses"].name
    # the population register mentions an address only in its description: found, ranked lower
    assert registers["personas"].name in names(result)
    assert result.scores[registers["adreses"].id] > result.scores[registers["personas"].id]


def test_english_titles_field_names_and_glossary_terms(
    session: Session, system: Actor, registers: dict
) -> None:
    assert names(find(session, "vehicle registers")) == [registers["csdd"].name]
    assert names(find(session, "cadastre")) == [registers["kadastrs"].name]
    assert names(find(session, "personas kods")) == [registers["personas"].name]
    assert names(find(session, "automasinas")) == [registers["csdd"].name]
    term = glossary.create_term(
        session=session,
        actor=system,
        data=GlossaryTermCreate(
            term_lv="Privātā mājsaimniecība",
            term_en="Private household",
            definition_lv="Persona vai personu grupa, kas dzīvo kopā un kopīgi sedz izdevumus.",
        ),
    )
    schema = service.table_schema(session, registers["personas"])
    schema["fields"][1]["glossaryTerm"] = term.name
    service.set_table_schema(
        session=session, actor=system, name=registers["personas"].name, schema=schema
    )
    assert names(find(session, "private households")) == [registers["personas"].name]
    assert names(find(session, "privātās")) == [registers["personas"].name]


def test_all_words_must_match(session: Session, registers: dict) -> None:
    assert names(find(session, "uzņēmumu kadastrs")) == []
    assert names(find(session, "neeksistējošs")) == []


def test_facets_filter_and_count(session: Session, registers: dict) -> None:
    result = find(session, "reģistrs")
    facets = dict(result.facets["org"])
    assert facets["VZD"] == 1 and facets["UR"] == 1 and "riga" in facets
    assert dict(result.facets["access"]) == {"public": 4, "restricted": 1}
    assert dict(result.facets["format"]) == {"CSV": 1}
    only_vzd = find(session, "reģistrs", filters={"org": ["VZD"]})
    assert names(only_vzd) == [registers["adreses"].name]
    econ = find(session, "", filters={"theme": ["ECON"], "org": ["VZD", "UR"]}, sort=Sort.TITLE)
    assert names(econ) == [registers["kadastrs"].name, registers["ur"].name]
    assert econ.total == 2
    personal = find(session, "", filters={"personal": ["yes"]})
    assert names(personal) == [registers["personas"].name]


def test_sorting_and_paging(session: Session, registers: dict) -> None:
    by_title = find(session, "", sort=Sort.TITLE, page_size=2)
    assert by_title.total == 6 and by_title.pages == 3
    assert names(by_title) == ["fizisko-personu-registrs", "nekustama-ipasuma-valsts-kadastrs"]
    second = find(session, "", sort=Sort.TITLE, page_size=2, page=2)
    assert names(second) == ["pasvaldibu-budzeti", "transportlidzeklu-registrs"]
    assert find(session, "reģistrs", page=2, page_size=4).total == 5


def test_edits_are_searchable_at_once(session: Session, system: Actor, registers: dict) -> None:
    from dati.catalog.schemas import ResourceUpdate

    service.update_resource(
        session=session,
        actor=system,
        name=registers["budzets"].name,
        data=ResourceUpdate(
            title_lv="Pašvaldību budžetu izpilde", description_lv="Ikmēneša pārskati."
        ),
    )
    assert registers["budzets"].name not in names(find(session, "reģistrs"))
    assert names(find(session, "izpildes")) == [registers["budzets"].name]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Uzņēmumu", "uznemum"),
        ("reģistriem", "registr"),
        ("adrešu", "adres"),
        ("zemju", "zem"),
        ("īpašums", "ipasum"),
        ("transportlīdzekļu", "transportlidzekl"),
        ("VZD", "vzd"),
    ],
)
def test_stemmer(text: str, expected: str) -> None:
    assert stemmer.terms_lv(text) == [expected]


def test_the_threshold_walk_ranks_exactly_like_scoring_every_match(
    session: Session, system: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    import random

    from dati.catalog import engine, indexer, ranking
    from dati.catalog.schemas import ResourceCreate

    rng = random.Random(7)
    words = [
        "reģistrs",
        "adrese",
        "dati",
        "karte",
        "skolas",
        "ceļi",
        "meži",
        "ūdens",
        "budžets",
        "nodokļi",
    ]
    for n in range(120):
        service.create_resource(
            session=session,
            actor=system,
            data=ResourceCreate(
                name=f"r-{n:03d}",
                title_lv=" ".join(rng.choices(words, k=rng.randint(1, 4))),
                description_lv=" ".join(rng.choices(words, k=rng.randint(0, 12))),
                owner="VZD",
                access_rights="public",
            ),
        )
    snap = engine.load(session)
    monkeypatch.setattr(ranking, "TA_MAX_DEPTH", 10**6)
    for q in ("reģistrs dati", "adrese karte", "dati", "meži ūdens budžets", "skolas"):
        groups = stemmer.query_alternatives(q)
        candidates, totals = ranking._match_words(snap, groups)  # type: ignore[misc]
        exact = sorted(zip(totals, candidates, strict=True), key=lambda st: (-st[0], st[1]))[:10]
        # force the walk even for small result sets
        monkeypatch.setattr(ranking, "SCORE_ALL_BELOW", 0)
        fast = ranking._fast_relevance(snap, groups, None, 0, 10, "relevance")
        assert fast is not None
        page, scores, matches = fast
        assert matches == candidates
        assert page == [rid for _s, rid in exact], q
        assert [round(scores[r], 9) for r in page] == [round(s, 9) for s, _r in exact]
    assert indexer.FACETS
