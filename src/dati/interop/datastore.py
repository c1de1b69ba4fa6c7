"""CKAN's datastore actions over the data the exchange publishes.

A CKAN "datastore resource" is a catalogue resource's current published version; its id is
the resource's name. Who may read it is decided by the exchange alone
(``exchange_service.open_dataset`` → ``authorise_read``): datastore_search reads as the
caller, datastore_search_sql as an anonymous visitor, so SQL only ever reaches open data.
Both run in the sandbox of ``datastore_sql``, over the exchange's immutable version files.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dati.auth.actor import Actor
from dati.catalog.models import Resource
from dati.errors import Forbidden, Invalid, NotAuthenticated, NotFound
from dati.exchange import service as exchange_service
from dati.exchange.agreements.services import access
from dati.exchange.models import DatasetVersion
from dati.exchange.query import Filter, parse_value
from dati.exchange.storage import ident
from dati.i18n import gettext as _
from dati.interop import datastore_sql
from dati.interop.ckan_dicts import DataResource
from dati.interop.ckan_params import Call, flag, names, number, required, text
from dati.interop.datastore_sql import MAX_ROWS, CheckedQuery

ROW_ID = "_id"  # CKAN's row number column: the row's position in the version file, from 1


def active(
    session: Session, actor: Actor, resources: Sequence[Resource]
) -> dict[int, DataResource]:
    """The resources among ``resources`` with published data the actor may read."""
    ids = [r.id for r in resources]
    if not ids:
        return {}
    newest = (
        select(DatasetVersion.resource_id, func.max(DatasetVersion.number).label("number"))
        .where(DatasetVersion.resource_id.in_(ids))
        .group_by(DatasetVersion.resource_id)
        .subquery()
    )
    rows = session.execute(
        select(
            DatasetVersion.resource_id,
            DatasetVersion.rows,
            DatasetVersion.size_bytes,
            DatasetVersion.created_at,
        )
        .join(
            newest,
            (newest.c.resource_id == DatasetVersion.resource_id)
            & (newest.c.number == DatasetVersion.number),
        )
        .where(DatasetVersion.files_removed_at.is_(None))
    )
    by_id = {r.id: r for r in resources}
    out = {}
    for resource_id, count, size, created in rows:
        if exchange_service.may_read(session, actor, by_id[resource_id]):
            out[resource_id] = DataResource(count, size, created)
    return out


def _open(call: Call, name: str, actor: Actor) -> exchange_service.Dataset:
    try:
        return exchange_service.open_dataset(
            session=call.session,
            actor=actor,
            name=name,
            store=exchange_service.store_for(call.settings),
            secret=call.settings.effective_secret_key,
        )
    except NotFound:
        # One answer for "no such resource", "no data" and "not yours": none is shown.
        raise NotFound(_("Resource {id} does not exist.", id=name)) from None


def _open_for_sql(call: Call, name: str, anonymous: Actor) -> Path:
    """SQL runs as an anonymous visitor: data that is not open is simply not there for it."""
    try:
        return _open(call, name, anonymous).path
    except (NotAuthenticated, Forbidden):
        raise NotFound(_("Resource {id} does not exist.", id=name)) from None


def _json_param(value: Any, name: str) -> Any:
    if isinstance(value, str) and value.strip().startswith(("{", "[")):
        try:
            return json.loads(value)
        except ValueError:
            raise Invalid(_("Invalid JSON"), errors={name: _("Invalid JSON")}) from None
    return value


def _column(dataset: exchange_service.Dataset, name: str, param: str) -> str:
    if name != ROW_ID and dataset.schema.field(name) is None:
        raise Invalid(
            _("Field {name} does not exist.", name=name),
            errors={param: _("Field {name} does not exist.", name=name)},
        )
    return ident(name)


def _typed(dataset: exchange_service.Dataset, name: str, value: Any, param: str) -> Any:
    if name == ROW_ID:
        try:
            return int(value)
        except (TypeError, ValueError):
            raise Invalid(_("Invalid integer"), errors={param: _("Invalid integer")}) from None
    spec = dataset.schema.field(name)
    assert spec is not None
    return parse_value(spec, value if isinstance(value, str) else json.dumps(value), param)


def _where(
    dataset: exchange_service.Dataset,
    params: dict[str, Any],
    searchable: Sequence[str] | None = None,
) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    values: list[Any] = []
    filters = _json_param(params.get("filters") or {}, "filters")
    if not isinstance(filters, dict):
        raise Invalid(
            _("Invalid filters"), errors={"filters": _("Give an object of field: value.")}
        )
    for name, wanted in filters.items():
        column = _column(dataset, name, "filters")
        options = wanted if isinstance(wanted, list) else [wanted]
        typed = [_typed(dataset, name, v, "filters") for v in options]
        clauses.append(f"{column} IN ({', '.join('?' for _ in typed)})")
        values.extend(typed)
    q = _json_param(params.get("q") or "", "q")
    searches = q.items() if isinstance(q, dict) else [(None, q)] if q else []
    for name, words in searches:
        # Case-insensitive containment: a stand-in for CKAN's PostgreSQL full-text search.
        everywhere = (
            searchable if searchable is not None else [f.name for f in dataset.schema.fields]
        )
        columns = [_column(dataset, name, "q")] if name else [ident(f) for f in everywhere]
        if not columns:
            columns = ["NULL"]  # nothing may be searched: nothing matches
        clauses.append("(" + " OR ".join(f"CAST({c} AS VARCHAR) ILIKE ?" for c in columns) + ")")
        values.extend([f"%{words}%"] * len(columns))
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", values


def _order(dataset: exchange_service.Dataset, sort: str) -> str:
    parts = []
    for item in [s.strip() for s in sort.split(",") if s.strip()]:
        name, _space, direction = item.partition(" ")
        direction = direction.strip().lower() or "asc"
        if direction not in ("asc", "desc"):
            raise Invalid(
                _("Cannot sort by {field}.", field=item),
                errors={"sort": _("Use “field asc” or “field desc”.")},
            )
        parts.append(f"{_column(dataset, name.strip(chr(34)), 'sort')} {direction.upper()}")
    parts.append(ident(ROW_ID))  # a stable order, so offsets page reliably
    return " ORDER BY " + ", ".join(parts)


def datastore_search(call: Call) -> dict[str, Any]:
    """Rows of a resource's published data: filters, q, fields, sort, limit, offset. Data that
    is not open goes through the exchange's gateway like every other read."""
    params = call.params
    resource_id = required(params, "resource_id")
    dataset = _open(call, resource_id, call.actor)
    limit = number(params, "limit", 100, 0, MAX_ROWS)
    offset = number(params, "offset", 0, 0, 10**12)
    chosen = names(params, "fields")
    if len(chosen) == 1 and "," in chosen[0]:
        chosen = [c.strip() for c in chosen[0].split(",") if c.strip()]
    for name in chosen:
        _column(dataset, name, "fields")
    where, values = _where(dataset, params)
    order = _order(dataset, text(params, "sort"))
    grant = dataset.grant
    if grant is not None and grant.audited:
        return _governed_search(call, dataset, resource_id, chosen, limit, offset)
    columns = ", ".join(_column(dataset, c, "fields") for c in chosen) if chosen else "*"
    sql = f"SELECT {columns} FROM t0{where}{order} LIMIT {limit} OFFSET {offset}"  # noqa: S608 - identifiers quoted, values bound
    result = datastore_sql.run(CheckedQuery(sql, (resource_id,)), [dataset.path], params=values)
    out: dict[str, Any] = {
        "resource_id": resource_id,
        "fields": result.fields,
        "records": result.records,
        "limit": limit,
        "offset": offset,
        "_links": _links(call, resource_id, offset, limit),
    }
    if text(params, "records_format", "objects") == "lists":
        out["records"] = [[r[f["id"]] for f in result.fields] for r in result.records]
    if flag(params, "include_total", True):
        count_sql = f"SELECT count(*) AS total FROM t0{where}"  # noqa: S608 - as above
        counted = datastore_sql.run(
            CheckedQuery(count_sql, (resource_id,)), [dataset.path], params=values
        )
        out["total"] = counted.records[0]["total"]
    for key in ("filters", "q", "sort"):
        if params.get(key):
            out[key] = _json_param(params[key], key)
    return out


