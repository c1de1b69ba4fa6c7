"""Verifying 1 000 000 audit entries (target: at most 60 s), each with one data subject and a
signed checkpoint every 1000 entries, in a fresh SQLite database (or DATI_BENCH_DATABASE_URL).

The log is written in bulk with the same hashing code the platform appends with, then
`verify_chain` walks it exactly as `dati audit verify` does (hashes, seals, links, checkpoints,
subject index). The writing time is reported too, but the target is about checking.
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, update

from dati import clock
from dati.audit import chain, crypto
from dati.audit.models import (
    GENESIS_HASH,
    AuditChainHead,
    AuditCheckpoint,
    AuditEntry,
    AuditSubject,
)
from dati.audit.verify import verify_chain
from dati.db import migrate
from dati.db.database import Database

ENTRIES = int(os.environ.get("DATI_BENCH_AUDIT_ENTRIES", "1000000"))
BATCH = 10_000
SECRET = "bench-secret-" + "x" * 32
FIELDS = crypto.canonical_json(["personas_kods", "vards", "uzvards"]).decode()
FILTER = crypto.canonical_json(
    {"request": [], "conditions": [["pasvaldiba", "eq", ["Rīga"]]]}
).decode()


def _write(database: Database) -> float:
    started = time.perf_counter()
    skey = chain.subject_key(SECRET)
    mac_key = crypto.derive_key(SECRET, chain.MAC_PURPOSE)
    at = clock.now() - timedelta(days=30)
    prev = GENESIS_HASH
    with database.session() as session:
        key = chain.platform_key(session, SECRET)
        private = crypto.open_sealed_key(SECRET, key.sealed_private_key, key.fingerprint)
        entries: list[dict[str, object]] = []
        subjects: list[dict[str, object]] = []
        checkpoints: list[dict[str, object]] = []
        for seq in range(1, ENTRIES + 1):
            when = at + timedelta(milliseconds=seq * 2)
            subject = chain.subject_hash(skey, f"{(seq % 28) + 1:02d}0385-1{seq % 10000:04d}")
            values = {
                "at": when,
                "action": "data.read",
                "actor_name": "VSAA API",
                "actor_user_id": 5,
                "token_id": 3,
                "actor_org_id": 40,
                "provider_org_id": 31,
                "agreement_id": "EV-2026-00001",
                "agreement_version": 1,
                "resource": "fizisko-personu-registrs",
                "resource_version": 1,
                "fields": FIELDS,
                "filter": FILTER,
                "row_count": 1,
                "subject_count": 1,
                "subjects_digest": chain.subjects_digest([subject]),
                "outcome": "ok",
                "detail": "agreement",
                "duration_us": 1500 + seq % 700,
            }
            digest = chain.entry_hash(prev, values)
            entries.append(
                {
                    **values,
                    "id": seq,
                    "seq": seq,
                    "prev_hash": prev,
                    "hash": digest,
                    "mac": crypto.keyed_hash(mac_key, digest),
                }
            )
            subjects.append({"entry_id": seq, "subject": subject})
            if seq % chain.CHECKPOINT_EVERY == 0:
                message = chain.checkpoint_message(seq, digest, when, key.fingerprint)
                checkpoints.append(
                    {
                        "seq": seq,
                        "hash": digest,
                        "at": when,
                        "key_fingerprint": key.fingerprint,
                        "signature": crypto.sign(private, message),
                    }
                )
            prev = digest
            if len(entries) >= BATCH:
                session.execute(insert(AuditEntry), entries)
                session.execute(insert(AuditSubject), subjects)
                entries, subjects = [], []
        if entries:
            session.execute(insert(AuditEntry), entries)
            session.execute(insert(AuditSubject), subjects)
        if checkpoints:
            session.execute(insert(AuditCheckpoint), checkpoints)
        session.execute(
            update(AuditChainHead).values(seq=ENTRIES, hash=prev, checkpoint_seq=ENTRIES)
        )
    return time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = (
            os.environ.get("DATI_BENCH_DATABASE_URL") or f"sqlite:///{Path(tmp) / 'audit.sqlite3'}"
        )
        migrate.upgrade(url)
        database = Database(url)
        wrote = _write(database)
        print(f"wrote {ENTRIES} entries (1 subject each) in {wrote:.1f} s")
        for secret, label in ((SECRET, "with seals"), (None, "chain and checkpoints only")):
            started = time.perf_counter()
            with database.session() as session:
                report = verify_chain(session, secret=secret)
            took = time.perf_counter() - started
            assert report.ok, report.problems[:3]
            print(
                f"verify {label}: {report.entries} entries, {report.checkpoints} checkpoints in "
                f"{took:.1f} s ({report.entries / took:,.0f} entries/s); target <= 60 s: "
                f"{'met' if took <= 60 else 'MISSED'}"
            )
        database.dispose()
