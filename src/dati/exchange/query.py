"""Read a version's Parquet file with DuckDB: fields, filters, sort, keyset pages, lookups, counts.

Every identifier must be a field of the version's schema and is quoted; every value is
parsed to the field's type and bound as a parameter. No user text becomes SQL.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from dati.errors import Invalid
from dati.exchange.fields import CompiledSchema, FieldSpec
from dati.exchange.keyindex import KeyIndex
from dati.exchange.storage import MEMORY_LIMIT, ident, literal_path
from dati.exchange.validation import _parse_one
from dati.i18n import gettext as _

OPERATORS = ("eq", "ne", "lt", "lte", "gt", "gte", "in", "contains")
_COMPARE = {"eq": "=", "ne": "<>", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
MAX_PAGE = 10000
MAX_IN = 1000
ROWNUM = "file_row_number"


@dataclass(frozen=True)
class Filter:
    field: str
    op: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Query:
    fields: tuple[str, ...] = ()
    filters: tuple[Filter, ...] = ()
    sort: tuple[tuple[str, bool], ...] = ()  # (field, descending)
    limit: int | None = 100
    after: tuple[Any, ...] | None = None  # the previous page's last sort key


@dataclass
class Page:
    rows: list[dict[str, Any]]
    next_after: tuple[Any, ...] | None
    columns: list[str] = field(default_factory=list)


def _bad(name: str, message: str) -> Invalid:
    return Invalid(message, errors={name: message})


def _spec(schema: CompiledSchema, name: str, param: str) -> FieldSpec:
    spec = schema.field(name)
    if spec is None:
        raise _bad(param, _("The dataset has no field {name}.", name=name))
    return spec


def parse_value(spec: FieldSpec, text: str, param: str) -> Any:
    try:
        return _parse_one(spec, text)
    except ValueError:
        raise _bad(
            param,
            _("{value} is not a valid value for {name}.", value=repr(text[:50]), name=spec.name),
        ) from None


def build_query(
    schema: CompiledSchema,
    *,
    fields: str | None = None,
    filters: list[tuple[str, str]] | None = None,
    sort: str | None = None,
    limit: int | None = 100,
    cursor: str | None = None,
) -> Query:
    """A Query from API parameters; each name is checked against the schema, each value typed."""
    chosen = tuple(f.strip() for f in (fields or "").split(",") if f.strip())
    for name in chosen:
        _spec(schema, name, "fields")
    parsed: list[Filter] = []
    for key, text in filters or []:
        name, _sep, op = key.partition("__")
        op = op or "eq"
        if op not in OPERATORS:
            raise _bad(
                key,
                _(
                    "Unknown filter operator {op}; use one of {ops}.",
                    op=op,
                    ops=", ".join(OPERATORS),
                ),
            )
        spec = _spec(schema, name, key)
        if op == "contains":
            values: tuple[Any, ...] = (text,)
        elif op == "in":
            items = [v for v in text.split(",") if v != ""]
            if not items or len(items) > MAX_IN:
                raise _bad(
                    key, _("Give between 1 and {limit} values separated by commas.", limit=MAX_IN)
                )
            values = tuple(parse_value(spec, v, key) for v in items)
        else:
            values = (parse_value(spec, text, key),)
        parsed.append(Filter(spec.name, op, values))
    order: list[tuple[str, bool]] = []
    for item in (sort or "").split(","):
        item = item.strip()
        if not item:
            continue
        descending = item.startswith("-")
        order.append((_spec(schema, item.lstrip("-"), "sort").name, descending))
    if limit is not None and not 1 <= limit <= MAX_PAGE:
        raise _bad("limit", _("The limit must be between 1 and {max}.", max=MAX_PAGE))
    return Query(
        fields=chosen,
        filters=tuple(parsed),
        sort=tuple(order),
        limit=limit,
        after=decode_cursor(cursor) if cursor else None,
    )


def encode_cursor(version: int, after: tuple[Any, ...]) -> str:
    payload = json.dumps([version, [_jsonable(v) for v in after]], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def cursor_version(cursor: str) -> int:
    try:
        version, _after = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return int(version)
    except (ValueError, TypeError, json.JSONDecodeError):
        raise _bad("cursor", _("The cursor is not valid; start from the first page.")) from None


def decode_cursor(cursor: str) -> tuple[Any, ...]:
    try:
        _version, after = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return tuple(after)
    except (ValueError, TypeError, json.JSONDecodeError):
        raise _bad("cursor", _("The cursor is not valid; start from the first page.")) from None


def _jsonable(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


class Reader:
    """DuckDB connections for reading versions: one engine per process, a cursor per thread."""

    def __init__(self) -> None:
        self._engine = duckdb.connect(config={"memory_limit": MEMORY_LIMIT})
        # Versions never change, so their Parquet footers can be cached for the process's life.
        self._engine.execute("LOAD parquet")
        self._engine.execute("SET parquet_metadata_cache = true")
        self._local = threading.local()
        self._keys = KeyIndex()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._engine.cursor()
            self._local.conn = conn
        return conn

    # --- building blocks -------------------------------------------------
    @staticmethod
    def _tiebreak(schema: CompiledSchema) -> list[str]:
        return list(schema.primary_key) if schema.primary_key else [ROWNUM]

    @staticmethod
    def _where(schema: CompiledSchema, filters: tuple[Filter, ...]) -> tuple[list[str], list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        for f in filters:
            column = ident(f.field)
            if f.op == "contains":
                clauses.append(f"contains(lower(CAST({column} AS VARCHAR)), lower(?))")
                params.append(f.values[0])
            elif f.op == "in":
                clauses.append(f"{column} IN ({', '.join('?' for _ in f.values)})")
                params.extend(f.values)
            else:
                clauses.append(f"{column} {_COMPARE[f.op]} ?")
                params.append(f.values[0])
        return clauses, params

    def _order(self, schema: CompiledSchema, query: Query) -> list[tuple[str, bool]]:
        order = list(query.sort)
        names = {n for n, _desc in order}
        order += [(n, False) for n in self._tiebreak(schema) if n not in names]
        return order

    @staticmethod
    def _after(
        order: list[tuple[str, bool]], after: tuple[Any, ...], schema: CompiledSchema
    ) -> tuple[str, list[Any]]:
        """Rows strictly after ``after`` in ``order`` (NULLS LAST in both directions)."""
        if len(after) != len(order):
            raise _bad(
                "cursor", _("The cursor does not fit this query; start from the first page.")
            )
        ors: list[str] = []
        params: list[Any] = []
        for i, (name, descending) in enumerate(order):
            ands: list[str] = []
            local: list[Any] = []
            for j, (prev_name, _prev_descending) in enumerate(order[:i]):
                value = after[j]
                if value is None:
                    ands.append(f"{_col(prev_name)} IS NULL")
                else:
                    ands.append(f"{_col(prev_name)} = ?")
                    local.append(_typed(schema, prev_name, value))
            value = after[i]
            if value is None:
                continue  # nothing sorts after NULL on this column (NULLS LAST)
            op = "<" if descending else ">"
            ands.append(f"({_col(name)} {op} ? OR {_col(name)} IS NULL)")
            local.append(_typed(schema, name, value))
            ors.append("(" + " AND ".join(ands) + ")")
            params.extend(local)
        return ("(" + " OR ".join(ors) + ")" if ors else "FALSE"), params

    def _select(
        self, path: Path, schema: CompiledSchema, query: Query, *, with_order_keys: bool
    ) -> tuple[str, list[Any], list[str], list[tuple[str, bool]]]:
        columns = list(query.fields) or schema.names
        order = self._order(schema, query)
        clauses, params = self._where(schema, query.filters)
        if query.after is not None:
            predicate, more = self._after(order, query.after, schema)
            clauses.append(predicate)
            params.extend(more)
        select = [_col(c) for c in columns]
        if with_order_keys:
            select += [f"{_col(n)} AS {ident('__k' + str(i))}" for i, (n, _d) in enumerate(order)]
        source = f"read_parquet({literal_path(path)}, file_row_number = true)"
        sql = f"SELECT {', '.join(select)} FROM {source}"  # noqa: S608 - quoted identifiers only
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        if query.sort or not schema.primary_key:
            sql += " ORDER BY " + ", ".join(
                f"{_col(n)} {'DESC' if d else 'ASC'} NULLS LAST" for n, d in order
            )
        # Otherwise no ORDER BY: every version file is written sorted by primary key and DuckDB
        # keeps a file's order, so a page stops reading as soon as it has its rows.
        return sql, params, columns, order

    # --- operations --------------------------------------------------------
    def page(self, path: Path, schema: CompiledSchema, query: Query) -> Page:
        """One page of rows and the key to continue after its last row."""
        limit = query.limit or 100
        quick = self._page_in_key_order(path, schema, query, limit)
        if quick is not None:
            return quick
        sql, params, columns, order = self._select(path, schema, query, with_order_keys=True)
        table = self.cursor().sql(sql + f" LIMIT {int(limit) + 1}", params=params).to_arrow_table()
        more = table.num_rows > limit
        table = table.slice(0, limit)
        keys = [f"__k{i}" for i in range(len(order))]
        next_after = None
        if more and table.num_rows:
            last = table.slice(table.num_rows - 1, 1).select(keys).to_pylist()[0]
            next_after = tuple(last[k] for k in keys)
        rows = table.select(columns).to_pylist()
        return Page(rows=rows, next_after=next_after, columns=columns)

    def _page_in_key_order(
        self, path: Path, schema: CompiledSchema, query: Query, limit: int
    ) -> Page | None:
        """The common page (key order, comparisons only) from the key index's cached row
        groups, without a query engine round trip; None when the query needs DuckDB."""
        if query.sort or len(schema.primary_key) != 1:
            return None
        key = schema.primary_key[0]
        after = None
        if query.after is not None:
            if len(query.after) != 1:
                return None  # DuckDB's path explains the bad cursor
            after = _typed(schema, key, query.after[0])
        keep = _arrow_predicate(schema, query.filters)
        if keep is None:
            return None
        try:
            table = self._keys.scan(path, key, keep, after, limit + 1)
        except LookupError:  # a file without key statistics
            return None
        except (pa.ArrowException, OverflowError):  # Arrow could not compare: DuckDB answers
            return None
        if table is None:
            return None
        columns = list(query.fields) or schema.names
        more = table.num_rows > limit
        table = table.slice(0, limit)
        next_after = None
        if more and table.num_rows:
            next_after = (table.column(key)[table.num_rows - 1].as_py(),)
        return Page(rows=table.select(columns).to_pylist(), next_after=next_after, columns=columns)

    def stream(
        self, path: Path, schema: CompiledSchema, query: Query, batch_rows: int = 65536
    ) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
        """All matching rows (up to ``query.limit`` when set) as a stream of Arrow batches."""
        sql, params, _columns, _order = self._select(path, schema, query, with_order_keys=False)
        if query.limit is not None:
            sql += f" LIMIT {int(query.limit)}"
        # A full export needs its own connection: it outlives this call while the response streams.
        conn = self._engine.cursor()
        reader = conn.sql(sql, params=params).to_arrow_reader(batch_rows)
        assert reader is not None

        def batches() -> Iterator[pa.RecordBatch]:
            try:
                yield from reader
            finally:
                conn.close()

        return reader.schema, batches()

    def count(self, path: Path, schema: CompiledSchema, filters: tuple[Filter, ...]) -> int:
        clauses, params = self._where(schema, filters)
        sql = f"SELECT count(*) FROM read_parquet({literal_path(path)})"  # noqa: S608 - quoted identifiers only
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        # fetchall, not fetchone: an unfinished result would block the thread's next query.
        rows = self.cursor().execute(sql, params).fetchall()
        return int(rows[0][0]) if rows else 0

    def lookup(
        self, path: Path, schema: CompiledSchema, key: list[str], fields: tuple[str, ...] = ()
    ) -> dict[str, Any] | None:
        """The row whose primary key is ``key`` (text values, typed here), or None."""
        if not schema.primary_key:
            raise _bad(
                "key", _("This dataset has no primary key, so rows cannot be looked up by key.")
            )
        if len(key) != len(schema.primary_key):
            raise _bad(
                "key",
                _(
                    "The key has {count} part(s); expected {expected}.",
                    count=len(key),
                    expected=len(schema.primary_key),
                ),
            )
        filters = tuple(
            Filter(name, "eq", (parse_value(_spec(schema, name, "key"), text, "key"),))
            for name, text in zip(schema.primary_key, key, strict=True)
        )
        try:
            found = self._keys.lookup(path, schema.primary_key, tuple(f.values[0] for f in filters))
        except LookupError:
            found = None  # a file without key statistics: let DuckDB scan it
        else:
            if found is None:
                return None
            return {c: found[c] for c in (list(fields) or schema.names)}
        clauses, params = self._where(schema, filters)
        columns = list(fields) or schema.names
        sql = (
            f"SELECT {', '.join(_col(c) for c in columns)} FROM read_parquet({literal_path(path)}) "  # noqa: S608 - quoted identifiers only
            f"WHERE {' AND '.join(clauses)} LIMIT 1"
        )
        rows = self.cursor().execute(sql, params).fetchall()
        return dict(zip(columns, rows[0], strict=True)) if rows else None


_ARROW_COMPARE = {
    "eq": pc.equal,
    "ne": pc.not_equal,
    "lt": pc.less,
    "lte": pc.less_equal,
    "gt": pc.greater,
    "gte": pc.greater_equal,
}


def _comparable(kind: pa.DataType) -> bool:
    """Types whose Arrow comparison is exactly DuckDB's for the same typed value (not floats:
    the two order NaN differently)."""
    return (
        pa.types.is_integer(kind)
        or pa.types.is_string(kind)
        or pa.types.is_large_string(kind)
        or pa.types.is_boolean(kind)
        or pa.types.is_date32(kind)
    )


def _arrow_predicate(
    schema: CompiledSchema, filters: tuple[Filter, ...]
) -> Callable[[pa.Table], pa.Array | None] | None:
    """The filters as an Arrow mask over a row group (NULL never matches, as in SQL; no
    filters: None, every row); None when a filter needs the query engine (text search, or a
    type the two compare differently)."""
    for f in filters:
        spec = schema.field(f.field)
        if f.op not in (*_ARROW_COMPARE, "in") or spec is None or not _comparable(spec.arrow_type):
            return None

    def keep(table: pa.Table) -> pa.Array | None:
        mask = None
        for f in filters:
            column = table.column(f.field)
            if f.op == "in":
                match = pc.is_in(column, value_set=pa.array(f.values, column.type))
            else:
                match = _ARROW_COMPARE[f.op](column, pa.scalar(f.values[0], column.type))
            mask = match if mask is None else pc.and_(mask, match)
        return mask

    return keep


def _col(name: str) -> str:
    return ident(name)


def _typed(schema: CompiledSchema, name: str, value: Any) -> Any:
    """A cursor value (JSON) back in the field's type, so comparisons bind correctly."""
    if name == ROWNUM or value is None:
        return value
    spec = schema.field(name)
    if spec is None:
        raise _bad("cursor", _("The cursor does not fit this query; start from the first page."))
    if isinstance(value, str) and spec.type not in ("string",):
        return parse_value(spec, value, "cursor")
    return value
