"""The CKAN Action API, driven by the official ckanapi client against a live server."""

from __future__ import annotations

import ckanapi
import pytest
from fastapi.testclient import TestClient

from dati.catalog.models import Resource


def test_ckanapi_lists_and_shows_packages(
    ckan: ckanapi.RemoteCKAN, sample_catalogue: list[Resource]
) -> None:
    names = ckan.action.package_list()
    assert {r.name for r in sample_catalogue} <= set(names)
    package = ckan.action.package_show(id="valsts-adresu-registrs")
    assert package["title"] == "Valsts adrešu reģistrs"
    assert package["organization"]["name"] == "vzd"
    assert package["license_id"] == "CC_BY_4_0" and package["isopen"] is True
    assert {t["name"] for t in package["tags"]} == {"adreses", "ģeotelpiskie dati", "addresses"}
    assert {g["name"] for g in package["groups"]} == {"regi", "gove"}
    assert [r["format"] for r in package["resources"]] == ["CSV", "JSON"]
    by_id = ckan.action.package_show(id=package["id"])
    assert by_id["name"] == package["name"]


def test_ckanapi_turns_a_404_into_not_found(ckan: ckanapi.RemoteCKAN) -> None:
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id="nav-tadas-datu-kopas")
    with pytest.raises(ckanapi.NotFound):
        ckan.action.resource_show(id="distribution_999999")


def test_ckanapi_gets_validation_errors_by_field(ckan: ckanapi.RemoteCKAN) -> None:
    with pytest.raises(ckanapi.ValidationError) as refused:
        ckan.action.package_show()
    assert "id" in refused.value.error_dict


def test_get_only_clients_work_too(live_url: str, sample_catalogue: list[Resource]) -> None:
    with ckanapi.RemoteCKAN(live_url, get_only=True) as remote:
        orgs = remote.action.organization_list(all_fields=True, sort="package_count desc")
        assert orgs[0]["package_count"] >= 1 and orgs[0]["is_organization"] is True
        first = sample_catalogue[0].distributions[0]
        resource = remote.action.resource_show(id=f"distribution_{first.id}")
        assert resource["package_id"] == str(sample_catalogue[0].id)


def test_organizations_groups_tags_and_status(
    ckan: ckanapi.RemoteCKAN, sample_catalogue: list[Resource]
) -> None:
    assert "vzd" in ckan.action.organization_list()
    riga = ckan.action.organization_show(id="riga", include_datasets=True)
    assert riga["package_count"] == 1
    assert [p["name"] for p in riga["packages"]] == ["iedzivotaju-skaits-pasvaldibas"]
    groups = ckan.action.group_list(all_fields=True)
    soci = next(g for g in groups if g["name"] == "soci")
    assert soci["package_count"] == 1 and soci["title"] == "Iedzīvotāji un sabiedrība"
    assert ckan.action.group_show(id="GOVE")["package_count"] == 1
    assert "adreses" in ckan.action.tag_list()
    assert ckan.action.tag_list(query="ADRES") == ["adreses"]
    status = ckan.action.status_show()
    assert status["ckan_version"].startswith("2.") and "datastore" in status["extensions"]


def test_the_envelope_and_status_codes_are_ckans(
    client: TestClient, sample_catalogue: list[Resource]
) -> None:
    ok = client.get("/api/3/action/package_show?id=valsts-adresu-registrs")
    body = ok.json()
    assert ok.status_code == 200 and body["success"] is True
    assert body["help"].endswith("/api/3/action/help_show?name=package_show")
    missing = client.get("/api/3/action/package_show?id=nav")
    assert missing.status_code == 404
    assert missing.json()["error"]["__type"] == "Not Found Error"
    assert missing.json()["success"] is False
    unknown = client.post("/api/3/action/package_delete", json={"id": "x"})
    assert (
        unknown.status_code == 400 and "Action name not known" in unknown.json()["error"]["message"]
    )
    bad_json = client.post(
        "/api/3/action/package_show", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert bad_json.status_code == 400 and bad_json.json()["error"]["__type"] == "Bad Request"
    not_dict = client.post("/api/3/action/package_show", json=[1, 2])
    assert not_dict.status_code == 400
    bad_limit = client.get("/api/3/action/package_list?limit=x")
    assert bad_limit.status_code == 409 and bad_limit.json()["error"]["limit"]
    assert client.get("/api/3").json() == {"version": 3}
    help_text = client.get("/api/3/action/help_show?name=package_list").json()["result"]
    assert "Names of every dataset" in help_text


def test_a_bad_api_token_is_refused_as_ckan_does(client: TestClient) -> None:
    response = client.get("/api/3/action/package_list", headers={"Authorization": "dati_nederigs"})
    assert response.status_code == 403
    assert response.json()["error"]["__type"] == "Authorization Error"


def test_package_list_pages(client: TestClient, sample_catalogue: list[Resource]) -> None:
    every = client.get("/api/3/action/package_list").json()["result"]
    page = client.get("/api/3/action/package_list?limit=2&offset=1").json()["result"]
    assert page == every[1:3]
