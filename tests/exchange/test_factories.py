"""Demo data: base registers with valid checksums and real municipality names, published as versions."""

from __future__ import annotations

import pytest

from dati.auth.actor import Actor
from dati.errors import NotAuthenticated
from dati.exchange import factories, service
from dati.exchange.query import build_query
from dati.lv_codes import is_valid_personal_code, is_valid_registration_number


def rows(session, store, name, limit=500):  # type: ignore[no-untyped-def]
    dataset = service.open_dataset(
        session=session, actor=Actor.system("tests"), name=name, store=store
    )
    return service.read_page(dataset, build_query(dataset.schema, limit=limit)).rows


def test_demo_registers_look_real_and_respect_access(session, store) -> None:
    actor = Actor.system("demo")
    try:
        lines = factories.load_demo(session, actor, store)
    except Exception as exc:
        raise AssertionError(getattr(exc, "errors", exc)) from exc
    assert len(lines) == len(factories.DATASETS)
    assert "iedzivotaju-registrs-demo version 1, 20000 rows" in lines[0]
    people = rows(session, store, "iedzivotaju-registrs-demo")
    assert all(is_valid_personal_code(p["personas_kods"]) for p in people)
    places = set(factories.municipalities())
    assert {p["pasvaldiba"] for p in people} <= places and len(
        {p["pasvaldiba"] for p in people}
    ) > 20
    firms = rows(session, store, "uznemumu-registrs-demo")
    assert all(is_valid_registration_number(f["registracijas_numurs"]) for f in firms)
    with pytest.raises(NotAuthenticated):
        service.open_dataset(
            session=session, actor=Actor.anonymous(), name="iedzivotaju-registrs-demo", store=store
        )
    assert factories.load_demo(session, actor, store) == [], "a second run publishes nothing new"
