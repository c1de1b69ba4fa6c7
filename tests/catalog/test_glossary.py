"""Business glossary (household / private household / family), systems and distributions."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from dati.auth.actor import Actor, Role
from dati.catalog import distributions, glossary, history, service, systems
from dati.catalog.schemas import (
    DistributionCreate,
    GlossaryTermCreate,
    GlossaryTermUpdate,
    SystemCreate,
    SystemUpdate,
)
from dati.errors import Forbidden, Invalid, NotFound
from tests.catalog.conftest import MakeResource
from tests.conftest import MakeUser


def define(session: Session, actor: Actor, name: str, term: str, **kw: object) -> object:
    return glossary.create_term(
        session=session,
        actor=actor,
        data=GlossaryTermCreate(
            name=name, term_lv=term, definition_lv=f"{term} — definīcija.", **kw
        ),
    )


def test_household_private_household_and_family(
    session: Session, system: Actor, make_resource: MakeResource
) -> None:
    define(session, system, "majsaimnieciba", "Mājsaimniecība", owner="CSP")
    define(session, system, "gimene", "Ģimene", related=["majsaimnieciba"])
    private = define(
        session,
        system,
        "privata-majsaimnieciba",
        "Privātā mājsaimniecība",
        broader="majsaimnieciba",
        related=["gimene"],
    )
    resource = make_resource(owner="CSP")
    service.set_table_schema(
        session=session,
        actor=system,
        name=resource.name,
        schema={
            "fields": [
                {
                    "name": "majsaimniecibas_numurs",
                    "type": "integer",
                    "glossaryTerm": "privata-majsaimnieciba",
                }
            ]
        },
    )
    assert private.broader is not None and private.broader.name == "majsaimnieciba"
    household = glossary.get_term(session=session, actor=Actor.anonymous(), name="majsaimnieciba")
    assert [t.name for t in glossary.narrower(session, household)] == ["privata-majsaimnieciba"]
    used = glossary.fields_using(session=session, actor=Actor.anonymous(), term=private)  # type: ignore[arg-type]
    assert [(f.resource.name, f.name) for f in used] == [(resource.name, "majsaimniecibas_numurs")]
    assert [
        t.name
        for t in glossary.list_terms(session=session, actor=Actor.anonymous(), q="majsaimniecibas")
    ] == ["majsaimnieciba", "privata-majsaimnieciba"]


def test_term_validation_and_self_reference(session: Session, system: Actor) -> None:
    with pytest.raises(Invalid) as exc:
        glossary.create_term(
            session=session,
            actor=system,
            data=GlossaryTermCreate(term_lv="", definition_lv="", related=["nav"]),
        )
    assert set(exc.value.errors) == {"term_lv", "definition_lv", "related"}
    define(session, system, "adrese", "Adrese")
    with pytest.raises(Invalid) as exc:
        glossary.update_term(
            session=session, actor=system, name="adrese", data=GlossaryTermUpdate(broader="adrese")
        )
    assert "broader" in exc.value.errors


@pytest.mark.parametrize(
    "grant, allowed",
    [
        ((Role.STEWARD, "CSP"), True),
        ((Role.STEWARD, "VZD"), False),
        ((Role.PUBLISHER, "CSP"), False),
    ],
)
def test_terms_of_an_institution_are_edited_by_its_stewards(
    session: Session, system: Actor, make_user: MakeUser, grant: tuple, allowed: bool
) -> None:
    define(session, system, "majsaimnieciba", "Mājsaimniecība", owner="CSP")
    actor = make_user("lietotajs", grant)
    change = GlossaryTermUpdate(definition_en="A household.")
    if not allowed:
        with pytest.raises(Forbidden):
            glossary.update_term(session=session, actor=actor, name="majsaimnieciba", data=change)
        return
    assert (
        glossary.update_term(
            session=session, actor=actor, name="majsaimnieciba", data=change
        ).definition_en
        == "A household."
    )


def test_systems_are_described_by_their_institution(session: Session, make_user: MakeUser) -> None:
    steward = make_user("anna", (Role.STEWARD, "VZD"))
    made = systems.create_system(
        session=session, actor=steward, data=SystemCreate(title_lv="VARIS", owner="VZD")
    )
    systems.update_system(
        session=session, actor=steward, name=made.name, data=SystemUpdate(status="retired")
    )
    changes = history.entity_changes(
        session=session, actor=Actor.anonymous(), entity="system", entity_id=made.id
    )
    assert (changes[0].field, changes[0].old_value, changes[0].new_value) == (
        "status",
        "production",
        "retired",
    )
    with pytest.raises(Forbidden):
        systems.create_system(
            session=session, actor=steward, data=SystemCreate(title_lv="X", owner="UR")
        )
    with pytest.raises(Invalid) as exc:
        systems.create_system(
            session=session, actor=steward, data=SystemCreate(title_lv=" ", owner="VZD")
        )
    assert "title_lv" in exc.value.errors
    with pytest.raises(NotFound):
        systems.get_system(session=session, actor=Actor.anonymous(), name="nav")


def test_distributions_are_validated_recorded_and_removed(
    session: Session, system: Actor, make_resource: MakeResource
) -> None:
    resource = make_resource(description_lv="x")
    with pytest.raises(Invalid) as exc:
        distributions.add_distribution(
            session=session,
            actor=system,
            name=resource.name,
            data=DistributionCreate(access_url="ftp:/nav", media_type="csv"),
        )
    assert set(exc.value.errors) == {"access_url", "media_type"}
    dist = distributions.add_distribution(
        session=session,
        actor=system,
        name=resource.name,
        data=DistributionCreate(access_url="https://data.gov.lv/x", format="csv"),
    )
    assert dist.format == "CSV" and resource.quality_score > 0
    distributions.delete_distribution(
        session=session, actor=system, name=resource.name, distribution_id=dist.id
    )
    actions = [
        (c.entity, c.action)
        for c in history.list_changes(session=session, actor=Actor.anonymous(), resource=resource)
    ]
    assert actions[:2] == [("distribution", "deleted"), ("distribution", "created")]
