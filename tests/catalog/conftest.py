"""Catalogue test helpers: resources made through the service as the system actor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from dati.auth.actor import Actor
from dati.catalog import service
from dati.catalog.models import AccessRights, Resource
from dati.catalog.schemas import ResourceCreate

MakeResource = Callable[..., Resource]


@pytest.fixture
def make_resource(session: Session, system: Actor) -> MakeResource:
    def make(title_lv: str = "Testa resurss", owner: str = "VZD", **values: Any) -> Resource:
        values.setdefault("access_rights", AccessRights.PUBLIC)
        resource = service.create_resource(
            session=session,
            actor=system,
            data=ResourceCreate(title_lv=title_lv, owner=owner, **values),
        )
        session.flush()
        return resource

    return make
