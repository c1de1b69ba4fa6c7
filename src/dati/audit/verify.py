"""Checking the audit chain: every entry's hash and MAC, the links between entries, the head,
the signed checkpoints and the subject index. Problems name the entry where they are.

What each kind of tampering looks like to the walk (entries read in ``seq`` order):

- modified: the entry's hash no longer matches its content;
- missing: a gap in ``seq`` or a link to a hash no entry has (deleted, perhaps renumbered);
- inserted: an entry links back past its neighbour, or was not sealed by the platform (MAC);
- reordered: an entry links to an entry that comes after it;
- truncated: the head or a checkpoint names an entry the log no longer has.
"""

from __future__ import annotations

import bisect
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dati.audit import crypto
from dati.audit.chain import (
    HASHED_COLUMNS,
    MAC_PURPOSE,
    checkpoint_message,
    preimage_of_row,
    subjects_digest,
)
from dati.audit.models import (
    GENESIS_HASH,
    AuditChainHead,
    AuditCheckpoint,
    AuditEntry,
    AuditPlatformKey,
    AuditSubject,
)
from dati.i18n import gettext as _

BATCH = 5000
# Bound parameters per query when naming the entries that breaks link to.
HASHES_PER_QUERY = 5000


@dataclass(frozen=True)
class Problem:
    kind: (
        str  # modified, forged, missing, inserted, reordered, truncated, checkpoint, key, subjects
    )
    seq: int | None
    entry_id: int | None
    message: str


@dataclass
class Report:
    entries: int = 0
    checkpoints: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS_HASH
    macs_checked: bool = False
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class _Break:
    seq: int
    entry_id: int
    prev_hash: str
    gap: bool


