"""The query side of catalogue search: an in-memory copy of the index tables per process.

The tables (postings, facet values, the change log) are the shared, transactional truth;
each app process keeps a copy as compact arrays and bitmaps and catches up from
``catalog_index_log`` before answering. A copy is only ever updated from committed data
(a session that changed the index in its open transaction gets a private copy), and a log
head the copy has never seen, or a seen row that has vanished (rolled back), forces a
full reload. So every node answers from the same data, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import bisect
import json
import threading
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Text, cast, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import InstrumentedAttribute, Session

from dati.catalog.indexer import DIRTY
from dati.catalog.models import FacetValue, IndexLog, SearchDocument, SearchPosting

INCREMENTAL_LIMIT = 2000  # more changed resources than this: reload everything
HISTORY = 512
_BITS = [tuple(b for b in range(8) if byte >> b & 1) for byte in range(256)]
Version = tuple[int, str]


def ids_to_bitmap(ids: Iterable[int]) -> int:
    ids = list(ids)
    if not ids:
        return 0
    buf = bytearray((max(ids) >> 3) + 1)
    for i in ids:
        buf[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(buf, "little")


def bitmap_to_ids(bitmap: int) -> list[int]:
    data = bitmap.to_bytes((bitmap.bit_length() + 7) // 8, "little")
    out: list[int] = []
    for index, byte in enumerate(data):
        if byte:
            base = index << 3
            out.extend(base + b for b in _BITS[byte])
    return out


@dataclass(frozen=True)
class SortKeys:
    title: str
    modified: int  # date ordinal, 0 when unknown
    quality: int
    created: float


@dataclass
class Snapshot:
    postings: dict[str, tuple[array[int], array[int]]]
    doc_terms: dict[int, tuple[str, ...]] | None  # built on the first change, not at load
    facets: dict[tuple[str, str], int]
    keys: dict[int, SortKeys]
    all_ids: int
    version: Version | None
    history: frozenset[Version] = frozenset()
    _orders: dict[str, list[int]] = field(default_factory=dict)
    _impact_orders: dict[str, list[int]] = field(default_factory=dict)
    _merged: dict[str, tuple[array[int], array[int]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def documents(self) -> int:
        return len(self.keys)

    def word_postings(self, terms: Sequence[str]) -> tuple[array[int], array[int], list[int]]:
        """One query word's postings: its stems' lists merged (the higher impact wins), and
        their positions from the highest impact down (equal impacts: lower id first).
        Merged lists and orders are cached for the life of the snapshot."""
        key = "|".join(sorted(terms))
        cached = self._impact_orders.get(key)
        if len(terms) == 1:
            ids, imps = self.postings[terms[0]]
        elif key in self._merged:
            ids, imps = self._merged[key]
        else:
            best: dict[int, int] = {}
            for term in terms:
                for rid, imp in zip(*self.postings[term], strict=True):
                    if imp > best.get(rid, -1):
                        best[rid] = imp
            ordered = sorted(best)
            ids, imps = array("i", ordered), array("H", map(best.__getitem__, ordered))
            self._merged[key] = (ids, imps)
        if cached is None:
            cached = sorted(range(len(imps)), key=imps.__getitem__, reverse=True)
            self._impact_orders[key] = cached
        return ids, imps, cached

    def order(self, sort: str) -> list[int]:
        """Every resource id in the order of a sort, computed once per snapshot."""
        with self._lock:
            if sort not in self._orders:
                self._orders[sort] = sorted(
                    self.keys, key=lambda i: sort_key(sort, i, self.keys[i])
                )
            return self._orders[sort]


def sort_key(sort: str, rid: int, k: SortKeys) -> tuple[object, ...]:
    if sort == "modified":
        return (-k.modified, rid)
    if sort == "quality":
        return (-k.quality, rid)
    if sort == "newest":
        return (-k.created, -rid)
    return (k.title, rid)


def _keys(row: tuple[int, str, date | None, int, datetime | None]) -> SortKeys:
    _id, title, modified, quality, created = row
    return SortKeys(
        title or "",
        modified.toordinal() if modified else 0,
        quality or 0,
        created.timestamp() if created else 0.0,
    )


def _head(session: Session) -> Version | None:
    row = session.execute(
        select(IndexLog.id, IndexLog.token).order_by(IndexLog.id.desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def _group_postings(
    rows: Iterable[tuple[str, int, int]],
) -> dict[str, tuple[array[int], array[int]]]:
    grouped: dict[str, tuple[array[int], array[int]]] = {}
    for term, rid, impact in rows:
        entry = grouped.get(term)
        if entry is None:
            entry = grouped[term] = (array("i"), array("H"))
        entry[0].append(rid)
        entry[1].append(impact)
    return grouped


_KEY_COLUMNS = (
    SearchDocument.resource_id,
    SearchDocument.sort_title,
    SearchDocument.modified,
    SearchDocument.quality_score,
    SearchDocument.created_at,
)


def _aggregate(
    session: Session, column: InstrumentedAttribute[Any], order_by: InstrumentedAttribute[Any]
) -> ColumnElement[str]:
    """Comma-joined values per group in ``order_by`` order, computed by the database (the one
    dialect difference; SQLite's group_concat follows the clustered primary key it scans)."""
    if session.get_bind().dialect.name == "postgresql":
        comma: ColumnElement[str] = literal_column("','")
        return func.string_agg(cast(column, Text), aggregate_order_by(comma, order_by))
    return func.group_concat(column, ",")


def load(session: Session) -> Snapshot:
    """Read the whole index (a cold start, or after changes too many to apply one by one).

    The database joins each term's resource ids into one string, so Python parses a few
    thousand strings at C speed instead of handling millions of rows.
    """
    version = _head(session)
    conn = session.connection()
    ids_col = _aggregate(session, SearchPosting.resource_id, SearchPosting.resource_id)
    imps_col = _aggregate(session, SearchPosting.impact, SearchPosting.resource_id)
    postings: dict[str, tuple[array[int], array[int]]] = {}
    rows = conn.execute(select(SearchPosting.term, ids_col, imps_col).group_by(SearchPosting.term))
    for term, ids, imps in rows:
        # json.loads parses a long list of numbers several times faster than int() per item.
        id_list = json.loads(f"[{ids}]")
        imp_list = json.loads(f"[{imps}]")
        if id_list != sorted(id_list):  # an aggregate is free to change the order
            pairs = sorted(zip(id_list, imp_list, strict=True))
            id_list, imp_list = [p[0] for p in pairs], [p[1] for p in pairs]
        postings[term] = (array("i", id_list), array("H", imp_list))
    facets: dict[tuple[str, str], int] = {}
    for facet, value, ids in conn.execute(
        select(
            FacetValue.facet,
            FacetValue.value,
            _aggregate(session, FacetValue.resource_id, FacetValue.resource_id),
        ).group_by(FacetValue.facet, FacetValue.value)
    ):
        facets[(facet, value)] = ids_to_bitmap(json.loads(f"[{ids}]"))
    keys = {row[0]: _keys(row) for row in conn.execute(select(*_KEY_COLUMNS))}
    return Snapshot(
        postings=postings,
        doc_terms=None,
        facets=facets,
        keys=keys,
        all_ids=ids_to_bitmap(keys),
        version=version,
        history=frozenset({version} if version else ()),
    )


def _doc_terms(postings: dict[str, tuple[array[int], array[int]]]) -> dict[int, tuple[str, ...]]:
    terms: dict[int, list[str]] = {}
    for term, (ids, _imps) in postings.items():
        for rid in ids:
            terms.setdefault(rid, []).append(term)
    return {rid: tuple(t) for rid, t in terms.items()}


def apply(snapshot: Snapshot, session: Session, changed: Sequence[int], head: Version) -> Snapshot:
    """A new snapshot with the given resources re-read; the old one stays valid for readers."""
    changed_set = set(changed)
    mask = ids_to_bitmap(changed)
    new_rows = session.execute(
        select(SearchPosting.term, SearchPosting.resource_id, SearchPosting.impact)
        .where(SearchPosting.resource_id.in_(changed))
        .order_by(SearchPosting.term, SearchPosting.resource_id)
    ).all()
    fresh = _group_postings(new_rows)
    old_terms = (
        snapshot.doc_terms if snapshot.doc_terms is not None else _doc_terms(snapshot.postings)
    )
    affected = set(fresh) | {t for rid in changed for t in old_terms.get(rid, ())}
    postings = dict(snapshot.postings)
    for term in affected:
        old_ids, old_imps = postings.get(term, (array("i"), array("H")))
        pairs = [(i, w) for i, w in zip(old_ids, old_imps, strict=True) if i not in changed_set]
        if term in fresh:
            pairs.extend(zip(fresh[term][0], fresh[term][1], strict=True))
            pairs.sort()
        if pairs:
            postings[term] = (array("i", (p[0] for p in pairs)), array("H", (p[1] for p in pairs)))
        else:
            postings.pop(term, None)
    doc_terms = dict(old_terms)
    for rid in changed:
        doc_terms.pop(rid, None)
    for term, (ids, _imps) in fresh.items():
        for rid in ids:
            doc_terms[rid] = (*doc_terms.get(rid, ()), term)
    facets = {k: bm & ~mask for k, bm in snapshot.facets.items()}
    for rid, facet, value in session.execute(
        select(FacetValue.resource_id, FacetValue.facet, FacetValue.value).where(
            FacetValue.resource_id.in_(changed)
        )
    ):
        facets[(facet, value)] = facets.get((facet, value), 0) | (1 << rid)
    keys = {k: v for k, v in snapshot.keys.items() if k not in changed_set}
    for row in session.execute(
        select(*_KEY_COLUMNS).where(SearchDocument.resource_id.in_(changed))
    ):
        keys[row[0]] = _keys(row)
    orders = {}
    for sort, order in snapshot._orders.items():
        # Keep computed orders: drop the changed ids and put them back where they now belong.
        kept = [i for i in order if i not in changed_set]
        for rid in changed:
            if rid in keys:
                bisect.insort(kept, rid, key=lambda i, s=sort: sort_key(s, i, keys[i]))  # type: ignore[misc]
        orders[sort] = kept
    history = set(snapshot.history) | {head}
    if len(history) > HISTORY:
        history = set(sorted(history)[-HISTORY:])
    return replace(
        snapshot,
        postings=postings,
        doc_terms=doc_terms,
        facets={k: bm for k, bm in facets.items() if bm},
        keys=keys,
        all_ids=(snapshot.all_ids & ~mask) | ids_to_bitmap(r for r in changed if r in keys),
        version=head,
        history=frozenset(history),
        _orders=orders,
        _impact_orders={
            k: o for k, o in snapshot._impact_orders.items() if not affected & set(k.split("|"))
        },
        _merged={k: m for k, m in snapshot._merged.items() if not affected & set(k.split("|"))},
        _lock=threading.Lock(),
    )


class Engine:
    """Hands out an up-to-date snapshot for a session."""

    def __init__(self) -> None:
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()

    def snapshot(self, session: Session) -> Snapshot:
        if session.info.get(DIRTY):
            # This transaction changed the index and may still roll back: private copy.
            return load(session)
        head = _head(session)
        current = self._snapshot
        if current is not None and (head == current.version or head in current.history):
            return current
        with self._lock:
            current = self._snapshot
            if current is not None and (head == current.version or head in current.history):
                return current
            self._snapshot = self._catch_up(session, current, head)
            return self._snapshot

    def _catch_up(
        self, session: Session, current: Snapshot | None, head: Version | None
    ) -> Snapshot:
        if (
            current is None
            or current.version is None
            or head is None
            or head[0] <= current.version[0]
        ):
            return load(session)
        seen = session.scalar(select(IndexLog.token).where(IndexLog.id == current.version[0]))
        if seen != current.version[1]:
            return load(session)  # the row our copy is built on was rolled back or pruned
        changed = list(
            session.scalars(
                select(IndexLog.resource_id)
                .where(IndexLog.id > current.version[0], IndexLog.id <= head[0])
                .distinct()
            )
        )
        if len(changed) > INCREMENTAL_LIMIT:
            return load(session)
        return apply(current, session, changed, head)

    def reset(self) -> None:
        with self._lock:
            self._snapshot = None


ENGINE = Engine()
