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

# Functions a query may call. Anything else (read_csv, glob, getenv, duckdb_settings,
# current_setting, pg_read_file, load_extension ...) is refused before DuckDB sees it.
ALLOWED_FUNCTIONS = frozenset(
    [
        "count",
        "count_if",
        "sum",
        "avg",
        "min",
        "max",
        "median",
        "mode",
        "stddev",
        "stddev_pop",
        "stddev_samp",
        "variance",
        "var_pop",
        "var_samp",
        "string_agg",
        "group_concat",
        "array_agg",
        "bool_and",
        "bool_or",
        "first",
        "last",
        "any_value",
        "approx_distinct",
        "approx_count_distinct",
        "percentile_cont",
        "percentile_disc",
        "quantile",
        "quantile_cont",
        "quantile_disc",
        "corr",
        "covar_pop",
        "covar_samp",
        "arg_max",
        "arg_min",
        "argmax",
        "argmin",
        "abs",
        "ceil",
        "ceiling",
        "floor",
        "round",
        "sqrt",
        "cbrt",
        "power",
        "pow",
        "exp",
        "ln",
        "log",
        "log2",
        "log10",
        "mod",
        "sign",
        "trunc",
        "greatest",
        "least",
        "pi",
        "random",
        "degrees",
        "radians",
        "sin",
        "cos",
        "tan",
        "asin",
        "acos",
        "atan",
        "atan2",
        "div",
        "lower",
        "upper",
        "length",
        "char_length",
        "character_length",
        "substring",
        "substr",
        "trim",
        "ltrim",
        "rtrim",
        "replace",
        "concat",
        "concat_ws",
        "left",
        "right",
        "lpad",
        "rpad",
        "position",
        "strpos",
        "split_part",
        "starts_with",
        "startswith",
        "ends_with",
        "endswith",
        "contains",
        "initcap",
        "reverse",
        "repeat",
        "regexp_replace",
        "regexp_matches",
        "regexp_extract",
        "regexp_like",
        "translate",
        "ascii",
        "chr",
        "md5",
        "string_to_array",
        "to_char",
        "to_date",
        "to_timestamp",
        "to_number",
        "date_trunc",
        "datetrunc",
        "timestamp_trunc",
        "date_part",
        "datepart",
        "extract",
        "year",
        "month",
        "day",
        "hour",
        "minute",
        "second",
        "week",
        "quarter",
        "dayofweek",
        "dayofyear",
        "date_add",
        "date_sub",
        "date_diff",
        "datediff",
        "age",
        "now",
        "current_date",
        "current_timestamp",
        "make_date",
        "strftime",
        "strptime",
        "str_to_time",
        "time_to_str",
        "epoch",
        "ts_or_ds_to_date",
        "coalesce",
        "nullif",
        "ifnull",
        "if",
        "iif",
        "case",
        "cast",
        "try_cast",
        "trycast",
        "row_number",
        "rank",
        "dense_rank",
        "percent_rank",
        "cume_dist",
        "ntile",
        "lag",
        "lead",
        "first_value",
        "last_value",
        "nth_value",
        "array_length",
        "array_size",
        "cardinality",
        "unnest",
        "list_value",
        "struct_extract",
    ]
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


class SqlRefused(Invalid):
    """The SQL is not a query datastore_search_sql runs."""


def _refuse(message: str) -> SqlRefused:
    return SqlRefused(message, errors={"sql": message})


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
        raise _refuse(_("The SQL could not be parsed: {reason}", reason=str(exc)[:200])) from None
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
    max_rows: int = MAX_ROWS,
    timeout: float = TIMEOUT_SECONDS,
) -> SqlResult:
    """Run a checked query over the given version files (one per view) in a sandbox."""
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
            conn.execute(
                f"CREATE VIEW t{index} AS SELECT * FROM read_parquet('{_quoted_path(path)}')"  # noqa: S608 - our own file path
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