_SQL_OPS = {"eq": "=", "ne": "<>", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}


def _governed_search(
    call: Call,
    dataset: exchange_service.Dataset,
    resource_id: str,
    chosen: list[str],
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """datastore_search of data that is not open: decided by the exchange's one read rule with
    the fields, filters, searched fields and sort asked for; only the fields and rows it allows,
    pseudonymised as agreed, within the quota, and logged (no ``_id``: rows are the agreement's)."""
    params = call.params
    filters = _json_param(params.get("filters") or {}, "filters")
    q = _json_param(params.get("q") or "", "q")
    asked = [
        Filter(
            name,
            "in",
            tuple(_typed(dataset, name, v, "filters") for v in (w if isinstance(w, list) else [w])),
        )
        for name, w in filters.items()
    ]
    asked += [
        Filter(name, "contains", (words,))
        for name, words in (q.items() if isinstance(q, dict) else [])
    ]
    sort = [
        item.strip().partition(" ")[0].strip('"')
        for item in text(params, "sort").split(",")
        if item.strip()
    ]
    secret = call.settings.effective_secret_key
    grant = exchange_service.authorise_read(
        call.actor,
        exchange_service.ReadRequest(
            call.session, dataset.resource, tuple(chosen), tuple(asked), tuple(sort), secret=secret
        ),
    )
    decision = grant.decision
    searchable = [f for f in decision.return_fields if f not in decision.pseudonymise]
    where, values = _where(dataset, params, searchable)
    clauses = [where.removeprefix(" WHERE ")] if where else []
    for condition in decision.conditions:
        if condition.op == "in":
            clauses.append(
                f"{ident(condition.field)} IN ({', '.join('?' for _ in condition.values)})"
            )
        else:
            clauses.append(f"{ident(condition.field)} {_SQL_OPS[condition.op]} ?")
        values.extend(condition.values)
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    if decision.row_allowance is not None:
        limit = min(limit, max(0, decision.row_allowance))
    columns = ", ".join(ident(c) for c in decision.read_fields)
    order = _order(dataset, text(params, "sort"))
    sql = f"SELECT {columns} FROM t0{where}{order} LIMIT {limit} OFFSET {offset}"  # noqa: S608 - identifiers quoted, values bound
    result = datastore_sql.run(CheckedQuery(sql, (resource_id,)), [dataset.path], params=values)
    records = access.serve_rows(
        call.session,
        grant,
        result.records,
        version=dataset.version.number,
        filters=[[f.field, f.op, list(f.values)] for f in asked],
        secret=secret,
    )
    types = {f["id"]: f["type"] for f in result.fields}
    fields = [
        {"id": name, "type": "text" if name in decision.pseudonymise else types.get(name, "text")}
        for name in decision.return_fields
    ]
    out: dict[str, Any] = {
        "resource_id": resource_id,
        "fields": fields,
        "records": records,
        "limit": limit,
        "offset": offset,
        "_links": _links(call, resource_id, offset, limit),
    }
    if text(params, "records_format", "objects") == "lists":
        out["records"] = [[r[f["id"]] for f in fields] for r in records]
    if flag(params, "include_total", True):
        count_sql = f"SELECT count(*) AS total FROM t0{where}"  # noqa: S608 - as above
        counted = datastore_sql.run(
            CheckedQuery(count_sql, (resource_id,)), [dataset.path], params=values
        )
        out["total"] = counted.records[0]["total"]
    for key in ("filters", "q", "sort"):
        if params.get(key):
            out[key] = _json_param(params[key], key)
    return out


def _links(call: Call, resource_id: str, offset: int, limit: int) -> dict[str, str]:
    base = "/api/3/action/datastore_search?"
    return {
        "start": base + urlencode({"resource_id": resource_id}),
        "next": base + urlencode({"offset": offset + limit, "resource_id": resource_id}),
    }


def datastore_search_sql(call: Call) -> dict[str, Any]:
    """One SELECT over open resources, named by resource id (checked, then sandboxed)."""
    sql = required(call.params, "sql")
    checked = datastore_sql.check(sql)
    if not checked.resources:
        raise datastore_sql.SqlRefused(
            _("Name at least one resource id in FROM."), errors={"query": _("No resource named.")}
        )
    anonymous = Actor.anonymous()  # SQL reaches open data only, whoever asks
    files = [_open_for_sql(call, name, anonymous) for name in checked.resources]
    result = datastore_sql.run(checked, files)
    out: dict[str, Any] = {"sql": sql, "fields": result.fields, "records": result.records}
    if result.truncated:
        out["records_truncated"] = True
    return out


ACTIONS = {"datastore_search": datastore_search, "datastore_search_sql": datastore_search_sql}