def verify_chain(
    session: Session,
    *,
    secret: str | None,
    trusted_keys: set[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    max_problems: int = 100,
) -> Report:
    """Walk the whole log. Without ``secret`` the MACs and key seals are not checked."""
    report = Report(macs_checked=secret is not None)
    problems = report.problems
    checkpoints = {c.seq: c for c in session.scalars(select(AuditCheckpoint))}
    report.checkpoints = len(checkpoints)
    problems += _check_keys(session, secret, trusted_keys)
    problems += _check_checkpoint_signatures(session, checkpoints)
    total = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    mac_base = (
        hmac.new(crypto.derive_key(secret, MAC_PURPOSE), digestmod=hashlib.sha256)
        if secret
        else None
    )
    table = AuditEntry.__table__
    columns = [table.c[name] for name in ("id", "seq", "prev_hash", "hash", "mac", *HASHED_COLUMNS)]
    # Core, not the ORM, and a server-side cursor: a million rows stream in constant memory.
    stmt = select(*columns).order_by(table.c.seq)
    result = session.connection().execute(stmt.execution_options(stream_results=True))
    breaks: list[_Break] = []
    prev_hash, expected = GENESIS_HASH, 1
    sha256 = hashlib.sha256
    for rows in result.partitions(BATCH):
        for row in rows:
            entry_id, seq, linked, stored, mac = row[0], row[1], row[2], row[3], row[4]
            if sha256(preimage_of_row(linked, row[5:])).hexdigest() != stored:
                problems.append(
                    Problem(
                        "modified",
                        seq,
                        entry_id,
                        _(
                            "Entry #{seq} (id {id}) was modified: its content no longer matches its hash.",
                            seq=seq,
                            id=entry_id,
                        ),
                    )
                )
            if mac_base is not None:
                sealed = mac_base.copy()
                sealed.update(stored.encode("ascii"))
                if not hmac.compare_digest(sealed.hexdigest(), mac):
                    problems.append(
                        Problem(
                            "forged",
                            seq,
                            entry_id,
                            _(
                                "Entry #{seq} (id {id}) was not written by this platform: its seal does not match.",
                                seq=seq,
                                id=entry_id,
                            ),
                        )
                    )
            if linked != prev_hash or seq != expected:
                breaks.append(_Break(seq, entry_id, linked, gap=seq > expected))
            checkpoint = checkpoints.get(seq)
            if checkpoint is not None and checkpoint.hash != stored:
                problems.append(
                    Problem(
                        "checkpoint",
                        seq,
                        entry_id,
                        _(
                            "Entry #{seq} (id {id}) differs from the signed checkpoint of {at}: the log was rewritten up to here.",
                            seq=seq,
                            id=entry_id,
                            at=f"{checkpoint.at:%Y-%m-%d %H:%M}",
                        ),
                    )
                )
            prev_hash, expected = stored, seq + 1
        report.entries += len(rows)
        if progress:
            progress(report.entries, total)
        if len(problems) + len(breaks) > max_problems:
            result.close()
            break
    if progress:
        progress(report.entries, total)
    report.last_seq, report.last_hash = expected - 1, prev_hash
    problems += _explain_breaks(session, breaks, expected - 1)
    problems += _check_head(session, report.last_seq, prev_hash, checkpoints)
    problems += _check_subjects(session, max_problems)
    return report


def _entries_with_hashes(session: Session, hashes: set[str]) -> dict[str, list[tuple[int, int]]]:
    """(seq, id) of the entries having each of ``hashes``: one read of the log per
    ``HASHES_PER_QUERY`` hashes (``hash`` has no index: appends would pay for it)."""
    found: dict[str, list[tuple[int, int]]] = {}
    wanted = sorted(hashes)
    for start in range(0, len(wanted), HASHES_PER_QUERY):
        stmt = select(AuditEntry.hash, AuditEntry.seq, AuditEntry.id).where(
            AuditEntry.hash.in_(wanted[start : start + HASHES_PER_QUERY])
        )
        for hash_, seq, entry_id in session.execute(stmt):
            found.setdefault(hash_, []).append((seq, entry_id))
    for places in found.values():
        places.sort()
    return found


def _linked_entry(places: list[tuple[int, int]], seq: int) -> tuple[int, int] | None:
    """The entry a break at ``seq`` links to, of those with its ``prev_hash`` (in ``seq``
    order). Only a tampered log has two (a copy): then the nearest one before ``seq``, else
    the first after it."""
    if not places:
        return None
    before = bisect.bisect_left(places, (seq,))
    return places[before - 1] if before else places[0]


def _explain_breaks(session: Session, breaks: list[_Break], last_seq: int) -> list[Problem]:
    found: list[Problem] = []
    linked = _entries_with_hashes(session, {item.prev_hash for item in breaks})
    for item in breaks:
        target = _linked_entry(linked.get(item.prev_hash, []), item.seq)
        if item.prev_hash == GENESIS_HASH and item.seq != 1:
            found.append(
                Problem(
                    "inserted",
                    item.seq,
                    item.entry_id,
                    _(
                        "Entry #{seq} (id {id}) claims to start the log.",
                        seq=item.seq,
                        id=item.entry_id,
                    ),
                )
            )
        elif target is None:
            if item.gap:
                message = _(
                    "Entries before #{seq} are missing (deleted): entry #{seq} (id {id}) follows an entry the log no longer has.",
                    seq=item.seq,
                    id=item.entry_id,
                )
            else:
                message = _(
                    "Entry #{seq} (id {id}) follows an entry the log no longer has: the entry before it was deleted or replaced.",
                    seq=item.seq,
                    id=item.entry_id,
                )
            found.append(Problem("missing", item.seq, item.entry_id, message))
        elif target[0] > item.seq:
            found.append(
                Problem(
                    "reordered",
                    item.seq,
                    item.entry_id,
                    _(
                        "Entry #{seq} (id {id}) is out of order: it was written after #{other} (id {other_id}).",
                        seq=item.seq,
                        id=item.entry_id,
                        other=target[0],
                        other_id=target[1],
                    ),
                )
            )
        else:
            found.append(
                Problem(
                    "inserted",
                    item.seq,
                    item.entry_id,
                    _(
                        "Entry #{seq} (id {id}) follows #{other} (id {other_id}): the entries between them were inserted or moved.",
                        seq=item.seq,
                        id=item.entry_id,
                        other=target[0],
                        other_id=target[1],
                    ),
                )
            )
    return found


def _check_head(
    session: Session, last_seq: int, last_hash: str, checkpoints: dict[int, AuditCheckpoint]
) -> list[Problem]:
    found: list[Problem] = []
    heads = AuditChainHead.__table__
    head = session.execute(select(heads.c.seq, heads.c.hash).where(heads.c.id == 1)).first()
    if head is not None and (head.seq, head.hash) != (last_seq, last_hash):
        if head.seq > last_seq:
            found.append(
                Problem(
                    "truncated",
                    last_seq + 1,
                    None,
                    _(
                        "Entries #{first} to #{last} are missing from the end of the log.",
                        first=last_seq + 1,
                        last=head.seq,
                    ),
                )
            )
        elif head.seq < last_seq:
            found.append(
                Problem(
                    "inserted",
                    head.seq + 1,
                    None,
                    _("Entries after #{seq} were added outside the chain head.", seq=head.seq),
                )
            )
        else:
            found.append(
                Problem(
                    "modified",
                    last_seq,
                    None,
                    _("The chain head disagrees with entry #{seq}.", seq=last_seq),
                )
            )
    for seq in sorted(s for s in checkpoints if s > last_seq):
        found.append(
            Problem(
                "truncated",
                seq,
                None,
                _("The signed checkpoint at #{seq} names an entry the log no longer has.", seq=seq),
            )
        )
    return found


def _check_keys(session: Session, secret: str | None, trusted: set[str] | None) -> list[Problem]:
    found: list[Problem] = []
    for key in session.scalars(select(AuditPlatformKey)):
        if crypto.public_key_fingerprint(key.public_key) != key.fingerprint:
            found.append(
                Problem(
                    "key",
                    None,
                    None,
                    _(
                        "Platform key {key} does not match its fingerprint.",
                        key=key.fingerprint[:16],
                    ),
                )
            )
        elif trusted is not None and key.fingerprint not in trusted:
            found.append(
                Problem(
                    "key",
                    None,
                    None,
                    _(
                        "Platform key {key} is not one of the trusted keys.",
                        key=key.fingerprint[:16],
                    ),
                )
            )
        elif secret is not None:
            try:
                crypto.open_sealed_key(secret, key.sealed_private_key, key.fingerprint)
            except crypto.KeyUnavailable:
                found.append(
                    Problem(
                        "key",
                        None,
                        None,
                        _(
                            "Platform key {key} was not made by this instance.",
                            key=key.fingerprint[:16],
                        ),
                    )
                )
    return found


def _check_checkpoint_signatures(
    session: Session, checkpoints: dict[int, AuditCheckpoint]
) -> list[Problem]:
    keys = {k.fingerprint: k.public_key for k in session.scalars(select(AuditPlatformKey))}
    found: list[Problem] = []
    for seq, cp in sorted(checkpoints.items()):
        public = keys.get(cp.key_fingerprint)
        message = checkpoint_message(cp.seq, cp.hash, cp.at, cp.key_fingerprint)
        if public is None or not crypto.verify_signature(public, cp.signature, message):
            found.append(
                Problem(
                    "checkpoint",
                    seq,
                    None,
                    _("The checkpoint at #{seq} has no valid platform signature.", seq=seq),
                )
            )
    return found


def _check_subjects(session: Session, max_problems: int) -> list[Problem]:
    """Each entry's subject rows must hash to the digest its (chained) row records."""
    found: list[Problem] = []
    stmt = (
        select(AuditEntry.seq, AuditEntry.id, AuditEntry.subjects_digest, AuditSubject.subject)
        .join(AuditSubject, AuditSubject.entry_id == AuditEntry.id)
        .order_by(AuditEntry.seq, AuditSubject.subject)
    )
    current: tuple[int, int, str | None] | None = None
    hashes: list[str] = []

    def close() -> None:
        if current is not None and subjects_digest(hashes) != current[2]:
            found.append(
                Problem(
                    "subjects",
                    current[0],
                    current[1],
                    _(
                        "The people recorded for entry #{seq} (id {id}) were changed.",
                        seq=current[0],
                        id=current[1],
                    ),
                )
            )

    rows = session.connection().execute(stmt.execution_options(stream_results=True))
    for seq, entry_id, digest, subject in rows:
        if current is None or current[1] != entry_id:
            close()
            current, hashes = (seq, entry_id, digest), []
        hashes.append(subject)
        if len(found) >= max_problems:
            rows.close()
            return found
    close()
    orphaned = session.execute(
        select(AuditEntry.seq, AuditEntry.id)
        .where(AuditEntry.subject_count > 0)
        .where(
            ~select(AuditSubject.entry_id).where(AuditSubject.entry_id == AuditEntry.id).exists()
        )
        .limit(max_problems)
    )
    for seq, entry_id in orphaned:
        found.append(
            Problem(
                "subjects",
                seq,
                entry_id,
                _(
                    "The people recorded for entry #{seq} (id {id}) were removed.",
                    seq=seq,
                    id=entry_id,
                ),
            )
        )
    return found
