"""Key lookups by binary search in sorted row groups agree with a plain scan."""

from __future__ import annotations

import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dati.exchange.keyindex import KeyIndex


def _write(path: Path, rows: list[dict[str, object]], key: list[str]) -> None:
    rows = sorted(
        rows,
        key=lambda r: tuple(str(r[k]).encode() if isinstance(r[k], str) else r[k] for k in key),
    )
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=7)


def _scan(rows: list[dict[str, object]], key: list[str], values: tuple[object, ...]) -> object:
    return next((r for r in rows if tuple(r[k] for k in key) == values), None)


def test_integer_keys(tmp_path: Path) -> None:
    rng = random.Random(1)
    ids = rng.sample(range(1, 500), 60)
    rows = [{"id": i, "name": f"n{i}"} for i in ids]
    path = tmp_path / "ints.parquet"
    _write(path, rows, ["id"])
    index = KeyIndex()
    for probe in range(0, 502):
        assert index.lookup(path, ("id",), (probe,)) == _scan(rows, ["id"], (probe,))


def test_string_keys_in_byte_order_with_latvian_letters(tmp_path: Path) -> None:
    words = [
        "Ābele",
        "Zaķis",
        "abols",
        "Ēna",
        "Ozols",
        "ūdens",
        "Čiekurs",
        "šalle",
        "Žagata",
        "Bērzs",
    ]
    rows = [{"code": w + str(n), "n": n} for n, w in enumerate(words * 3)]
    path = tmp_path / "strings.parquet"
    _write(path, rows, ["code"])
    index = KeyIndex()
    for row in rows:
        assert index.lookup(path, ("code",), (row["code"],)) == row
    for missing in ["", "A", "Ābele", "zzz", "Ž", "ūdens99"]:
        assert index.lookup(path, ("code",), (missing,)) is None


def test_composite_keys_scan_the_run_of_equal_first_parts(tmp_path: Path) -> None:
    rows = [
        {"place": p, "year": y, "value": p * 100 + y}
        for p in range(1, 6)
        for y in range(2020, 2026)
    ]
    path = tmp_path / "composite.parquet"
    _write(path, rows, ["place", "year"])
    index = KeyIndex()
    for place in range(0, 7):
        for year in range(2019, 2027):
            expected = _scan(rows, ["place", "year"], (place, year))
            assert index.lookup(path, ("place", "year"), (place, year)) == expected


@pytest.mark.parametrize("kind", [pa.date32(), pa.float64()])
def test_other_key_types_use_the_compute_path(tmp_path: Path, kind: pa.DataType) -> None:
    import datetime

    values = (
        [datetime.date(2020, 1, 1) + datetime.timedelta(days=d) for d in range(0, 40, 3)]
        if kind == pa.date32()
        else [x / 4 for x in range(0, 40, 3)]
    )
    table = pa.table({"k": pa.array(values, kind), "v": list(range(len(values)))})
    path = tmp_path / "other.parquet"
    pq.write_table(table, path, row_group_size=4)
    index = KeyIndex()
    for position, value in enumerate(values):
        assert index.lookup(path, ("k",), (value,)) == {"k": value, "v": position}


def test_a_file_out_of_key_order_is_left_to_the_query_engine(tmp_path: Path) -> None:
    """Versions written from key-ordered files before a fix could be out of order: the index
    must not binary-search them (LookupError sends the read to DuckDB)."""
    rows = [{"id": i, "name": f"n{i}"} for i in range(1, 50)]
    overlapping = tmp_path / "overlapping.parquet"
    shuffled = rows[:]
    random.Random(3).shuffle(shuffled)
    pq.write_table(pa.Table.from_pylist(shuffled), overlapping, row_group_size=7)
    with pytest.raises(LookupError):
        KeyIndex().lookup(overlapping, ("id",), (5,))
    # Groups in order, but the rows inside one are not.
    inside = tmp_path / "inside.parquet"
    swapped = rows[:7][::-1] + rows[7:]
    pq.write_table(pa.Table.from_pylist(swapped), inside, row_group_size=7)
    index = KeyIndex()
    with pytest.raises(LookupError):
        index.lookup(inside, ("id",), (3,))
    assert index.lookup(inside, ("id",), (20,)) == {"id": 20, "name": "n20"}
