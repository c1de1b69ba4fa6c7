"""Read a table from a PostgreSQL or SQLite database, for publishers whose data lives there.

The table name comes from the user, so it is never put into SQL as text: it must be one
of the tables the source database itself lists, and SQLAlchemy quotes it as an identifier.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from dati.errors import Invalid
from dati.exchange.readers import Progress, Source, _string_batches, cell_text, check_header
from dati.i18n import gettext as _

SCHEMES = ("sqlite", "postgresql", "postgres")


def is_database_url(text: str) -> bool:
    return text.split(":", 1)[0].split("+", 1)[0] in SCHEMES and "://" in text


def _invalid(message: str) -> Invalid:
    return Invalid(message, errors={"table": message})


def open_table(url: str, table: str, *, progress: Progress | None = None) -> Source:
    """Stream ``table`` (optionally ``schema.table``) from the database at ``url``."""
    engine = _engine(url)
    try:
        inspector = sa.inspect(engine)
        schema, _dot, name = table.rpartition(".")
        schemas = inspector.get_schema_names() if schema else []
        if schema and schema not in schemas:
            raise _invalid(_("The database has no schema called {name}.", name=schema))
        known = inspector.get_table_names(schema=schema or None) + inspector.get_view_names(
            schema=schema or None
        )
        if name not in known:
            raise _invalid(
                _("The database has no table called {name}.", name=table),
            )
        columns = check_header(
            [c["name"] for c in inspector.get_columns(name, schema=schema or None)]
        )
    except SQLAlchemyError as exc:
        engine.dispose()
        raise _invalid(_("Cannot read the database: {reason}", reason=type(exc).__name__)) from None
    selectable = sa.table(name, *[sa.column(c) for c in columns], schema=schema or None)
    source = Source(name=table, format="table", columns=columns, _batches=iter(()), first_row=1)

    def rows() -> Iterator[list[str | None]]:
        try:
            with engine.connect() as conn:
                result = conn.execution_options(stream_results=True, yield_per=10000).execute(
                    sa.select(selectable)
                )
                for number, row in enumerate(result, start=1):
                    if progress and number % 10000 == 0:
                        progress(number, 0)
                    yield [cell_text(v) for v in row]
        finally:
            engine.dispose()

    source._batches = _string_batches(columns, rows())
    return source


def _engine(url: str) -> sa.Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise _invalid(_("This is not a database connection URL.")) from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise _invalid(_("Only PostgreSQL and SQLite databases can be read."))
    try:
        if backend == "sqlite":
            path = Path(parsed.database or "")
            if not path.is_file():
                raise _invalid(_("There is no SQLite database at {path}.", path=str(path)))
            # Read-only: publishing must never change the provider's own database.
            return sa.create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
        return sa.create_engine(parsed.set(drivername="postgresql+psycopg"))
    except (NoSuchModuleError, ArgumentError):
        raise _invalid(_("This is not a database connection URL.")) from None
