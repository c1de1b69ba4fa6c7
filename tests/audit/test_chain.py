"""The hash chain: appends link up, and every kind of tampering is found and located."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import delete, event, select, text, update
from sqlalchemy.orm import Session

from dati.audit import chain
from dati.audit.models import AuditChainHead, AuditCheckpoint, AuditEntry, AuditSubject
from dati.audit.verify import verify_chain
from dati.db import migrate
from dati.db.database import Database, make_engine
from tests.audit.conftest import SECRET, Append
from tests.conftest import fresh_database_url


def kinds(session: Session, secret: str | None = SECRET) -> list[tuple[str, int | None]]:
    session.flush()
    session.expire_all()
    return [(p.kind, p.seq) for p in verify_chain(session, secret=secret).problems]


def test_appended_entries_link_up_and_verify(session: Session, append: Append) -> None:
    entries = append(5, subjects=("150385-11116", "010101-10006"))
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))
    report = verify_chain(session, secret=SECRET)
    assert report.ok and report.entries == 5 and report.macs_checked
    head = session.get(AuditChainHead, 1)
    assert head is not None and (head.seq, head.hash) == (5, entries[-1].hash)


def test_personal_codes_are_stored_only_as_keyed_hashes(session: Session, append: Append) -> None:
    append(1, subjects=("150385-11116",))
    stored = session.scalars(select(AuditSubject.subject)).all()
    assert stored and "150385" not in "".join(stored)
    assert stored[0] == chain.subject_hash(chain.subject_key(SECRET), "15038511116")
    assert stored[0] != chain.subject_hash(chain.subject_key("another-secret"), "150385-11116")


def test_a_modified_entry_is_named(session: Session, append: Append) -> None:
    append(5)
    session.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(row_count=999))
    assert kinds(session) == [("modified", 3)]


def test_a_deleted_entry_is_found_where_it_was(session: Session, append: Append) -> None:
    append(5)
    session.execute(delete(AuditEntry).where(AuditEntry.seq == 3))
    assert kinds(session) == [("missing", 4)]


def test_a_deleted_and_renumbered_entry_is_still_found(session: Session, append: Append) -> None:
    append(5)
    session.execute(delete(AuditEntry).where(AuditEntry.seq == 3))
    session.execute(update(AuditEntry).where(AuditEntry.seq > 3).values(seq=AuditEntry.seq + 100))
    session.execute(update(AuditEntry).where(AuditEntry.seq > 100).values(seq=AuditEntry.seq - 101))
    found = kinds(session)
    assert ("missing", 3) in found and ("truncated", 5) in found


def test_an_entry_replaced_by_a_copy_of_another_is_found(session: Session, append: Append) -> None:
    """A copy carries a genuine seal: only the links show where it was put and what it hid."""
    entries = append(5)
    copied = {name: getattr(entries[1], name) for name in chain.HASHED_COLUMNS}
    session.execute(
        update(AuditEntry)
        .where(AuditEntry.seq == 3)
        .values(prev_hash=entries[0].hash, hash=entries[1].hash, mac=entries[1].mac, **copied)
    )
    session.flush()
    problems = verify_chain(session, secret=SECRET).problems
    assert [(p.kind, p.seq) for p in problems] == [("inserted", 3), ("missing", 4)]
    assert f"#1 (id {entries[0].id})" in problems[0].message  # the copy follows entry 1
    assert problems[1].entry_id == entries[3].id  # the entry after the one it replaced


def test_a_copy_of_an_entry_added_at_the_end_is_found(session: Session, append: Append) -> None:
    entries = append(3)
    copied = {name: getattr(entries[0], name) for name in chain.HASHED_COLUMNS}
    session.add(
        AuditEntry(
            seq=4, prev_hash=chain.GENESIS_HASH, hash=entries[0].hash, mac=entries[0].mac, **copied
        )
    )
    session.execute(update(AuditChainHead).values(seq=4, hash=entries[0].hash))
    assert kinds(session) == [("inserted", 4)]


def test_breaks_are_explained_in_one_read_of_the_log(session: Session, append: Append) -> None:
    """Explaining where each break links to reads the log once, not once per break."""
    append(12)
    session.execute(delete(AuditEntry).where(AuditEntry.seq.in_([3, 6, 9])))
    session.flush()
    session.expire_all()
    statements: list[str] = []
    engine = session.get_bind()

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "audit_entry.hash IN" in statement:
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        found = [(p.kind, p.seq) for p in verify_chain(session, secret=SECRET).problems]
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert found == [("missing", 4), ("missing", 7), ("missing", 10)]
    assert len(statements) == 1


def test_an_inserted_entry_is_found(session: Session, append: Append) -> None:
    entries = append(5)
    session.execute(update(AuditEntry).where(AuditEntry.seq >= 3).values(seq=AuditEntry.seq + 100))
    session.execute(update(AuditEntry).where(AuditEntry.seq > 100).values(seq=AuditEntry.seq - 99))
    # A forger who knows the format but not the instance secret.
    values = {name: getattr(entries[1], name) for name in chain.HASHED_COLUMNS}
    values["detail"] = "forged"
    forged_hash = chain.entry_hash(entries[1].hash, values)
    session.add(
        AuditEntry(seq=3, prev_hash=entries[1].hash, hash=forged_hash, mac="0" * 64, **values)
    )
    found = kinds(session)
    assert ("forged", 3) in found and ("inserted", 4) in found


def test_an_entry_forged_at_the_end_is_found_by_its_seal(session: Session, append: Append) -> None:
    entries = append(3)
    values = {name: getattr(entries[-1], name) for name in chain.HASHED_COLUMNS}
    forged_hash = chain.entry_hash(entries[-1].hash, values)
    session.add(
        AuditEntry(seq=4, prev_hash=entries[-1].hash, hash=forged_hash, mac="0" * 64, **values)
    )
    session.execute(update(AuditChainHead).values(seq=4, hash=forged_hash))
    assert kinds(session) == [("forged", 4)]


def test_reordered_entries_are_found(session: Session, append: Append) -> None:
    append(5)
    session.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(seq=-2))
    session.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(seq=2))
    session.execute(update(AuditEntry).where(AuditEntry.seq == -2).values(seq=3))
    found = kinds(session)
    assert ("reordered", 2) in found


def test_a_truncated_log_is_found(session: Session, append: Append) -> None:
    append(5)
    session.execute(delete(AuditEntry).where(AuditEntry.seq == 5))
    assert kinds(session) == [("truncated", 5)]


def test_a_rewritten_chain_is_caught_by_seals_and_checkpoints(
    session: Session, append: Append
) -> None:
    """An attacker rewrites entry 2 and recomputes every later hash and the head."""
    entries = append(4)
    cp = session.scalars(select(AuditCheckpoint)).one()  # the first append signs one
    prev = entries[0].hash
    for entry in entries[1:]:
        values = {name: getattr(entry, name) for name in chain.HASHED_COLUMNS}
        if entry.seq == 2:
            values["detail"] = "rewritten"
        new_hash = chain.entry_hash(prev, values)
        session.execute(
            update(AuditEntry)
            .where(AuditEntry.id == entry.id)
            .values(detail=values["detail"], prev_hash=prev, hash=new_hash)
        )
        prev = new_hash
    session.execute(update(AuditChainHead).values(hash=prev))
    assert cp.seq == 1
    found = kinds(session)
    assert ("forged", 2) in found
    # Without the secret only the chain and the signed checkpoints can be checked.
    chain.checkpoint_now(session, secret=SECRET)  # signed after the rewrite: proves nothing
    assert kinds(session, secret=None) == []


def test_a_checkpoint_pins_the_past(session: Session, append: Append) -> None:
    entries = append(3)
    chain.checkpoint_now(session, secret=SECRET)
    session.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(detail="changed"))
    values = {name: getattr(entries[2], name) for name in chain.HASHED_COLUMNS}
    values["detail"] = "changed"
    session.execute(
        update(AuditEntry)
        .where(AuditEntry.seq == 3)
        .values(hash=chain.entry_hash(entries[1].hash, values))
    )
    found = kinds(session, secret=None)
    assert ("checkpoint", 3) in found


def test_changed_subjects_are_found(session: Session, append: Append) -> None:
    append(2, subjects=("150385-11116",))
    session.execute(
        delete(AuditSubject).where(
            AuditSubject.entry_id
            == select(AuditEntry.id).where(AuditEntry.seq == 2).scalar_subquery()
        )
    )
    assert kinds(session) == [("subjects", 2)]


def test_a_foreign_platform_key_is_refused(session: Session, append: Append) -> None:
    append(1)
    assert kinds(session, secret="a-different-instance-secret") != []


@pytest.mark.slow
def test_concurrent_appends_from_many_connections_keep_one_chain(tmp_path: Path) -> None:
    """Several app processes reading and appending at once (threads with their own connections)."""
    url = fresh_database_url(tmp_path, "audit_concurrency")
    migrate.upgrade(url)
    engine = make_engine(url)
    database = Database(bind=engine)
    workers, per_worker = 4, 15
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(per_worker):
                with database.session() as request_session:
                    # A data request has read before it appends.
                    request_session.execute(text("SELECT count(*) FROM organisation"))
                    with chain.write_transaction(request_session) as s:
                        event = chain.Event(action="data.read", detail=f"{n}-{i}")
                        chain.append(s, event, secret=SECRET)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with database.session() as s:
        report = verify_chain(s, secret=SECRET)
    engine.dispose()
    assert not errors, errors
    assert report.ok and report.entries == workers * per_worker
