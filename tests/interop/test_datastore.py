"""CKAN's datastore actions over the exchange's published data, through ckanapi and HTTP."""

from __future__ import annotations

import ckanapi
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dati.auth import service as auth_service
from dati.auth.actor import Actor, Role
from dati.auth.schemas import TokenCreate
from dati.catalog.models import AccessRights
from tests.conftest import MakeUser

ACTION = "/api/3/action/"


@pytest.fixture
def roads(published):  # type: ignore[no-untyped-def]
    published("autoceli")
    published("slepeni-celi", access=AccessRights.RESTRICTED)
    return "autoceli"


def test_published_data_is_a_datastore_resource_of_its_package(
    ckan: ckanapi.RemoteCKAN,
    roads: str,
) -> None:
    package = ckan.action.package_show(id=roads)
    data = [r for r in package["resources"] if r["datastore_active"]]
    assert len(data) == 1 and data[0]["id"] == roads and data[0]["datastore_rows"] == 4
    assert ckan.action.resource_show(id=roads)["url"].endswith(f"/api/v1/data/{roads}?format=csv")
    hidden = ckan.action.package_show(id="slepeni-celi")
    assert not any(r["datastore_active"] for r in hidden["resources"])


def test_datastore_search_filters_sorts_and_pages(
    ckan: ckanapi.RemoteCKAN,
    roads: str,
) -> None:
    everything = ckan.action.datastore_search(resource_id=roads)
    assert everything["total"] == 4 and len(everything["records"]) == 4
    assert [f["id"] for f in everything["fields"]] == [
        "_id",
        "id",
        "nosaukums",
        "novads",
        "garums_km",
        "atjaunots",
    ]
    assert everything["records"][0] == {
        "_id": 1,
        "id": 1,
        "nosaukums": "Rīgas apvedceļš",
        "novads": "Rīga",
        "garums_km": 41.2,
        "atjaunots": "2024-05-01",
    }
    riga = ckan.action.datastore_search(
        resource_id=roads,
        filters={"novads": "Rīga"},
        sort="garums_km desc",
        fields=["id", "garums_km"],
    )
    assert riga["total"] == 2
    assert riga["records"] == [{"id": 1, "garums_km": 41.2}, {"id": 4, "garums_km": 3.4}]
    several = ckan.action.datastore_search(resource_id=roads, filters={"id": [2, 3]})
    assert [r["nosaukums"] for r in several["records"]] == ["Jelgavas šoseja", "Cēsu ceļš"]
    found = ckan.action.datastore_search(resource_id=roads, q="šoseja")
    assert [r["id"] for r in found["records"]] == [2]
    page = ckan.action.datastore_search(resource_id=roads, limit=2, offset=2)
    assert [r["id"] for r in page["records"]] == [3, 4] and page["total"] == 4
    assert page["_links"]["next"].endswith("offset=4&resource_id=autoceli")


def test_get_only_clients_send_filters_as_json_text(live_url: str, roads: str) -> None:
    with ckanapi.RemoteCKAN(live_url, get_only=True) as remote:
        result = remote.action.datastore_search(
            resource_id=roads, filters='{"novads": "Cēsis"}', records_format="lists"
        )
    assert result["records"] == [[3, 3, "Cēsu ceļš", "Cēsis", 12.0, None]]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"filters": {"nav": 1}}, "filters"),
        ({"filters": {"id": "viens"}}, "filters"),
        ({"sort": "nav asc"}, "sort"),
        ({"sort": "id sideways"}, "sort"),
        ({"fields": ["id", "parole"]}, "fields"),
        ({"limit": 100000}, "limit"),
    ],
)
def test_bad_datastore_parameters_are_validation_errors(
    ckan: ckanapi.RemoteCKAN,
    roads: str,
    params: dict,
    field: str,
) -> None:
    with pytest.raises(ckanapi.ValidationError) as refused:
        ckan.action.datastore_search(resource_id=roads, **params)
    assert field in refused.value.error_dict


def test_restricted_data_is_refused_anonymously_but_served_to_its_institution(
    live_url: str,
    roads: str,
    make_user: MakeUser,
    session: Session,
) -> None:
    with ckanapi.RemoteCKAN(live_url) as anonymous, pytest.raises(ckanapi.NotAuthorized):
        anonymous.action.datastore_search(resource_id="slepeni-celi")
    make_user("vzd-analitike", (Role.RECIPIENT, "VZD"))
    _token, secret = auth_service.issue_token_for(
        session=session,
        actor=Actor.system("tests"),
        username="vzd-analitike",
        data=TokenCreate(name="ckan", role=Role.RECIPIENT, org="VZD"),
    )
    session.commit()
    with ckanapi.RemoteCKAN(live_url, apikey=secret) as member:
        assert member.action.datastore_search(resource_id="slepeni-celi")["total"] == 4
        with pytest.raises(ckanapi.NotFound):  # SQL reaches open data only, whoever asks
            member.action.datastore_search_sql(sql='SELECT * FROM "slepeni-celi"')


def test_unknown_resources_answer_404(client: TestClient) -> None:
    response = client.get(ACTION + "datastore_search?resource_id=nav-tada")
    assert response.status_code == 404
    assert response.json()["error"]["__type"] == "Not Found Error"


def test_the_dcat_export_offers_published_data_as_a_distribution(
    client: TestClient, roads: str
) -> None:
    from rdflib import Graph, URIRef

    from dati.interop.dcat_harvest import DCAT

    base = "http://127.0.0.1:8000"
    graph = Graph().parse(data=client.get(f"/dataset/{roads}.ttl").text, format="turtle")
    data = URIRef(f"{base}/dataset/{roads}/distribution/data")
    assert (URIRef(f"{base}/dataset/{roads}"), DCAT.distribution, data) in graph
    assert graph.value(data, DCAT.accessURL) == URIRef(f"{base}/api/v1/data/{roads}")
    assert graph.value(data, DCAT.downloadURL) == URIRef(f"{base}/api/v1/data/{roads}?format=csv")
    closed = Graph().parse(data=client.get("/dataset/slepeni-celi.ttl").text, format="turtle")
    closed_data = URIRef(f"{base}/dataset/slepeni-celi/distribution/data")
    assert closed.value(closed_data, DCAT.accessURL) is not None
    assert closed.value(closed_data, DCAT.downloadURL) is None  # only open data downloads
