"""Catalogue search: Latvian-aware words, BM25 ranking, facets and sorting.

Every query word must match through its Latvian or English stem (case and diacritics do not
matter); results are ranked by BM25 (k1 = 1.2, b = 0.75) over weighted fields. The work is
done by ``catalog/engine.py`` over the catalogue's own index, identically on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from dati.auth.actor import Actor
from dati.auth.permissions import require
from dati.catalog import engine, indexer, quality, ranking, stemmer
from dati.catalog.models import Resource
from dati.catalog.permissions import REINDEX, VIEW_CATALOGUE

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class Sort(enum.StrEnum):
    RELEVANCE = "relevance"
    TITLE = "title"
    MODIFIED = "modified"
    QUALITY = "quality"
    NEWEST = "newest"


@dataclass
class SearchQuery:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)  # facet -> accepted values
    sort: Sort = Sort.RELEVANCE
    page: int = 1
    page_size: int = PAGE_SIZE
    facets: bool = True


@dataclass
class SearchResult:
    resources: list[Resource]
    scores: dict[int, float]
    total: int
    page: int
    page_size: int
    facets: dict[str, list[tuple[str, int]]]
    sort: Sort

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))


def search_resources(*, session: Session, actor: Actor, query: SearchQuery) -> SearchResult:
    """Find resources by words (any case, with or without diacritics, any inflection) and facets."""
    require(actor, VIEW_CATALOGUE)
    page_size = max(1, min(query.page_size, MAX_PAGE_SIZE))
    page = max(1, query.page)
    groups = stemmer.query_alternatives(query.q)
    sort = query.sort if groups or query.sort is not Sort.RELEVANCE else Sort.TITLE
    filters = {
        f: [v for v in values if v]
        for f, values in query.filters.items()
        if f in indexer.FACETS and any(values)
    }
    answer = ranking.run(
        engine.ENGINE.snapshot(session),
        groups,
        filters,
        sort.value,
        (page - 1) * page_size,
        page_size,
        indexer.FACETS,
        query.facets,
    )
    rows = list(session.scalars(select(Resource).where(Resource.id.in_(answer.ids))))
    by_id = {r.id: r for r in rows}
    resources = [by_id[i] for i in answer.ids if i in by_id]
    return SearchResult(
        resources, answer.scores, answer.total, page, page_size, answer.facets, sort
    )


def reindex(*, session: Session, actor: Actor) -> int:
    """Recompute every resource's quality score and rebuild the search index."""
    require(actor, REINDEX)
    ids = list(session.scalars(select(Resource.id).order_by(Resource.id)))
    for start in range(0, len(ids), 500):
        batch = list(
            session.scalars(select(Resource).where(Resource.id.in_(ids[start : start + 500])))
        )
        quality.refresh(session, batch)
    session.flush()
    count = indexer.rebuild(session)
    indexer.prune_log(session)
    return count
