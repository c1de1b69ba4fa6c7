"""package_search as CKAN clients call it: q, fq, rows, start, sort, facets."""

from __future__ import annotations

import ckanapi
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dati.auth.actor import Actor
from dati.catalog import distributions
from dati.catalog.models import AccessRights
from dati.catalog.schemas import DistributionCreate
from tests.interop.conftest import MakeResource

SEARCH = "/api/3/action/package_search"


@pytest.fixture
def portal(make_resource: MakeResource, session: Session, system: Actor) -> list[str]:
    made = [
        make_resource(
            "Valsts adrešu reģistrs",
            owner="VZD",
            themes=["REGI", "GOVE"],
            keywords_lv=["adreses"],
            licence="CC_BY_4_0",
        ),
        make_resource(
            "Adrešu klasifikators",
            owner="VZD",
            themes=["REGI"],
            keywords_lv=["adreses"],
            licence="CC0",
        ),
        make_resource(
            "Iedzīvotāju skaits novados",
            owner="CSP",
            themes=["SOCI"],
            keywords_lv=["iedzīvotāji"],
            licence="CC_BY_4_0",
        ),
        make_resource(
            "Uzņēmumu reģistrs",
            owner="UR",
            themes=["ECON"],
            keywords_lv=["uzņēmumi"],
            hvd_category="c_a9135398",
            licence="CC_BY_4_0",
        ),
        make_resource("Slēgtie dati", owner="UR", access_rights=AccessRights.NON_PUBLIC),
    ]
    for resource, fmt in zip(made[:4], ["CSV", "JSON", "CSV", "XLSX"], strict=True):
        distributions.add_distribution(
            session=session,
            actor=system,
            name=resource.name,
            data=DistributionCreate(access_url=f"https://example.lv/{resource.name}", format=fmt),
        )
    session.flush()
    return [r.name for r in made]


def test_ckanapi_searches_by_words_in_latvian_inflections(
    ckan: ckanapi.RemoteCKAN, portal: list[str]
) -> None:
    result = ckan.action.package_search(q="adrese")
    assert result["count"] == 2
    assert {r["name"] for r in result["results"]} == {
        "valsts-adresu-registrs",
        "adresu-klasifikators",
    }
    assert result["results"][0]["organization"]["name"] == "vzd"


def test_fq_filters_and_facets_come_back_as_ckan_shapes(
    ckan: ckanapi.RemoteCKAN, portal: list[str]
) -> None:
    result = ckan.action.package_search(
        fq="organization:vzd +groups:regi",
        **{"facet.field": '["organization", "groups", "res_format", "license_id", "tags"]'},
    )
    assert result["count"] == 2
    assert result["facets"]["organization"] == {"vzd": 2}
    assert result["facets"]["res_format"] == {"CSV": 1, "JSON": 1}
    assert result["facets"]["tags"] == {"adreses": 2}
    groups = {i["name"]: i for i in result["search_facets"]["groups"]["items"]}
    assert groups["regi"]["count"] == 2 and groups["regi"]["display_name"] == "Reģioni un pilsētas"
    assert groups["gove"]["count"] == 1
    licences = ckan.action.package_search(fq='license_id:"CC0"')
    assert [r["name"] for r in licences["results"]] == ["adresu-klasifikators"]
    either = ckan.action.package_search(fq="organization:(csp OR ur)")
    assert either["count"] == 3


def test_rows_start_and_sort_page_through_everything(
    ckan: ckanapi.RemoteCKAN, portal: list[str]
) -> None:
    every = ckan.action.package_search(rows=1000, sort="title_string asc")["results"]
    assert [r["title"] for r in every] == sorted(r["title"] for r in every)
    assert len(every) == 5
    pages = [
        ckan.action.package_search(rows=2, start=start, sort="title_string asc")["results"]
        for start in (0, 2, 4)
    ]
    assert [r["name"] for page in pages for r in page] == [r["name"] for r in every]
    assert ckan.action.package_search(rows=0)["results"] == []


def test_name_and_id_pick_datasets_exactly_and_owner_org_filters_by_id(
    ckan: ckanapi.RemoteCKAN, portal: list[str]
) -> None:
    # "klasifikators" is nowhere in the other names: a word search would not find them.
    exact = ckan.action.package_search(
        q="name:adresu-klasifikators",
        fq="+dataset_type:dataset",
        **{"facet.field": '["organization", "res_format"]'},
    )
    assert [r["name"] for r in exact["results"]] == ["adresu-klasifikators"]
    assert exact["count"] == 1
    assert exact["facets"] == {"organization": {"vzd": 1}, "res_format": {"JSON": 1}}
    package_id = exact["results"][0]["id"]
    both = ckan.action.package_search(fq=f"id:{package_id} OR name:uznemumu-registrs")
    assert sorted(r["name"] for r in both["results"]) == [
        "adresu-klasifikators",
        "uznemumu-registrs",
    ]
    assert ckan.action.package_search(q="name:nav-tadas")["count"] == 0
    vzd = exact["results"][0]["owner_org"]
    by_owner = ckan.action.package_search(fq=f'owner_org:"{vzd}"')
    assert {r["name"] for r in by_owner["results"]} == {
        "valsts-adresu-registrs",
        "adresu-klasifikators",
    }


@pytest.mark.parametrize(
    "params",
    [
        {"q": "name:adresu-klasifikators adrese"},
        {"q": "name:adresu-klasifikators", "fq": "organization:vzd"},
        {"fq": "author:x"},
        {"sort": "popularity desc"},
        {"facet.field": '["maintainer"]'},
    ],
)
def test_queries_ckan_would_reject_or_dati_cannot_answer_are_search_query_errors(
    client: TestClient, portal: list[str], params: dict
) -> None:
    response = client.get(SEARCH, params=params)
    assert response.status_code == 400
    assert response.json()["error"]["__type"] == "Search Query Error"


def test_bad_paging_is_a_validation_error(client: TestClient) -> None:
    response = client.get(SEARCH, params={"rows": 5000})
    assert response.status_code == 409 and "rows" in response.json()["error"]
