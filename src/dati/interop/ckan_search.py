"""package_search: CKAN's Solr-style parameters translated to the catalogue's search.

``q`` is free text for the catalogue's Latvian-aware ranking; ``field:value`` parts of q
and ``fq`` (``field:value``, ``field:"a value"``, ``field:(a OR b)``, joined by spaces or
AND) filter on the catalogue's facets: organization (or owner_org by id), groups (EU data
themes), res_format, license_id, access_rights, hvd_category. ``name:`` and ``id:`` pick
datasets exactly, on their own. The catalogue's index keeps no keyword facet, so
``tags:x`` searches x as a word and the tags facet counts keywords among the first
MAX_TAG_SCAN matches (exact for smaller result sets).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dati.auth.permissions import require
from dati.catalog import search as catalog_search
from dati.catalog import vocabularies
from dati.catalog.models import Resource
from dati.catalog.search import MAX_PAGE_SIZE, SearchQuery, SearchResult, Sort
from dati.i18n import gettext as _
from dati.i18n import pick
from dati.interop import ckan_actions
from dati.interop.ckan_params import Call, SearchQueryError, names, number, text
from dati.interop.permissions import READ_CKAN
from dati.orgs import service as orgs_service
from dati.orgs.models import Organisation

MAX_ROWS = 1000
MAX_TAG_SCAN = 1000
FACET_LIMIT = 50
# CKAN field -> the catalogue's facet
FACETS = {
    "organization": "org",
    "groups": "theme",
    "res_format": "format",
    "license_id": "licence",
    "access_rights": "access",
    "hvd_category": "hvd",
}
# Filters that are no facet of their own: CKAN's organisation pages filter by owner_org id.
FILTER_ONLY = {"owner_org": "org"}
# Fields naming datasets exactly; they stand alone (no ranking or facet filter beside them).
EXACT = ("name", "id")
# Fields CKAN's own UI adds to every query; dati has only public, active datasets.
IGNORED = {"dataset_type", "type", "state", "capacity", "site_id"}
SORTS = {
    "score": Sort.RELEVANCE,
    "metadata_modified": Sort.MODIFIED,
    "title_string": Sort.TITLE,
    "title": Sort.TITLE,
    "name": Sort.TITLE,
    "metadata_created": Sort.NEWEST,
}
_TERM = re.compile(r'(?<![\w"])([+-]?)([a-z_]+):("([^"]*)"|\(([^)]*)\)|([^\s()"]+))')


def _terms(expression: str) -> tuple[dict[str, list[str]], str]:
    """(field -> accepted values, the text left over) from a Solr-style expression."""
    fields: dict[str, list[str]] = {}
    for sign, field, _whole, quoted, grouped, bare in _TERM.findall(expression):
        if sign == "-":
            raise SearchQueryError(_("Excluding values (-{field}:) is not supported.", field=field))
        if grouped:
            values = [v.strip().strip('"') for v in re.split(r"\s+OR\s+", grouped) if v.strip()]
        else:
            values = [quoted if quoted else bare]
        fields.setdefault(field, []).extend(values)
    rest = _TERM.sub(" ", expression)
    rest = re.sub(r"\b(AND|OR)\b", " ", rest).replace("*:*", " ")
    return fields, " ".join(rest.split())


def _filters(
    session: Session, fields: dict[str, list[str]]
) -> tuple[dict[str, list[str]], list[str]]:
    """Catalogue facet filters, and words to search for (tags, names, free text fields)."""
    filters: dict[str, list[str]] = {}
    words: list[str] = []
    for field, values in fields.items():
        if field in IGNORED:
            continue
        if field in ("tags", "text", "title", "notes"):
            words.extend(values)
            continue
        facet = FACETS.get(field) or FILTER_ONLY.get(field)
        if facet is None:
            raise SearchQueryError(_("Cannot filter by {field}.", field=field))
        filters.setdefault(facet, []).extend(_facet_value(session, facet, v) for v in values)
    return filters, words


def _facet_value(session: Session, facet: str, value: str) -> str:
    """A CKAN value (lower-case names) as the catalogue indexes it."""
    if facet == "org":
        if value.isdigit():  # owner_org: the organization's id
            by_id = session.get(Organisation, int(value))
            return by_id.short_name if by_id is not None else value
        org = orgs_service.find_by_short_name(session, value)
        return org.short_name if org is not None else value
    if facet == "theme":
        return value.upper()
    if facet == "licence":
        return vocabularies.licence_code(value) or value
    if facet == "format":
        return vocabularies.format_code(value) or value.upper()
    return value


def _sort(value: str) -> Sort:
    first = value.split(",")[0].strip()
    field = first.split(" ")[0] if first else "score"
    if field not in SORTS:
        raise SearchQueryError(_("Cannot sort by {field}.", field=field))
    return SORTS[field]


def _search(call: Call, query: SearchQuery) -> SearchResult:
    return catalog_search.search_resources(session=call.session, actor=call.actor, query=query)


def _window(
    call: Call, query: SearchQuery, start: int, rows: int
) -> tuple[list[Resource], SearchResult]:
    """Rows start..start+rows of the ranking, read in the catalogue's pages of 100."""
    first = _search(call, _page_query(query, start // MAX_PAGE_SIZE + 1, facets=query.facets))
    found = list(first.resources)
    offset = start % MAX_PAGE_SIZE
    page = start // MAX_PAGE_SIZE + 1
    while len(found) - offset < rows and page * MAX_PAGE_SIZE < first.total:
        page += 1
        found += _search(call, _page_query(query, page, facets=False)).resources
    return found[offset : offset + rows], first


def _page_query(query: SearchQuery, page: int, *, facets: bool) -> SearchQuery:
    return SearchQuery(
        q=query.q,
        filters=query.filters,
        sort=query.sort,
        page=page,
        page_size=MAX_PAGE_SIZE,
        facets=facets,
    )


def package_search(call: Call) -> dict[str, Any]:
    """Datasets matching q and fq, ranked or sorted, with the facets asked for."""
    params = call.params
    rows = number(params, "rows", 10, 0, MAX_ROWS)
    start = number(params, "start", 0, 0, 10**9)
    q_fields, q_words = _terms(text(params, "q"))
    fq_fields, fq_words = _terms(" ".join(names(params, "fq")))
    exact = [v for fields in (q_fields, fq_fields) for f in EXACT for v in fields.pop(f, [])]
    filters, words = _filters(call.session, q_fields)
    fq_filters, more_words = _filters(call.session, fq_fields)
    for facet, values in fq_filters.items():  # q and fq both filter: a dataset meets both
        filters[facet] = [v for v in filters[facet] if v in values] if facet in filters else values
    words = [q_words, fq_words, *words, *more_words]
    facet_fields = names(params, "facet.field")
    unknown = [f for f in facet_fields if f not in FACETS and f != "tags"]
    if unknown:
        raise SearchQueryError(_("Cannot facet by {field}.", field=", ".join(unknown)))
    limit = number(params, "facet.limit", FACET_LIMIT, -1, 10**6)
    if exact:
        if any(words) or filters:
            raise SearchQueryError(
                _("name: and id: pick datasets exactly and cannot be combined with other terms.")
            )
        return _exact(call, exact, facet_fields, limit, start, rows)
    query = SearchQuery(
        q=" ".join(w for w in words if w).strip(),
        filters=filters,
        sort=_sort(text(params, "sort", "score desc")),
        facets=bool(facet_fields),
    )
    if rows:
        found, first = _window(call, query, start, rows)
    else:  # only the count and facets
        found, first = [], _search(call, _page_query(query, 1, facets=query.facets))
    counted: dict[str, list[tuple[str, int]]] = {}
    for field in facet_fields:
        if field == "tags":
            counted[field] = _tag_counts(call, query, first)
        else:
            counted[field] = [
                (_ckan_value(field, v), n) for v, n in first.facets.get(FACETS[field], [])
            ]
    return {
        "count": first.total,
        "sort": text(params, "sort", "score desc, metadata_modified desc"),
        **_facet_answer(counted, limit),
        "results": ckan_actions.package_dicts(call, found),
    }


def _facet_answer(counted: dict[str, list[tuple[str, int]]], limit: int) -> dict[str, Any]:
    """``facets`` and ``search_facets`` as CKAN shapes them, most frequent first."""
    facets: dict[str, dict[str, int]] = {}
    search_facets: dict[str, Any] = {}
    for field, unsorted in counted.items():
        counts = sorted(unsorted, key=lambda item: (-item[1], item[0]))
        if limit >= 0:
            counts = counts[:limit]
        facets[field] = dict(counts)
        search_facets[field] = {
            "title": field,
            "items": [
                {"name": value, "display_name": _display(field, value), "count": n}
                for value, n in counts
            ],
        }
    return {"facets": facets, "search_facets": search_facets}


def _exact(
    call: Call, keys: list[str], facet_fields: list[str], limit: int, start: int, rows: int
) -> dict[str, Any]:
    """The datasets named (or numbered) in ``name:``/``id:``, facets counted over them."""
    require(call.actor, READ_CKAN)
    numbers = [int(k) for k in keys if k.isdigit()]
    stmt = (
        select(Resource)
        .where(or_(Resource.name.in_(keys), Resource.id.in_(numbers)))
        .order_by(Resource.name)
    )
    packages = ckan_actions.package_dicts(call, list(call.session.scalars(stmt)))
    counted: dict[str, list[tuple[str, int]]] = {}
    for field in facet_fields:
        values: Counter[str] = Counter()
        for package in packages:
            values.update(set(_package_values(package, field)))
        counted[field] = list(values.items())
    return {
        "count": len(packages),
        "sort": text(call.params, "sort", "score desc, metadata_modified desc"),
        **_facet_answer(counted, limit),
        "results": packages[start : start + rows],
    }


def _package_values(package: dict[str, Any], field: str) -> list[str]:
    """A package dictionary's values for a facet, as package_search counts them."""
    if field == "organization":
        return [package["organization"]["name"]]
    if field == "groups":
        return [g["name"] for g in package["groups"]]
    if field == "tags":
        return [t["name"] for t in package["tags"]]
    if field == "res_format":
        return [r["format"] for r in package["resources"] if r["format"]]
    if field == "license_id":
        return [package["license_id"]] if package["license_id"] else []
    extras = {e["key"]: e["value"] for e in package["extras"]}
    return [extras[field]] if extras.get(field) else []


def _ckan_value(field: str, value: str) -> str:
    return value.lower() if field in ("organization", "groups") else value


def _display(field: str, value: str) -> str:
    if field == "groups" and value.upper() in vocabularies.THEMES:
        return pick(*vocabularies.THEMES[value.upper()])
    if field == "license_id":
        return vocabularies.licence_label(value)
    return value


def _tag_counts(call: Call, query: SearchQuery, first: SearchResult) -> list[tuple[str, int]]:
    scanned, _first = _window(call, query, 0, min(first.total, MAX_TAG_SCAN))
    counts: Counter[str] = Counter()
    for resource in scanned:
        counts.update({*(resource.keywords_lv or []), *(resource.keywords_en or [])})
    return list(counts.items())


ACTIONS = {"package_search": package_search}
