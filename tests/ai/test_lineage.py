"""Datasets an AI system uses: linked from the system, visible from the dataset."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from dati.ai.models import DataUsage
from dati.ai.services import lineage, systems
from dati.auth.actor import Actor
from dati.errors import Conflict, Invalid, NotFound
from tests.ai.conftest import NewSystem


def test_linking_shows_on_both_sides_and_in_the_history(
    session: Session, officer: Actor, new_system: NewSystem, make_resource: Callable[..., Any]
) -> None:
    created = new_system()
    resource = make_resource()
    link = lineage.link_dataset(
        session=session,
        actor=officer,
        system_id=created.id,
        resource=resource.name,
        usage=DataUsage.TRAINING,
    )
    assert [
        d.resource.name
        for d in lineage.list_datasets(session=session, actor=officer, system_id=created.id)
    ] == [resource.name]
    used_by = lineage.systems_using_resource(
        session=session, actor=Actor.anonymous(), resource_id=resource.id
    )
    assert [u.system.id for u in used_by] == [created.id]  # published and in production
    assert "dataset_linked" in [
        c.action for c in systems.list_changes(session=session, actor=officer, system_id=created.id)
    ]
    # the same use twice is refused, another use is fine
    with pytest.raises(Conflict):
        lineage.link_dataset(
            session=session,
            actor=officer,
            system_id=created.id,
            resource=str(resource.id),
            usage=DataUsage.TRAINING,
        )
    lineage.link_dataset(
        session=session,
        actor=officer,
        system_id=created.id,
        resource=resource.name,
        usage=DataUsage.INPUT,
    )
    lineage.unlink_dataset(session=session, actor=officer, system_id=created.id, link_id=link.id)
    assert [
        d.usage for d in lineage.list_datasets(session=session, actor=officer, system_id=created.id)
    ] == [DataUsage.INPUT]


def test_unknown_resource_is_named(session: Session, officer: Actor, new_system: NewSystem) -> None:
    created = new_system()
    for name in ("", "nav-tada"):
        with pytest.raises(Invalid) as caught:
            lineage.link_dataset(
                session=session,
                actor=officer,
                system_id=created.id,
                resource=name,
                usage=DataUsage.INPUT,
            )
        assert "resource" in caught.value.errors


def test_unpublished_systems_show_only_to_their_institution_and_auditors(
    session: Session,
    officer: Actor,
    other_officer: Actor,
    auditor: Actor,
    new_system: NewSystem,
    make_resource: Callable[..., Any],
) -> None:
    hidden = new_system(lifecycle="idea")
    resource = make_resource()
    lineage.link_dataset(
        session=session,
        actor=officer,
        system_id=hidden.id,
        resource=resource.name,
        usage=DataUsage.INPUT,
    )

    def seen(actor: Actor) -> list[int]:
        return [
            u.system.id
            for u in lineage.systems_using_resource(
                session=session, actor=actor, resource_id=resource.id
            )
        ]

    assert seen(Actor.anonymous()) == [] and seen(other_officer) == []
    assert seen(officer) == [hidden.id] and seen(auditor) == [hidden.id]


def test_others_cannot_link(
    session: Session, other_officer: Actor, new_system: NewSystem, make_resource: Callable[..., Any]
) -> None:
    created = new_system()
    with pytest.raises(NotFound):
        lineage.link_dataset(
            session=session,
            actor=other_officer,
            system_id=created.id,
            resource=make_resource().name,
            usage=DataUsage.INPUT,
        )
