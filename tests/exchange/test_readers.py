"""Reading files as Latvian institutions export them: encodings, delimiters, formats, databases."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

from dati.errors import Invalid
from dati.exchange import readers
from dati.exchange.encoding import detect_encoding, sniff_dialect
from dati.exchange.tables import open_table

TEXT = "id;vārds;piezīme\n1;Ērika Ķēniņa;„Labi”\n2;Žanis Šņore;ok\n"


def rows(source: readers.Source) -> list[dict[str, object]]:
    return [r for b in source.batches() for r in b.to_pylist()]


@pytest.mark.parametrize(
    ("encoding", "raw_prefix", "expected"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
        ("cp1257", b"", "cp1257"),
        ("iso8859_13", b"", "iso8859_13"),
    ],
)
def test_latvian_text_is_read_in_each_encoding(write, encoding, raw_prefix, expected) -> None:
    path = write("people.csv", raw_prefix + TEXT.encode(encoding))
    assert detect_encoding(path) == expected
    source = readers.open_file(path)
    assert source.columns == ["id", "vārds", "piezīme"]
    assert [r["vārds"] for r in rows(source)] == ["Ērika Ķēniņa", "Žanis Šņore"]


def test_a_legacy_letter_deep_in_an_ascii_file_is_still_found(write) -> None:
    body = "id,name\n" + "".join(f"{i},plain\n" for i in range(300_000)) + "300000,Ķegums\n"
    path = write("late.csv", body, encoding="cp1257")
    assert detect_encoding(path) in ("cp1257", "iso8859_13")
    assert rows(readers.open_file(path))[-1]["name"] == "Ķegums"


@pytest.fixture
def small_blocks(monkeypatch):  # type: ignore[no-untyped-def]
    """Arrow parses 64 KB blocks, so a few thousand rows span many batches."""
    from dati.exchange import csvstream

    monkeypatch.setattr(csvstream, "BLOCK", 64 << 10)


def _lines(count: int, text: str = "plain") -> str:
    return "".join(f"{i},{text} {i}\n" for i in range(count))


@pytest.mark.parametrize("encoding", ["cp1257", "iso8859_13"])
def test_a_legacy_file_that_breaks_utf8_after_many_batches_reads_whole(
    write, small_blocks, encoding
) -> None:
    # ASCII far past the first block (so UTF-8 is assumed), then Latvian letters.
    body = "id,name\n" + _lines(60_000) + "60000,Ķegums\n60001,Šķūņi\n" + "60002,last\n"
    path = write("late.csv", body, encoding=encoding)
    source = readers.open_file(path)
    read = rows(source)
    assert [r["id"] for r in read] == [str(i) for i in range(60_003)]
    assert [r["name"] for r in read[-3:]] == ["Ķegums", "Šķūņi", "last"]
    assert not source.drain_rejected()


def test_ragged_rows_in_late_batches_keep_their_row_numbers(write, small_blocks) -> None:
    lines = [f"{i},Ērika {i}\n" for i in range(20_000)]
    lines[5] = "x\n"
    lines[15_000] = "y,z,extra\n"
    source = readers.open_file(write("r.csv", "id,name\n" + "".join(lines)))
    read = rows(source)
    assert len(read) == 19_998 and read[-1]["name"] == "Ērika 19999"
    assert [(r.row, r.text) for r in source.drain_rejected()] == [(7, "x"), (15_002, "y,z,extra")]
    # Row 15 003 of the file is the 15 000th row handed out (two rows were set aside before it).
    assert source.row_number(14_999) == 15_003 and read[14_999]["id"] == "15001"


# Arrow decodes the ragged row's text as UTF-8 before it calls the handler, and reports that it
# could not; the reader then finds the file's encoding and reads the row again.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_legacy_ragged_row_late_in_the_file_is_set_aside(write, small_blocks) -> None:
    body = "id,name\n" + _lines(30_000) + "30000,Ķegums,extra\n30001,Ēriks\n"
    source = readers.open_file(write("late.csv", body, encoding="cp1257"))
    read = rows(source)
    assert len(read) == 30_001 and read[-1]["name"] == "Ēriks"
    assert [(r.row, r.text) for r in source.drain_rejected()] == [(30_002, "30000,Ķegums,extra")]


@pytest.mark.parametrize("early", ["Ērika", "🙂"])
def test_utf8_letters_then_legacy_ones_late_are_refused_with_both_lines(
    write, small_blocks, early
) -> None:
    body = (
        f"id,name\n1,{early}\n".encode() + _lines(30_000).encode() + "9,Ķegums\n".encode("cp1257")
    )
    source = readers.open_file(write("mixed.csv", body))
    with pytest.raises(Invalid, match="mixes encodings: line 2 is UTF-8 but line 30003 is not"):
        rows(source)


def test_a_file_stopped_early_leaves_nothing_open(write, small_blocks) -> None:
    source = readers.open_file(write("big.csv", "id,name\n" + _lines(30_000)))
    batches = source.batches()
    assert next(batches).num_rows > 0
    batches.close()  # type: ignore[attr-defined]
    # The parser reading ahead on its own thread has stopped too.
    assert not [t for t in threading.enumerate() if t.name == "dati-csv-parser"]


def test_batches_parsed_ahead_arrive_in_file_order(write, small_blocks) -> None:
    source = readers.open_file(write("big.csv", "id,name\n" + _lines(50_000)))
    assert [r["id"] for r in rows(source)] == [str(i) for i in range(50_000)]


@pytest.mark.parametrize(
    ("text", "delimiter", "quote"),
    [
        ("a,b,c\n1,2,3\n4,5,6\n", ",", '"'),
        ("a;b;c\n1;2,5;3\n4;5,1;6\n", ";", '"'),
        ("a\tb\tc\n1\t2\t3\n", "\t", '"'),
        ("a|b|c\n1|2|3\n", "|", '"'),
        ("a;b\n'x;y';2\n'z';3\n", ";", "'"),
    ],
)
def test_delimiter_and_quote_are_detected(text, delimiter, quote) -> None:
    assert sniff_dialect(text) == (delimiter, quote)


def test_quoted_values_with_delimiters_and_newlines(write) -> None:
    path = write("q.csv", 'id;teksts\n1;"a; b"\n2;"rinda\notrā"\n')
    assert [r["teksts"] for r in rows(readers.open_file(path))] == ["a; b", "rinda\notrā"]


def test_ragged_rows_are_set_aside_with_their_row_numbers(write) -> None:
    path = write("r.csv", "a,b\n1,2\n3\n4,5,6\n7,8\n")
    source = readers.open_file(path)
    assert [r["a"] for r in rows(source)] == ["1", "7"]
    rejected = source.drain_rejected()
    assert [(r.row, r.text) for r in rejected] == [(3, "3"), (4, "4,5,6")]
    assert source.row_number(0) == 2 and source.row_number(1) == 5


def test_xlsx_is_streamed_with_typed_cells_as_text(tmp_path: Path) -> None:
    from datetime import datetime

    book = Workbook()
    sheet = book.active
    sheet.append(["id", "vārds", "datums", "summa"])
    sheet.append([1, "Jānis", datetime(2024, 3, 1), 12.5])
    sheet.append([2, "Anna", datetime(2024, 3, 2, 10, 30), 7.0])
    path = tmp_path / "book.xlsx"
    book.save(path)
    source = readers.open_file(path)
    assert rows(source) == [
        {"id": "1", "vārds": "Jānis", "datums": "2024-03-01", "summa": "12.5"},
        {"id": "2", "vārds": "Anna", "datums": "2024-03-02T10:30:00", "summa": "7"},
    ]


def test_json_array_and_ndjson(write) -> None:
    records = [{"id": 1, "ok": True, "tags": ["a"]}, {"id": 2, "ok": False, "tags": None}]
    array = readers.open_file(write("a.json", json.dumps(records)))
    assert rows(array)[0] == {"id": "1", "ok": "true", "tags": '["a"]'}
    lines = write("b.ndjson", "\n".join(json.dumps(r) for r in records) + "\n[1]\n")
    source = readers.open_file(lines)
    assert len(rows(source)) == 2
    assert source.drain_rejected()[0].row == 3


def test_parquet_keeps_its_types(tmp_path: Path) -> None:
    path = tmp_path / "x.parquet"
    pq.write_table(pa.table({"id": [1, 2], "v": [0.5, 1.5]}), path)
    source = readers.open_file(path)
    batch = next(source.batches())
    assert batch.schema.field("id").type == pa.int64()


def test_sqlite_table_is_read_and_the_name_is_checked(tmp_path: Path) -> None:
    db = tmp_path / "src.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute('CREATE TABLE "iedzīvotāji" (id INTEGER, vārds TEXT)')
        conn.execute("INSERT INTO \"iedzīvotāji\" VALUES (1, 'Jānis'), (2, NULL)")
    source = open_table(f"sqlite:///{db}", "iedzīvotāji")
    assert rows(source) == [{"id": "1", "vārds": "Jānis"}, {"id": "2", "vārds": None}]
    with pytest.raises(Invalid, match="no table"):
        open_table(f"sqlite:///{db}", 'iedzīvotāji"; DROP TABLE "iedzīvotāji')
    with sqlite3.connect(db) as conn:
        assert conn.execute('SELECT count(*) FROM "iedzīvotāji"').fetchone() == (2,)


def test_only_postgresql_and_sqlite_urls_are_accepted() -> None:
    with pytest.raises(Invalid, match="Only PostgreSQL and SQLite"):
        open_table("mysql://u@h/db", "t")


def test_unknown_format_is_refused(write) -> None:
    with pytest.raises(Invalid, match="Unsupported file type"):
        readers.open_file(write("x.docx", b"PK"))
