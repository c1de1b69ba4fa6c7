"""Answering a search over an index snapshot: matching every word, BM25 ranking, facet
counts from bitmaps, sorting and paging."""

from __future__ import annotations

import bisect
import heapq
import math
import operator
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import repeat

from dati.catalog.engine import Snapshot, bitmap_to_ids, ids_to_bitmap, sort_key


@dataclass
class Answer:
    ids: list[int]
    scores: dict[int, float]
    total: int
    facets: dict[str, list[tuple[str, int]]]


def run(
    snap: Snapshot,
    groups: list[set[str]],
    filters: dict[str, list[str]],
    sort: str,
    offset: int,
    limit: int,
    facet_names: Sequence[str],
    want_facets: bool,
) -> Answer:
    allowed = snap.all_ids
    for facet, values in filters.items():
        allowed &= _union(snap.facets.get((facet, v), 0) for v in values)
    narrowed = bool(filters)
    if groups:
        fast = _fast_relevance(snap, groups, allowed if narrowed else None, offset, limit, sort)
        if fast is not None:
            page, scores, candidates = fast
            bitmap = ids_to_bitmap(candidates) if want_facets else 0
            facets = _facet_counts(snap, bitmap, facet_names) if want_facets else {}
            return Answer(page, scores, len(candidates), facets)
        matches = _match_words(snap, groups)
        if matches is None:
            return Answer([], {}, 0, {f: [] for f in facet_names} if want_facets else {})
        candidates, totals = matches
        if narrowed:
            candidates, totals = _keep(candidates, totals, allowed)
        bitmap = ids_to_bitmap(candidates) if want_facets else 0
        total = len(candidates)
        if sort == "relevance":
            # nlargest is stable and candidates ascend, so equal scores list the older id first
            best = heapq.nlargest(offset + limit, range(total), key=totals.__getitem__)
            chosen = best[offset:]
        else:
            by_key = sorted(
                range(total), key=lambda j: sort_key(sort, candidates[j], snap.keys[candidates[j]])
            )
            chosen = by_key[offset : offset + limit]
        page = [candidates[j] for j in chosen]
        scores = {candidates[j]: totals[j] for j in chosen}
    else:
        bitmap = allowed
        total = allowed.bit_count()
        page = _page_of_bitmap(snap, allowed, narrowed, sort, offset, limit, total)
        scores = dict.fromkeys(page, 0.0)
    facets = _facet_counts(snap, bitmap, facet_names) if want_facets else {}
    return Answer(page, scores, total, facets)


def word_idf(documents: int, df: int) -> float:
    """BM25's idf, per hundredth of impact (impacts are stored in hundredths)."""
    return math.log(1 + (documents - df + 0.5) / (df + 0.5)) / 100


TA_MAX_DEPTH = 20000  # positions walked down the impact lists before scoring everything
SCORE_ALL_BELOW = 2000  # with fewer matches than this, every match is scored


def _fast_relevance(
    snap: Snapshot,
    groups: list[set[str]],
    allowed: int | None,
    offset: int,
    limit: int,
    sort: str,
) -> tuple[list[int], dict[int, float], list[int]] | None:
    """Relevance ranking without scoring every match (Fagin's threshold algorithm).

    Walk each word's postings from the highest impact down, score each resource met, and stop
    once the k-th best score beats the best any unseen resource could still reach. The total
    is the size of the intersection, done with sets. None when the walk gets too deep: then
    every match is scored.
    """
    if sort != "relevance":
        return None
    n = snap.documents
    lists = []
    for group in groups:
        present = sorted(t for t in group if t in snap.postings)
        if not present:
            return ([], {}, [])
        ids, imps, order = snap.word_postings(present)
        # a word's stems count once, with the rarer stem's weight (as scoring every match does)
        idf = word_idf(n, min(len(snap.postings[t][0]) for t in present))
        lists.append((idf, ids, imps, order))
    lists.sort(key=lambda item: len(item[1]))
    matches: set[int] | None = None
    for _idf, ids, _imps, _order in lists:
        if matches is None:
            matches = set(ids)
        else:
            matches.intersection_update(ids)
    candidates = sorted(matches or ())
    if allowed is not None:
        candidates, _ = _keep(candidates, [0.0] * len(candidates), allowed)
    wanted = offset + limit
    if len(candidates) <= SCORE_ALL_BELOW:  # few matches: scoring them all is cheaper
        scored = [(score, -rid) for rid in candidates if (score := _score(rid, lists)) is not None]
        ranked = heapq.nlargest(wanted, scored)[offset:]
        return [-r for _s, r in ranked], {-r: s for s, r in ranked}, candidates
    best: list[tuple[float, int]] = []  # min-heap of (score, -id): the worst kept at the top
    seen: set[int] = set()
    depth = max(len(order) for *_, order in lists)
    for pos in range(min(depth, TA_MAX_DEPTH)):
        threshold = 0.0
        for idf, ids, imps, order in lists:
            if pos >= len(order):
                continue
            j = order[pos]
            threshold += idf * imps[j]
            rid = ids[j]
            if rid in seen:
                continue
            seen.add(rid)
            if allowed is not None and not allowed >> rid & 1:
                continue
            score = _score(rid, lists)
            if score is None:
                continue
            item = (score, -rid)
            if len(best) < wanted:
                heapq.heappush(best, item)
            elif item > best[0]:
                heapq.heapreplace(best, item)
        if len(best) == wanted and best[0][0] > threshold:
            break
    else:
        if depth > TA_MAX_DEPTH:
            return None
    ranked = sorted(best, reverse=True)[offset:]
    return [-r for _s, r in ranked], {-r: s for s, r in ranked}, candidates


