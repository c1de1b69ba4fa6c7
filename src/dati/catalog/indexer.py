"""Keeps the catalogue's own search index: stemmed terms with BM25 impacts and facet values
per resource, plus a log of changed resources. Written by the service layer on every change,
so it works the same on SQLite and PostgreSQL and needs neither FTS5 nor tsvector.
``catalog/engine.py`` reads it.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session, selectinload

from dati.catalog import stemmer, vocabularies
from dati.catalog.models import (
    FacetValue,
    IndexLog,
    Resource,
    ResourceField,
    SearchDocument,
    SearchPosting,
    SearchStats,
)

# Weights per property (a BM25F-like field boost): a word in a title counts three times.
TITLE, KEYWORD, OWNER, BODY = 3.0, 2.0, 2.0, 1.0
MAX_TERM = 64
K1, B = 1.2, 0.75
DIRTY = "catalog_index_dirty"  # session.info flag: this transaction changed the index
FACETS = ("org", "theme", "format", "access", "licence", "hvd", "personal")


def document_terms(resource: Resource) -> dict[str, float]:
    """Weighted term frequencies of everything a searcher may type about a resource."""
    tf: defaultdict[str, float] = defaultdict(float)

    def add(terms: Iterable[str], weight: float) -> None:
        for term in terms:
            if term not in stemmer.STOP_WORDS:
                tf[term[:MAX_TERM]] += weight

    add(stemmer.terms_lv(resource.title_lv), TITLE)
    add(stemmer.terms_en(resource.title_en), TITLE)
    add(stemmer.terms_lv(" ".join(resource.keywords_lv or [])), KEYWORD)
    add(stemmer.terms_en(" ".join(resource.keywords_en or [])), KEYWORD)
    add(stemmer.terms_lv(resource.description_lv), BODY)
    add(stemmer.terms_en(resource.description_en), BODY)
    owner = resource.owner
    add(stemmer.words(owner.short_name), OWNER)
    add(stemmer.terms_lv(owner.name_lv), BODY)
    for field in resource.fields:
        add(_identifier_terms(field.name), BODY)
        add(stemmer.terms_lv(field.title_lv), BODY)
        add(stemmer.terms_en(field.title_en), BODY)
        term = field.glossary_term
        if term is not None:
            add(stemmer.terms_lv(term.term_lv), BODY)
            add(stemmer.terms_en(term.term_en), BODY)
    return tf


def _identifier_terms(name: str) -> set[str]:
    """Field names are language-neutral identifiers: index both stems of each part."""
    parts = stemmer.words(name)
    return {stemmer.stem_lv(p) for p in parts} | {stemmer.stem_en(p) for p in parts}


def facet_values(resource: Resource) -> set[tuple[str, str]]:
    values = {
        ("org", resource.owner.short_name),
        ("access", resource.access_rights.value),
        ("personal", "yes" if resource.personal_data else "no"),
    }
    values |= {("theme", t) for t in resource.themes or []}
    for dist in resource.distributions:
        if dist.format:
            values.add(("format", vocabularies.format_code(dist.format) or dist.format.upper()))
    if resource.licence:
        values.add(("licence", vocabularies.licence_code(resource.licence) or resource.licence))
    if resource.hvd_category:
        values.add(("hvd", resource.hvd_category))
    return {(facet, value[:300]) for facet, value in values}


def impacts(tf: Mapping[str, float], avgdl: float) -> dict[str, int]:
    """BM25's term-frequency part with length normalisation, in hundredths (0-220); the idf
    is applied at query time."""
    length = float(sum(tf.values()))
    norm = K1 * (1 - B + B * length / max(avgdl, 1.0))
    return {term: round(100 * freq * (K1 + 1) / (freq + norm)) for term, freq in tf.items()}


def index_resources(session: Session, resources: Sequence[Resource]) -> None:
    """(Re)write postings and facet values of these resources, adjust totals, log the change."""
    if not resources:
        return
    ids = [r.id for r in resources]
    lengths = list(
        session.scalars(select(SearchDocument.length).where(SearchDocument.resource_id.in_(ids)))
    )
    old_docs, old_length = len(lengths), sum(lengths)
    for table in (SearchPosting, FacetValue, SearchDocument):
        session.execute(delete(table).where(table.resource_id.in_(ids)))
    documents, average = stats(session)
    postings, facets, documents_rows, new_length = [], [], [], 0.0
    for resource in resources:
        tf = document_terms(resource)
        length = float(sum(tf.values()))
        new_length += length
        documents_rows.append(document_row(resource, length))
        postings += [
            {"term": t, "resource_id": resource.id, "impact": w}
            for t, w in impacts(tf, average if documents else length).items()
        ]
        facets += [
            {"resource_id": resource.id, "facet": f, "value": v} for f, v in facet_values(resource)
        ]
    if postings:
        session.execute(insert(SearchPosting), postings)
    session.execute(insert(FacetValue), facets)
    session.execute(insert(SearchDocument), documents_rows)
    adjust_stats(session, len(documents_rows) - old_docs, new_length - old_length)
    log_change(session, ids)


def document_row(resource: Resource, length: float) -> dict[str, object]:
    return {
        "resource_id": resource.id,
        "length": length,
        "sort_title": stemmer.fold(resource.title_lv)[:100],
        "modified": resource.modified,
        "quality_score": resource.quality_score or 0,
        "created_at": resource.created_at,
    }


def log_change(session: Session, ids: Sequence[int]) -> None:
    session.execute(
        insert(IndexLog), [{"resource_id": i, "token": secrets.token_hex(8)} for i in ids]
    )
    session.info[DIRTY] = True


def prune_log(session: Session, keep: int = 20000) -> None:
    """Forget all but the newest log rows; a process whose copy is older simply reloads."""
    newest = session.scalar(select(IndexLog.id).order_by(IndexLog.id.desc()).limit(1))
    if newest is not None and newest > keep:
        session.execute(delete(IndexLog).where(IndexLog.id <= newest - keep))


def remove_resource(session: Session, resource_id: int) -> None:
    length = session.scalar(
        select(SearchDocument.length).where(SearchDocument.resource_id == resource_id)
    )
    for table in (SearchPosting, FacetValue, SearchDocument):
        session.execute(delete(table).where(table.resource_id == resource_id))
    if length is not None:
        adjust_stats(session, -1, -length)
    log_change(session, [resource_id])


def adjust_stats(session: Session, documents: int, length: float) -> None:
    # An atomic increment, so app nodes indexing at the same time do not lose updates.
    done = session.execute(
        update(SearchStats)
        .where(SearchStats.id == 1)
        .values(
            documents=SearchStats.documents + documents,
            total_length=SearchStats.total_length + length,
        )
    )
    if getattr(done, "rowcount", 0) == 0:
        session.add(SearchStats(id=1, documents=max(documents, 0), total_length=max(length, 0.0)))
        session.flush()


def rebuild(session: Session, batch: int = 500) -> int:
    """Rebuild the whole index from the resources; returns how many were indexed."""
    for table in (SearchPosting, FacetValue, SearchDocument):
        session.execute(delete(table))
    session.execute(update(SearchStats).values(documents=0, total_length=0.0))
    session.flush()
    ids = list(session.scalars(select(Resource.id).order_by(Resource.id)))
    for start in range(0, len(ids), batch):
        chunk = session.scalars(
            select(Resource)
            .where(Resource.id.in_(ids[start : start + batch]))
            .options(
                selectinload(Resource.fields).joinedload(ResourceField.glossary_term),
                selectinload(Resource.distributions),
            )
        ).all()
        index_resources(session, chunk)
    return len(ids)


def stats(session: Session) -> tuple[int, float]:
    """(number of indexed documents, average document length)."""
    row = session.execute(
        select(SearchStats.documents, SearchStats.total_length).where(SearchStats.id == 1)
    ).first()
    if row is None or row.documents <= 0:
        return 0, 1.0
    return row.documents, max(row.total_length / row.documents, 1.0)
