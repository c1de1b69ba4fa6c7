"""The quick page path (cached row groups, Arrow masks) returns exactly what DuckDB returns:
the same rows, in the same order, with the same cursor, for random filters and page sizes."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dati.exchange.fields import compile_schema
from dati.exchange.query import Filter, Query, Reader

SCHEMA = compile_schema(
    {
        "fields": [
            {"name": "id", "type": "integer"},
            {"name": "vieta", "type": "string"},
            {"name": "skaits", "type": "integer"},
            {"name": "aktivs", "type": "boolean"},
            {"name": "datums", "type": "date"},
            {"name": "summa", "type": "number"},
        ],
        "primaryKey": ["id"],
    }
)
PLACES = ["Rīga", "Cēsis", "Ēdole", "Aizpute", "Ventspils", "Žīguri"]
DAY = datetime.date(2020, 1, 1)


@pytest.fixture(scope="module")
def version_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = []
    for i in range(1, 400, 2):  # gaps, so filters and cursors fall between keys
        rows.append(
            {
                "id": i,
                "vieta": None if i % 17 == 0 else PLACES[(i // 2) % len(PLACES)],
                "skaits": None if i % 13 == 0 else (i * 7) % 50,
                "aktivs": None if i % 11 == 0 else i % 3 == 0,
                "datums": DAY + datetime.timedelta(days=i % 90),
                "summa": i / 3,
            }
        )
    path = tmp_path_factory.mktemp("pages") / "v1.parquet"
    table = pa.Table.from_pylist(rows).cast(
        pa.schema(
            [
                ("id", pa.int64()),
                ("vieta", pa.string()),
                ("skaits", pa.int64()),
                ("aktivs", pa.bool_()),
                ("datums", pa.date32()),
                ("summa", pa.float64()),
            ]
        )
    )
    pq.write_table(table, path, row_group_size=16)
    return path


class EngineOnly(Reader):
    def _page_in_key_order(self, *args: Any) -> None:
        return None


FILTERS = st.one_of(
    st.builds(
        lambda op, v: Filter("skaits", op, (v,)),
        st.sampled_from(["eq", "ne", "lt", "lte", "gt", "gte"]),
        st.integers(-1, 51),
    ),
    st.builds(
        lambda op, v: Filter("vieta", op, (v,)),
        st.sampled_from(["eq", "ne", "lt", "gte"]),
        st.sampled_from([*PLACES, "Ogre", ""]),
    ),
    st.builds(
        lambda vs: Filter("vieta", "in", tuple(vs)),
        st.lists(st.sampled_from([*PLACES, "Ogre"]), min_size=1, max_size=3),
    ),
    st.builds(lambda v: Filter("aktivs", "eq", (v,)), st.booleans()),
    st.builds(
        lambda op, d: Filter("datums", op, (DAY + datetime.timedelta(days=d),)),
        st.sampled_from(["eq", "lt", "gte"]),
        st.integers(0, 95),
    ),
    st.builds(
        lambda op, v: Filter("id", op, (v,)),
        st.sampled_from(["gt", "lte", "ne"]),
        st.integers(0, 400),
    ),
    st.builds(lambda v: Filter("summa", "gt", (v,)), st.floats(0, 140)),
    st.builds(lambda v: Filter("vieta", "contains", (v,)), st.sampled_from(["ī", "s", "RĪ"])),
)


@settings(max_examples=60, deadline=None)
@given(
    filters=st.lists(FILTERS, max_size=3),
    limit=st.integers(1, 60),
    fields=st.sampled_from([(), ("vieta", "id"), ("summa",)]),
)
def test_every_page_matches_the_engine(
    version_file: Path, filters: list[Filter], limit: int, fields: tuple[str, ...]
) -> None:
    quick, engine = Reader(), EngineOnly()
    after = None
    for _page in range(12):  # walk the pages with the cursors each path hands out
        query = Query(fields=fields, filters=tuple(filters), limit=limit, after=after)
        ours, theirs = (
            quick.page(version_file, SCHEMA, query),
            engine.page(version_file, SCHEMA, query),
        )
        assert ours.rows == theirs.rows
        assert ours.columns == theirs.columns
        assert ours.next_after == theirs.next_after
        if ours.next_after is None:
            break
        after = ours.next_after


def test_the_quick_path_is_taken_for_plain_filters(
    version_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = Reader()

    def no_engine(*args: Any) -> None:
        raise AssertionError("DuckDB was asked")

    monkeypatch.setattr(reader, "cursor", no_engine)
    page = reader.page(
        version_file, SCHEMA, Query(filters=(Filter("vieta", "eq", ("Rīga",)),), limit=5)
    )
    assert [row["vieta"] for row in page.rows] == ["Rīga"] * 5
    assert page.next_after == (page.rows[-1]["id"],)
