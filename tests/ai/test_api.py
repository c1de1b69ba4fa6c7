"""The JSON API: classifier, register, obligations with evidence, datasets, public register."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from dati.ai.factories import answers_with
from dati.auth.actor import Actor, Role
from tests.ai.conftest import NewSystem

Bearer = Callable[[str, Role, str | None], dict[str, str]]

SYSTEM = {
    "org": "VID",
    "name_lv": "Deklarāciju asistents",
    "purpose_lv": "Palīdz aizpildīt deklarācijas.",
    "technique": "generative",
    "role": "both",
    "lifecycle": "pilot",
    "sourcing": "in_house",
}


def test_anyone_can_classify_and_gets_the_law_quoted(client: TestClient) -> None:
    r = client.post(
        "/api/v1/ai/classify", json={"answers": answers_with(["interacts_with_people"])}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["risk_class"] == "limited" and not body["provisional"] and body["missing"] == []
    finding = next(f for f in body["findings"] if f["ref"] == "Art. 50(1)")
    assert finding["kind"] == "duty" and "interacting with an AI system" in finding["quote"]
    assert body["risk_class_label"] == "Ierobežots risks (pārredzamība)"


def test_missing_answers_are_listed_and_the_result_is_provisional(client: TestClient) -> None:
    body = client.post("/api/v1/ai/classify?lang=en", json={"answers": {}}).json()
    assert body["risk_class"] == "prohibited" and body["provisional"]
    assert body["lowest_possible_class"] == "not_ai_system"
    assert {
        "id": "machine_based",
        "text": "Is it a machine-based system (software, possibly with hardware)?",
        "refs": ["Art. 3(1)"],
    } in body["missing"]


def test_bad_answers_are_a_problem_with_each_field_named(client: TestClient) -> None:
    r = client.post(
        "/api/v1/ai/classify", json={"answers": {"chatbot": True, "profiling": "maybe"}}
    )
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    errors = r.json()["errors"]
    assert "chatbot" in errors and "answers.profiling" in errors or "profiling" in errors


def test_the_input_format_is_in_the_openapi_schema(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    answers = spec["components"]["schemas"]["ClassifyRequest"]["properties"]["answers"]
    assert "interacts_with_people" in answers["properties"]
    assert answers["properties"]["annex1_act"]["enum"][:2] == ["1", "2"]
    questions = client.get("/api/v1/ai/questions").json()
    assert questions[0]["id"] == "definition" and questions[0]["questions"][0]["refs"] == [
        "Art. 3(1)"
    ]


def test_an_officer_keeps_the_register_through_the_api(
    client: TestClient, officer: Actor, bearer: Bearer
) -> None:
    auth = bearer("dace", Role.AI_OFFICER, "VID")
    created = client.post("/api/v1/ai/systems", json=SYSTEM, headers=auth)
    assert created.status_code == 201, created.text
    system_id = created.json()["id"]
    patched = client.patch(
        f"/api/v1/ai/systems/{system_id}", json={"hours_saved_per_year": 500}, headers=auth
    )
    assert patched.json()["hours_saved_per_year"] == 500
    history = client.get(f"/api/v1/ai/systems/{system_id}/history", headers=auth).json()
    assert [h["action"] for h in history] == ["updated", "created"]
    assessed = client.post(
        f"/api/v1/ai/systems/{system_id}/assessments",
        json={"answers": answers_with(["interacts_with_people", "synthetic_content"])},
        headers=auth,
    )
    assert assessed.status_code == 201 and assessed.json()["result"]["risk_class"] == "limited"
    assert (
        client.get(f"/api/v1/ai/systems/{system_id}", headers=auth).json()["risk_class"]
        == "limited"
    )
    listed = client.get(f"/api/v1/ai/systems/{system_id}/assessments", headers=auth).json()
    assert len(listed) == 1 and listed[0]["result"]["transparency"] == ["Art. 50(1)", "Art. 50(2)"]
    obligations = client.get(f"/api/v1/ai/systems/{system_id}/obligations", headers=auth).json()
    assert {o["code"] for o in obligations} == {
        "ai_literacy",
        "transparency_interaction",
        "transparency_marking",
    }
    literacy = next(o for o in obligations if o["code"] == "ai_literacy")

    refused = client.patch(
        f"/api/v1/ai/obligations/{literacy['id']}", json={"status": "done"}, headers=auth
    )
    assert refused.status_code == 422 and "status" in refused.json()["errors"]
    link = client.post(
        f"/api/v1/ai/obligations/{literacy['id']}/evidence/link",
        json={"title": "Apmācību plāns", "url": "https://dokumenti.example.lv/1"},
        headers=auth,
    )
    assert link.status_code == 201
    upload = client.post(
        f"/api/v1/ai/obligations/{literacy['id']}/evidence/file",
        files={"file": ("saraksts.csv", b"vards,datums\nDace,2026-09-01\n", "text/csv")},
        data={"title": "Apmācīto saraksts"},
        headers=auth,
    )
    assert upload.status_code == 201, upload.text
    evidence_id = upload.json()["id"]
    download = client.get(f"/api/v1/ai/evidence/{evidence_id}", headers=auth)
    assert download.status_code == 200 and download.content.startswith(b"vards,datums")
    assert "saraksts.csv" in download.headers["content-disposition"]
    done = client.patch(
        f"/api/v1/ai/obligations/{literacy['id']}", json={"status": "done"}, headers=auth
    )
    assert (
        done.status_code == 200
        and done.json()["status"] == "done"
        and len(done.json()["evidence"]) == 2
    )
    assert client.delete(f"/api/v1/ai/evidence/{evidence_id}", headers=auth).status_code == 204
    board = client.get("/api/v1/ai/obligations", headers=auth).json()
    assert any(
        o["code"] == "transparency_interaction" for o in board["overdue"] + board["upcoming"]
    )


def test_other_institutions_and_auditors_are_refused(
    client: TestClient, new_system: NewSystem, other_officer: Actor, auditor: Actor, bearer: Bearer
) -> None:
    created = new_system(yes=[])
    other = bearer("ilze", Role.AI_OFFICER, "VDAA")
    audit = bearer("maris", Role.AUDITOR, "VKONTROLE")
    assert client.get(f"/api/v1/ai/systems/{created.id}", headers=other).status_code == 404
    assert client.get(f"/api/v1/ai/systems/{created.id}", headers=audit).status_code == 200
    assert (
        client.patch(
            f"/api/v1/ai/systems/{created.id}", json={"vendor": "x"}, headers=audit
        ).status_code
        == 403
    )
    assert client.post("/api/v1/ai/systems", json=SYSTEM, headers=other).status_code == 403
    assert client.get("/api/v1/ai/systems").status_code == 401
    assert client.get("/api/v1/ai/overview", headers=audit).status_code == 200


def test_public_register_json_csv_and_dataset_lineage(
    client: TestClient,
    new_system: NewSystem,
    officer: Actor,
    bearer: Bearer,
    make_resource: Callable[..., Any],
) -> None:
    created = new_system(yes=["interacts_with_people"])
    new_system(name_lv="Slēpta", publish=False, publish_exemption="Drošība", yes=[])
    resource = make_resource()
    auth = bearer("dace", Role.AI_OFFICER, "VID")
    linked = client.post(
        f"/api/v1/ai/systems/{created.id}/datasets",
        json={"resource": resource.name, "usage": "input"},
        headers=auth,
    )
    assert linked.status_code == 201 and linked.json()["owner"] == "VID"
    entries = client.get("/api/v1/ai/register").json()
    assert [e["name"] for e in entries] == ["Tērzēšanas robots"]
    assert (
        entries[0]["source_data"] == ["Nodokļu maksātāju reģistrs"]
        and entries[0]["publication_category"] == "limited"
    )
    english = client.get("/api/v1/ai/register?lang=en").json()
    assert (
        english[0]["name"] == "Chatbot"
        and english[0]["publication_category_label"] == "Limited risk (transparency)"
    )
    csv_text = client.get("/api/v1/ai/register.csv").text
    assert csv_text.startswith("\ufeffid,name,organisation") and "Tērzēšanas robots" in csv_text
    assert client.get(f"/api/v1/ai/register/{created.id}").json()["ai_act_provisions"]
    users = client.get(f"/api/v1/ai/datasets/{resource.name}/systems").json()
    assert users == [
        {
            "system_id": created.id,
            "name": "Tērzēšanas robots",
            "org": "VID",
            "usage": "input",
            "published": True,
        }
    ]
    assert (
        client.delete(
            f"/api/v1/ai/systems/{created.id}/datasets/{linked.json()['id']}", headers=auth
        ).status_code
        == 204
    )