def _score(rid: int, lists: list[tuple[float, array[int], array[int], list[int]]]) -> float | None:
    total = 0.0
    for idf, ids, imps, _order in lists:
        pos = bisect.bisect_left(ids, rid)
        if pos == len(ids) or ids[pos] != rid:
            return None
        total += idf * imps[pos]
    return total


def _union(bitmaps: Iterable[int]) -> int:
    out = 0
    for bm in bitmaps:
        out |= bm
    return out


def _keep(
    candidates: list[int], totals: list[float], allowed: int
) -> tuple[list[int], list[float]]:
    """The candidates (and their scores) that the facet filters allow."""
    if len(candidates) > 2000:
        permitted = set(bitmap_to_ids(ids_to_bitmap(candidates) & allowed))
        keep = [j for j, i in enumerate(candidates) if i in permitted]
    else:
        keep = [j for j, i in enumerate(candidates) if allowed >> i & 1]
    return [candidates[j] for j in keep], [totals[j] for j in keep]


def _match_words(snap: Snapshot, groups: list[set[str]]) -> tuple[list[int], list[float]] | None:
    """Resources containing every query word (any of its stems), ascending, with BM25 scores.

    The heavy loops run inside C (set intersection, dict lookups through map), because a
    common word can match half the catalogue.
    """
    n = snap.documents
    lists: list[list[tuple[float, array[int], array[int]]]] = []
    for group in groups:
        entries = [snap.postings[t] for t in sorted(group) if t in snap.postings]
        if not entries:
            return None
        # A word scores once: the weight of its rarer stem times its best impact.
        idf = word_idf(n, min(len(ids) for ids, _imps in entries))
        lists.append([(idf, ids, imps) for ids, imps in entries])
    lists.sort(key=lambda alts: sum(len(a[1]) for a in alts))
    if len(lists) == 1 and len(lists[0]) == 1:
        idf, ids, imps = lists[0][0]
        return list(ids), list(map(idf.__mul__, imps))
    candidates: set[int] = set().union(*(a[1] for a in lists[0]))
    for alts in lists[1:]:
        if len(alts) == 1:
            candidates.intersection_update(alts[0][1])
        else:
            candidates &= set().union(*(a[1] for a in alts))
        if not candidates:
            return None
    ordered = sorted(candidates)
    totals = [0.0] * len(ordered)
    for alts in lists:
        best: list[float] | None = None
        for idf, ids, imps in alts:
            lookup = dict(zip(ids, imps, strict=True))
            part = list(map(idf.__mul__, map(lookup.get, ordered, repeat(0))))
            best = part if best is None else list(map(max, best, part))
        totals = list(map(operator.add, totals, best or []))
    return ordered, totals


def _page_of_bitmap(
    snap: Snapshot, allowed: int, narrowed: bool, sort: str, offset: int, limit: int, total: int
) -> list[int]:
    sort = "title" if sort == "relevance" else sort
    if not narrowed:
        return snap.order(sort)[offset : offset + limit]
    if total <= 3000 or offset > 2000:
        ids = bitmap_to_ids(allowed)
        ids.sort(key=lambda i: sort_key(sort, i, snap.keys[i]))
        return ids[offset : offset + limit]
    page: list[int] = []
    skipped = 0
    for rid in snap.order(sort):  # dense result: walk the global order
        if allowed >> rid & 1:
            if skipped < offset:
                skipped += 1
                continue
            page.append(rid)
            if len(page) == limit:
                break
    return page


def _facet_counts(
    snap: Snapshot, bitmap: int, names: Sequence[str]
) -> dict[str, list[tuple[str, int]]]:
    out: dict[str, list[tuple[str, int]]] = {name: [] for name in names}
    for (facet, value), bm in snap.facets.items():
        if facet in out:
            count = (bm & bitmap).bit_count()
            if count:
                out[facet].append((value, count))
    for values in out.values():
        values.sort(key=lambda item: (-item[1], item[0]))
    return out
