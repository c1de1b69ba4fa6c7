"""Statements the log writer runs for every batch, compiled once per database dialect and run
with ``exec_driver_sql``: inside the same connection and transaction as any Core statement,
but without compiling, caching and processing parameters again on every call (which costs
more than SQLite running them). Values still pass through each column type's own bind
processor, so the stored values are exactly what Core would store.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement

_REQUIRED = object()
_Prepared = tuple[
    str, tuple[str, ...], tuple[Callable[[Any], Any] | None, ...], tuple[Any, ...], bool
]


class DriverStatement:
    """A Core statement with named bind parameters, run for many rows of values at once.
    Parameters the statement holds a value for (``where id = 1``) keep it."""

    def __init__(self, statement: ClauseElement, column_keys: Sequence[str] | None = None) -> None:
        self._statement = statement
        self._column_keys = list(column_keys) if column_keys is not None else None
        self._prepared: dict[str, _Prepared] = {}

    def _prepare(self, dialect: Dialect) -> _Prepared:
        found = self._prepared.get(dialect.name)
        if found is None:
            compiled = cast(
                SQLCompiler,
                self._statement.compile(dialect=dialect, column_keys=self._column_keys),
            )
            names = (
                tuple(compiled.positiontup or ()) if compiled.positional else tuple(compiled.binds)
            )
            binds = [compiled.binds[name] for name in names]
            found = self._prepared[dialect.name] = (
                compiled.string,
                names,
                tuple(bind.type.dialect_impl(dialect).bind_processor(dialect) for bind in binds),
                tuple(_REQUIRED if bind.required else bind.effective_value for bind in binds),
                compiled.positional,
            )
        return found

    def execute(self, connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run the statement once per row of values (one executemany)."""
        if not rows:
            return
        sql, names, processors, fixed, positional = self._prepare(connection.dialect)
        converted = []
        for row in rows:
            values = []
            for name, process, held in zip(names, processors, fixed, strict=True):
                value = row[name] if held is _REQUIRED else row.get(name, held)
                values.append(value if process is None else process(value))
            converted.append(tuple(values))
        if positional:
            connection.exec_driver_sql(sql, converted)
        else:
            connection.exec_driver_sql(
                sql, [dict(zip(names, values, strict=True)) for values in converted]
            )
