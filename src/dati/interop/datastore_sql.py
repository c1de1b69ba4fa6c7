"""datastore_search_sql: user SQL, checked with a real parser and run in a sandbox.

Two independent walls. First, sqlglot parses the text (PostgreSQL syntax, as CKAN's
datastore speaks): exactly one statement, a query and nothing else (no DML, DDL, COPY,
SET, PRAGMA, SELECT INTO, locking), every table a resource id (or a name the query
itself defines with WITH), no qualified names (so no system catalogues), no table
functions, and only functions from an allowlist (so no file, network, extension or
settings functions). The resource tables are renamed to internal views. Second, the query
runs in a fresh in-memory DuckDB whose file access is switched off except for the
resources' immutable version files, with its configuration locked, a memory cap, a
statement timeout (the connection is interrupted) and a row limit.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from dati.errors import Invalid
from dati.i18n import gettext as _

MAX_SQL_LENGTH = 20_000
MAX_ROWS = 32_000  # CKAN's ckan.datastore.search.rows_max
TIMEOUT_SECONDS = 10.0
MEMORY_LIMIT = "256MB"

ALLOWED_FUNCTIONS = frozenset(
    name
    for line in (Path(__file__).resolve().parent / "data" / "sql-allowed-functions.txt")
    .read_text(encoding="utf-8")
    .splitlines()
    if not line.startswith("#")
    for name in line.split()
)
# Statement kinds that are never a query, wherever they appear in the tree.
FORBIDDEN = (
    exp.DML,
    exp.DDL,
    exp.Command,
    exp.Pragma,
    exp.Set,
    exp.Copy,
    exp.Into,
    exp.Lock,
    exp.Transaction,
    exp.Commit,
    exp.Rollback,
    exp.Use,
    exp.Describe,
    exp.Placeholder,
    exp.Parameter,
)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # sqlglot underlines the error position for terminals


class SqlRefused(Invalid):
    """The SQL is not a query datastore_search_sql runs."""


def _refuse(message: str) -> SqlRefused:
    return SqlRefused(message, errors={"query": message})  # CKAN names the SQL "query" here


@dataclass(frozen=True)
class CheckedQuery:
    sql: str  # DuckDB SQL over the internal views t0, t1, ...
    resources: tuple[str, ...]  # the resource ids, in the order of the views


def _function_name(node: exp.Func) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    return node.sql_name().lower()


def check(sql: str) -> CheckedQuery:
    """Parse ``sql`` and return it rewritten over internal views, or refuse it."""
    if len(sql) > MAX_SQL_LENGTH:
        raise _refuse(_("The SQL is longer than {limit} characters.", limit=MAX_SQL_LENGTH))
    try:
        statements = [s for s in sqlglot.parse(sql, read="postgres") if s is not None]
    except SqlglotError as exc:
        reason = _ANSI.sub("", str(exc)).split("\n")[0][:200]
        raise _refuse(_("The SQL could not be parsed: {reason}", reason=reason)) from None
    if len(statements) != 1:
        raise _refuse(_("Send exactly one SELECT statement."))
    tree = statements[0]
    while isinstance(tree, exp.Subquery):
        tree = tree.this
    if not isinstance(tree, exp.Select | exp.SetOperation):
        raise _refuse(_("Only SELECT queries are allowed."))
    defined = {str(cte.alias_or_name).lower() for cte in tree.find_all(exp.CTE)}
    resources: list[str] = []
    for node in list(tree.walk()):
        if isinstance(node, FORBIDDEN):
            raise _refuse(_("Only SELECT queries are allowed."))
        if isinstance(node, exp.Func) and _function_name(node) not in ALLOWED_FUNCTIONS:
            raise _refuse(_("The function {name} is not allowed.", name=_function_name(node)))
        if isinstance(node, exp.Table):
            _check_table(node, defined, resources)
    for table in list(tree.find_all(exp.Table)):
        name = table.name
        if name.lower() in defined and name not in resources:
            continue
        alias = table.alias or name
        table.replace(
            exp.Table(
                this=exp.to_identifier(f"t{resources.index(name)}"),
                alias=exp.TableAlias(this=exp.to_identifier(alias, quoted=True)),
            )
        )
    return CheckedQuery(tree.sql(dialect="duckdb"), tuple(resources))


def _check_table(node: exp.Table, defined: set[str], resources: list[str]) -> None:
    if not isinstance(node.this, exp.Identifier):
        raise _refuse(_("Table functions are not allowed; name a resource id."))
    if node.args.get("db") or node.args.get("catalog"):
        raise _refuse(_("Qualified names such as {name} are not allowed.", name=node.sql()))
    name = node.name
    if name.lower() in defined and name not in resources:
        return
    if name not in resources:
        resources.append(name)


def _json_value(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    return float(value) if hasattr(value, "as_tuple") else str(value)


CKAN_TYPES = {
    "BOOLEAN": "bool",
    "TINYINT": "int",
    "SMALLINT": "int",
    "INTEGER": "int",
    "BIGINT": "int",
    "HUGEINT": "int",
    "FLOAT": "float",
    "DOUBLE": "float",
    "DATE": "date",
    "TIME": "time",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamp",
    "VARCHAR": "text",
}


def ckan_type(duckdb_type: str) -> str:
    base = duckdb_type.split("(")[0].upper()
    return CKAN_TYPES.get(base, "numeric" if base == "DECIMAL" else "text")


@dataclass
class SqlResult:
    fields: list[dict[str, str]]
    records: list[dict[str, Any]]
    truncated: bool


def run(
    query: CheckedQuery,
    files: list[Path],
    *,
    params: list[Any] | None = None,
    max_rows: int | None = None,
    timeout: float | None = None,
) -> SqlResult:
    """Run a checked query over the given version files (one per view) in a sandbox."""
    max_rows = MAX_ROWS if max_rows is None else max_rows
    timeout = TIMEOUT_SECONDS if timeout is None else timeout
    conn = duckdb.connect(
        config={
            "memory_limit": MEMORY_LIMIT,
            "threads": 1,
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
        }
    )
    try:
        conn.execute("SET allowed_paths = ?", [[str(f) for f in files]])
        conn.execute("SET enable_external_access = false")
        conn.execute("SET lock_configuration = true")
        for index, path in enumerate(files):
            # CKAN's _id: the row's position in the version file, counted from 1.
            conn.execute(
                f"CREATE VIEW t{index} AS SELECT file_row_number + 1 AS _id, "  # noqa: S608 - our own file path
                f"* EXCLUDE (file_row_number) FROM read_parquet('{_quoted_path(path)}', "
                "file_row_number = true)"
            )
        wrapped = f"SELECT * FROM ({query.sql}) AS q LIMIT {int(max_rows) + 1}"  # noqa: S608 - checked above
        timer = threading.Timer(timeout, conn.interrupt)
        timer.start()
        try:
            cursor = conn.execute(wrapped, params or [])
            rows = cursor.fetchall()
            description = cursor.description or []
        except duckdb.InterruptException:
            raise _refuse(
                _(
                    "The query took longer than {seconds} seconds and was stopped.",
                    seconds=int(timeout),
                )
            ) from None
        except duckdb.Error as exc:
            raise _refuse(
                _("The query failed: {reason}", reason=str(exc).split("\n")[0][:300])
            ) from None
        finally:
            timer.cancel()
    finally:
        conn.close()
    names = [column[0] for column in description]
    fields = [
        {"id": name, "type": ckan_type(str(column[1]))}
        for name, column in zip(names, description, strict=True)
    ]
    truncated = len(rows) > max_rows
    records = [
        {name: _json_value(value) for name, value in zip(names, row, strict=True)}
        for row in rows[:max_rows]
    ]
    return SqlResult(fields, records, truncated)


def _quoted_path(path: Path) -> str:
    return str(path).replace("'", "''")
