"""Publishing, versions, rollback, retention and the read rule, through the service layer."""

from __future__ import annotations

import pytest

from dati.auth.actor import Role
from dati.catalog.models import AccessRights
from dati.errors import Conflict, Forbidden, NotAuthenticated, NotFound
from dati.exchange import service
from dati.exchange.models import Operation
from dati.exchange.query import build_query
from tests.conftest import MakeUser
from tests.exchange.conftest import PEOPLE_CSV

MORE = "id,vārds,dzimšanas_datums,novads\n3,Ēriks Otrais,,Cēsis\n4,Dace,2000-01-01,Rīga\n"


def rows(session, system, store, name="iedzivotaji", version=None):  # type: ignore[no-untyped-def]
    dataset = service.open_dataset(
        session=session, actor=system, name=name, store=store, secret="test-secret", version=version
    )
    return service.read_page(dataset, build_query(dataset.schema, limit=100)).rows


def test_publish_records_who_when_rows_checksum_and_schema(
    session, system, store, make_resource, publish
) -> None:
    make_resource()
    version = publish("iedzivotaji", PEOPLE_CSV)
    assert (version.number, version.rows, version.operation) == (1, 3, Operation.REPLACE)
    assert len(version.sha256) == 64 and version.created_by == "system:tests"
    assert [f["name"] for f in version.table_schema["fields"]][0] == "id"
    assert [r["vārds"] for r in rows(session, system, store)] == ["Jānis", "Līga", "Ēriks"]


def test_append_upsert_and_rollback_make_new_versions(
    session, system, store, make_resource, publish
) -> None:
    make_resource()
    publish("iedzivotaji", PEOPLE_CSV)
    v2 = publish("iedzivotaji", MORE, mode="upsert")
    assert (v2.number, v2.rows, v2.based_on) == (2, 4, 1)
    v3 = publish("iedzivotaji", "id,vārds,dzimšanas_datums,novads\n5,Zane,,Rīga\n", mode="append")
    assert v3.rows == 5
    back = service.rollback(session=session, actor=system, name="iedzivotaji", number=1)
    assert (back.number, back.operation, back.based_on) == (4, Operation.ROLLBACK, 1)
    assert len(rows(session, system, store)) == 3
    assert len(rows(session, system, store, version=2)) == 4
    _resource, versions = service.list_versions(session=session, actor=system, name="iedzivotaji")
    assert [v.number for v in versions] == [4, 3, 2, 1]


def test_a_resource_without_schema_gets_an_inferred_one(
    session, system, store, make_resource, publish
) -> None:
    from dati.catalog import service as catalog_service

    resource = make_resource(name="skolas", schema=None)
    version = publish(
        "skolas", "kods;nosaukums;skolēni\nS1;Rīgas 1. vidusskola;640\nS2;Cēsu skola;310\n"
    )
    schema = catalog_service.table_schema(session, resource)
    assert schema["primaryKey"] == ["kods"]
    assert {f["name"]: f["type"] for f in schema["fields"]}["skolēni"] == "integer"
    assert version.rows == 2


@pytest.mark.parametrize(
    ("grant", "allowed"),
    [
        ((Role.PUBLISHER, "VZD"), True),
        ((Role.STEWARD, "VZD"), True),
        ((Role.PUBLISHER, "PMLP"), False),
        ((Role.RECIPIENT, "VZD"), False),
    ],
)
def test_who_may_publish(make_user: MakeUser, make_resource, publish, grant, allowed) -> None:
    make_resource()
    actor = make_user("anna", grant)
    if allowed:
        assert publish("iedzivotaji", PEOPLE_CSV, actor=actor).number == 1
    else:
        with pytest.raises(Forbidden):
            publish("iedzivotaji", PEOPLE_CSV, actor=actor)


@pytest.mark.parametrize(
    ("access", "grant", "readable"),
    [
        (AccessRights.PUBLIC, None, True),
        (AccessRights.RESTRICTED, None, False),
        (AccessRights.RESTRICTED, (Role.RECIPIENT, "VSAA"), False),
        (AccessRights.RESTRICTED, (Role.RECIPIENT, "VZD"), True),
        (AccessRights.NON_PUBLIC, (Role.STEWARD, "VZD"), True),
    ],
)
def test_who_may_read(
    session, store, make_user: MakeUser, make_resource, publish, access, grant, readable
) -> None:
    from dati.auth.actor import Actor

    make_resource(access=access)
    publish("iedzivotaji", PEOPLE_CSV)
    actor = make_user("ilze", grant) if grant else Actor.anonymous()
    if readable:
        assert (
            service.open_dataset(
                session=session, actor=actor, name="iedzivotaji", store=store, secret="test-secret"
            ).version.rows
            == 3
        )
    else:
        # Refused with the gateway's reason: 401 for anonymous callers, 403 for others.
        with pytest.raises((NotAuthenticated, Forbidden)) as refused:
            service.open_dataset(
                session=session, actor=actor, name="iedzivotaji", store=store, secret="test-secret"
            )
        assert "iedzivotaji" in refused.value.detail


def test_retention_removes_old_files_but_keeps_the_newest(
    session, system, store, make_resource, publish
) -> None:
    resource = make_resource()
    service.set_retention(
        session=session, actor=system, name="iedzivotaji", keep_versions=2, keep_days=1
    )
    for _ in range(4):
        publish("iedzivotaji", PEOPLE_CSV)
    _r, versions = service.list_versions(session=session, actor=system, name="iedzivotaji")
    assert [v.files_removed_at is None for v in versions] == [True, True, False, False]
    assert len(list(store.folder(resource.id).glob("*.parquet"))) == 2
    with pytest.raises(Conflict, match="retention"):
        service.rollback(session=session, actor=system, name="iedzivotaji", number=1)


def test_a_crash_before_commit_leaves_the_previous_version_served(
    db, session, system, store, make_resource, publish
) -> None:
    make_resource()
    publish("iedzivotaji", PEOPLE_CSV)
    session.commit()
    publish("iedzivotaji", MORE, mode="upsert")  # file renamed into place, row flushed...
    session.rollback()  # ...but the process dies before the commit
    assert len(rows(session, system, store)) == 3
    resource_id = service.open_dataset(
        session=session, actor=system, name="iedzivotaji", store=store, secret="test-secret"
    ).resource.id
    from datetime import timedelta

    orphans = service.cleanup_orphans(store, session, resource_id, min_age=timedelta(0))
    assert len(orphans) == 1 and not orphans[0].exists()
    assert len(rows(session, system, store)) == 3


def test_quarantine_file_is_for_the_owner_only(
    session, system, store, make_user: MakeUser, make_resource, publish
) -> None:
    make_resource()
    version = publish("iedzivotaji", PEOPLE_CSV + "x,Bad,,Rīga\n", quarantine=True)
    assert version.rows == 3 and version.rows_rejected == 1
    name, path = service.quarantine_file(
        session=session, actor=system, name="iedzivotaji", number=1, store=store
    )
    assert name == "iedzivotaji-v1-refused.csv" and "x,Bad" in path.read_text(encoding="utf-8-sig")
    outsider = make_user("ilze", (Role.PUBLISHER, "PMLP"))
    with pytest.raises(NotFound):
        service.quarantine_file(
            session=session, actor=outsider, name="iedzivotaji", number=1, store=store
        )
