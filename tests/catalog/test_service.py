"""Resources, systems and field schemas through the service layer."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dati.auth.actor import Actor, Role
from dati.catalog import history, service, systems
from dati.catalog.models import AccessRights, Change, FieldClassification, Resource
from dati.catalog.schemas import ResourceCreate, ResourceUpdate, SystemCreate
from dati.errors import Forbidden, Invalid, NotAuthenticated, NotFound
from tests.catalog.conftest import MakeResource
from tests.conftest import MakeUser

PERSON_SCHEMA = {
    "fields": [
        {
            "name": "personas_kods",
            "type": "string",
            "title": "Personas kods",
            "classification": "personal_identifier",
            "constraints": {"required": True, "unique": True, "pattern": r"\d{6}-\d{5}"},
        },
        {
            "name": "vards",
            "type": "string",
            "title_lv": "Vārds",
            "title_en": "Given name",
            "classification": "personal_data",
        },
        {"name": "dzimsanas_datums", "type": "date", "classification": "personal_data"},
    ],
    "primaryKey": ["personas_kods"],
}


def test_a_resource_is_found_by_name_or_id_by_anyone(
    make_resource: MakeResource, session: Session
) -> None:
    made = make_resource("Valsts adrešu reģistrs", owner="VZD")
    anyone = Actor.anonymous()
    assert made.name == "valsts-adresu-registrs"
    assert service.get_resource(session=session, actor=anyone, name=made.name) is made
    assert service.get_resource(session=session, actor=anyone, name=str(made.id)) is made
    with pytest.raises(NotFound):
        service.get_resource(session=session, actor=anyone, name="nav-tada")


def test_names_stay_unique(make_resource: MakeResource) -> None:
    first = make_resource("Reģistrs")
    second = make_resource("Reģistrs")
    assert (first.name, second.name) == ("registrs", "registrs-2")


@pytest.mark.parametrize(
    "values, field",
    [
        ({"title_lv": "  "}, "title_lv"),
        ({"themes": ["GOVE", "KOSMOSS"]}, "themes"),
        ({"temporal_start": date(2024, 1, 1), "temporal_end": date(2023, 1, 1)}, "temporal_end"),
        ({"frequency": "SOMETIMES"}, "frequency"),
        ({"spatial": "LV-XYZ"}, "spatial"),
        ({"hvd_category": "c_000"}, "hvd_category"),
        ({"licence": "brīvi lietojams"}, "licence"),
        ({"contact_email": "nav-epasts"}, "contact_email"),
        ({"name": "Ar Atstarpēm"}, "name"),
        ({"system": "nav-tadas-sistemas"}, "system"),
        ({"steward": "nezinams"}, "steward"),
    ],
)
def test_invalid_descriptions_are_refused_and_nothing_is_saved(
    session: Session, system: Actor, values: dict, field: str
) -> None:
    data = {"title_lv": "Derīgs nosaukums", "owner": "VZD", "access_rights": "public"} | values
    before = session.scalar(select(func.count()).select_from(Resource))
    with pytest.raises(Invalid) as exc:
        service.create_resource(session=session, actor=system, data=ResourceCreate(**data))
    assert field in exc.value.errors and exc.value.errors[field]
    assert session.scalar(select(func.count()).select_from(Resource)) == before


@pytest.mark.parametrize(
    "grant, allowed",
    [
        ((Role.STEWARD, "VZD"), True),
        ((Role.STEWARD, "PMLP"), False),
        ((Role.PUBLISHER, "VZD"), False),
        ((Role.RECIPIENT, "VZD"), False),
        ((Role.ADMIN, None), True),
    ],
)
def test_only_stewards_of_the_owner_describe_resources(
    session: Session, make_user: MakeUser, grant: tuple, allowed: bool
) -> None:
    actor = make_user("lietotajs", grant)
    data = ResourceCreate(title_lv="Kadastra karte", owner="VZD", access_rights=AccessRights.PUBLIC)
    if not allowed:
        with pytest.raises(Forbidden):
            service.create_resource(session=session, actor=actor, data=data)
        return
    resource = service.create_resource(session=session, actor=actor, data=data)
    if grant[0] is Role.STEWARD:
        assert resource.steward is not None and resource.steward.username == "lietotajs"


def test_anonymous_visitors_must_log_in_to_edit(
    make_resource: MakeResource, session: Session
) -> None:
    resource = make_resource()
    with pytest.raises(NotAuthenticated):
        service.update_resource(
            session=session,
            actor=Actor.anonymous(),
            name=resource.name,
            data=ResourceUpdate(title_lv="Cits"),
        )


def test_updates_are_recorded_field_by_field(
    make_resource: MakeResource, session: Session, make_user: MakeUser
) -> None:
    resource = make_resource("Transportlīdzekļu reģistrs", owner="CSDD", themes=["TRAN"])
    steward = make_user("anna", (Role.STEWARD, "CSDD"))
    service.update_resource(
        session=session,
        actor=steward,
        name=resource.name,
        data=ResourceUpdate(title_en="Vehicle register", themes=["TRAN", "GOVE"], steward="anna"),
    )
    changes = history.list_changes(session=session, actor=Actor.anonymous(), resource=resource)
    updated = {
        c.field: (c.old_value, c.new_value, c.actor_name) for c in changes if c.action == "updated"
    }
    assert updated["title_en"] == (None, "Vehicle register", "Anna")
    assert updated["themes"] == ("TRAN", "TRAN, GOVE", "Anna")
    assert updated["steward"] == (None, "anna", "Anna")
    assert changes[-1].action == "created"


def test_steward_must_be_a_steward_of_the_owner(
    make_resource: MakeResource, session: Session, make_user: MakeUser
) -> None:
    make_user("peteris", (Role.STEWARD, "PMLP"))
    resource = make_resource(owner="VZD")
    with pytest.raises(Invalid) as exc:
        service.update_resource(
            session=session,
            actor=Actor.system("t"),
            name=resource.name,
            data=ResourceUpdate(steward="peteris"),
        )
    assert "steward" in exc.value.errors


def test_system_links_to_its_resources(
    session: Session, system: Actor, make_resource: MakeResource
) -> None:
    made = systems.create_system(
        session=session,
        actor=system,
        data=SystemCreate(
            title_lv="Iedzīvotāju reģistrs",
            owner="PMLP",
            legal_basis="Fizisko personu reģistra likums",
        ),
    )
    resource = make_resource("Fizisko personu reģistrs", owner="PMLP", system=made.name)
    assert resource.system is made and made.resources == [resource]
    with pytest.raises(Invalid) as exc:
        make_resource("Svešs", owner="VZD", system=made.name)
    assert "system" in exc.value.errors


def test_table_schema_round_trip(
    make_resource: MakeResource, session: Session, system: Actor
) -> None:
    resource = make_resource("Fizisko personu reģistrs", owner="PMLP")
    service.set_table_schema(
        session=session, actor=system, name=resource.name, schema=PERSON_SCHEMA
    )
    schema = service.table_schema(session, resource)
    assert [f["name"] for f in schema["fields"]] == ["personas_kods", "vards", "dzimsanas_datums"]
    assert schema["primaryKey"] == ["personas_kods"]
    first = schema["fields"][0]
    assert first["classification"] == "personal_identifier"
    assert first["constraints"]["unique"] is True and first["title"] == "Personas kods"
    assert schema["fields"][1]["title_en"] == "Given name"
    assert resource.personal_data is True
    assert resource.fields[2].classification is FieldClassification.PERSONAL_DATA


def test_foreign_keys_point_to_other_resources(
    make_resource: MakeResource, session: Session, system: Actor
) -> None:
    people = make_resource(
        "Fizisko personu reģistrs", owner="PMLP", name="fizisko-personu-registrs"
    )
    service.set_table_schema(session=session, actor=system, name=people.name, schema=PERSON_SCHEMA)
    vehicles = make_resource("Transportlīdzekļu reģistrs", owner="CSDD")
    schema = {
        "fields": [
            {"name": "numurs", "type": "string"},
            {"name": "ipasnieka_kods", "type": "string"},
        ],
        "primaryKey": "numurs",
        "foreignKeys": [
            {
                "fields": ["ipasnieka_kods"],
                "reference": {"resource": people.name, "fields": ["personas_kods"]},
            }
        ],
    }
    service.set_table_schema(session=session, actor=system, name=vehicles.name, schema=schema)
    out = service.table_schema(session, vehicles)
    assert out["foreignKeys"][0]["reference"] == {
        "resource": people.name,
        "fields": ["personas_kods"],
    }
    assert out["primaryKey"] == ["numurs"]


@pytest.mark.parametrize(
    "schema, key, words",
    [
        ({"fields": [{"name": "kods"}, {"name": "kods"}]}, "fields.1.name", "kods"),
        ({"fields": [{"name": "summa", "type": "money"}]}, "fields.0.type", "money"),
        ({"fields": [{"name": "a"}], "primaryKey": ["b"]}, "primaryKey", "b"),
        (
            {"fields": [{"name": "kods", "classification": "secret"}]},
            "fields.0.classification",
            "secret",
        ),
        (
            {"fields": [{"name": "kods", "constraints": {"colour": 1}}]},
            "fields.0.constraints",
            "colour",
        ),
        (
            {
                "fields": [{"name": "pk"}],
                "foreignKeys": [
                    {"fields": ["pk"], "reference": {"resource": "nav-tada", "fields": ["x"]}}
                ],
            },
            "foreignKeys.0.reference.resource",
            "nav-tada",
        ),
        ({"fields": [{"name": "a", "glossaryTerm": "nav"}]}, "fields.0.glossary_term", "nav"),
        ({"rows": []}, "fields", ""),
    ],
)
def test_bad_schemas_are_refused_naming_the_field_and_nothing_changes(
    make_resource: MakeResource, session: Session, system: Actor, schema: dict, key: str, words: str
) -> None:
    resource = make_resource(owner="PMLP")
    service.set_table_schema(
        session=session, actor=system, name=resource.name, schema=PERSON_SCHEMA
    )
    with pytest.raises(Invalid) as exc:
        service.set_table_schema(session=session, actor=system, name=resource.name, schema=schema)
    assert key in exc.value.errors, exc.value.errors
    assert words in exc.value.errors[key]
    session.expire_all()
    assert [f.name for f in resource.fields] == ["personas_kods", "vards", "dzimsanas_datums"]


@pytest.mark.parametrize(
    "grant, allowed",
    [
        ((Role.STEWARD, "PMLP"), True),
        ((Role.PUBLISHER, "PMLP"), True),
        ((Role.PUBLISHER, "VZD"), False),
        ((Role.SIGNATORY, "PMLP"), False),
    ],
)
def test_stewards_and_publishers_of_the_owner_replace_schemas(
    make_resource: MakeResource, session: Session, make_user: MakeUser, grant: tuple, allowed: bool
) -> None:
    resource = make_resource(owner="PMLP")
    actor = make_user("lietotajs", grant)
    if not allowed:
        with pytest.raises(Forbidden):
            service.set_table_schema(
                session=session, actor=actor, name=resource.name, schema=PERSON_SCHEMA
            )
        return
    service.set_table_schema(session=session, actor=actor, name=resource.name, schema=PERSON_SCHEMA)
    assert len(resource.fields) == 3


def test_schema_changes_are_in_the_history(
    make_resource: MakeResource, session: Session, system: Actor
) -> None:
    resource = make_resource(owner="PMLP")
    service.set_table_schema(
        session=session, actor=system, name=resource.name, schema=PERSON_SCHEMA
    )
    changed = {
        "fields": [
            {
                "name": "personas_kods",
                "type": "string",
                "title": "Personas kods (jaunais)",
                "classification": "personal_identifier",
            }
        ]
    }
    service.set_table_schema(session=session, actor=system, name=resource.name, schema=changed)
    rows = session.scalars(
        select(Change).where(Change.resource_id == resource.id, Change.entity == "field")
    ).all()
    summary = {(c.action, c.field) for c in rows}
    assert ("deleted", "vards") in summary and ("deleted", "dzimsanas_datums") in summary
    assert ("updated", "personas_kods.title_lv") in summary
    assert ("updated", "personas_kods.constraints") in summary
