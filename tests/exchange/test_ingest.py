"""Validation against a Table Schema and building version files: reports, quarantine, keys."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from dati.errors import Invalid
from dati.exchange import readers
from dati.exchange.fields import compile_schema
from dati.exchange.inference import infer_schema
from dati.exchange.ingest import ingest
from dati.exchange.storage import DatasetStore
from tests.exchange.conftest import PEOPLE_CSV, PEOPLE_SCHEMA

SCHEMA = compile_schema(PEOPLE_SCHEMA)


def run(path: Path, store: DatasetStore, **options):  # type: ignore[no-untyped-def]
    return ingest(readers.open_file(path), SCHEMA, store, **options)


def test_valid_file_becomes_a_typed_file_sorted_by_key(write, store) -> None:
    path = write("p.csv", "id,vārds,dzimšanas_datums,novads\n3,C,,Rīga\n1,A,1980-01-02,Cēsis\n")
    outcome = run(path, store)
    table = pq.read_table(outcome.file)
    assert table.column("id").to_pylist() == [1, 3]
    assert str(table.schema.field("dzimšanas_datums").type) == "date32[day]"
    assert outcome.report.ok and outcome.report.rows_valid == 2


def test_report_names_row_column_and_value(write, store) -> None:
    path = write(
        "p.csv",
        "id,vārds,dzimšanas_datums,novads\n1,A,1980-01-02,Rīga\nx,B,1980-02-30,Liepāja\n3,,,Rīga\n",
    )
    with pytest.raises(Invalid) as caught:
        run(path, store)
    report = caught.value.extra["report"]
    found = {(s["row"], s["column"], s["value"]) for s in report["samples"]}
    assert found == {
        (3, "id", "x"),
        (3, "dzimšanas_datums", "1980-02-30"),
        (3, "novads", "Liepāja"),
        (4, "vārds", None),
    }
    assert report["rows_invalid"] == 2 and report["rows_valid"] == 1
    assert "row 3, id" in caught.value.errors
    assert not list(store.tmp.glob("*.parquet")), "a refused file leaves nothing behind"


def test_quarantine_publishes_good_rows_and_keeps_bad_ones_for_download(write, store) -> None:
    path = write("p.csv", PEOPLE_CSV + "4,Dace,not-a-date,Rīga\n5,Juris\n1,Dublikāts,,Rīga\n")
    outcome = run(path, store, quarantine=True)
    assert pq.read_table(outcome.file).column("id").to_pylist() == [1, 2, 3]
    assert outcome.quarantined == 3
    with outcome.quarantine.open(encoding="utf-8-sig") as fh:
        bad = list(csv.DictReader(fh))
    assert [b["row"] for b in bad] == ["5", "6", "7"]
    assert "dzimšanas_datums" in bad[0]["problems"] and bad[0]["dzimšanas_datums"] == "not-a-date"
    assert bad[1]["raw_text"] == "5,Juris"
    assert bad[2]["vārds"] == "Dublikāts"


def test_duplicate_keys_are_refused_naming_both_rows(write, store) -> None:
    path = write("p.csv", PEOPLE_CSV + "2,Otrā Līga,,Rīga\n")
    with pytest.raises(Invalid) as caught:
        run(path, store)
    sample = caught.value.extra["report"]["samples"][0]
    assert sample["row"] == 5 and sample["column"] == "id" and "row 3" in sample["message"]


def test_repeated_keys_in_an_unsorted_clean_file_are_quarantined_first_row_kept(
    write, store
) -> None:
    # Nothing else is wrong, so the repeats are found in the sorted version file (neighbours).
    path = write(
        "p.csv",
        "id,vārds,dzimšanas_datums,novads\n3,C,,Rīga\n1,A,,Cēsis\n3,C otrais,,Rīga\n2,B,,Cēsis\n",
    )
    outcome = run(path, store, quarantine=True)
    table = pq.read_table(outcome.file).to_pylist()
    assert [(r["id"], r["vārds"]) for r in table] == [(1, "A"), (2, "B"), (3, "C")]
    assert outcome.quarantined == 1 and outcome.report.rows_invalid == 1
    with outcome.quarantine.open(encoding="utf-8-sig") as fh:
        assert [(b["row"], b["vārds"]) for b in csv.DictReader(fh)] == [("4", "C otrais")]
    assert len(list(store.tmp.glob("*.parquet"))) == 1, "only the version file is left"


def test_repeats_of_a_composite_key_across_batches_are_found(write, store) -> None:
    schema = compile_schema(
        {
            "fields": [
                {"name": "novads", "type": "string"},
                {"name": "gads", "type": "integer"},
                {"name": "skaits", "type": "integer"},
            ],
            "primaryKey": ["novads", "gads"],
        }
    )
    lines = [f"N{n % 7},{2000 + n // 7},{n}" for n in range(70_000)]
    clean = write("clean.csv", "novads,gads,skaits\n" + "\n".join(reversed(lines)) + "\n")
    assert ingest(readers.open_file(clean), schema, store).report.ok
    repeated = write(
        "repeated.csv", "novads,gads,skaits\n" + "\n".join([*lines, "N3,2005,1"]) + "\n"
    )
    with pytest.raises(Invalid) as caught:
        ingest(readers.open_file(repeated), schema, store)
    assert "N3 / 2005" in caught.value.extra["report"]["samples"][0]["message"]


def test_append_refuses_published_keys_and_upsert_replaces_them(write, store) -> None:
    first = run(write("a.csv", PEOPLE_CSV), store)
    more = write(
        "b.csv", "id,vārds,dzimšanas_datums,novads\n3,Ēriks Jaunais,,Cēsis\n4,Dace,,Rīga\n"
    )
    with pytest.raises(Invalid, match="1 of 2 rows"):
        run(more, store, mode="append", current=first.file)
    upserted = run(more, store, mode="upsert", current=first.file)
    table = pq.read_table(upserted.file).to_pylist()
    assert [r["id"] for r in table] == [1, 2, 3, 4]
    assert table[2]["vārds"] == "Ēriks Jaunais"
    appended = run(
        write("c.csv", "id,vārds,dzimšanas_datums,novads\n9,Nauris,,Rīga\n"),
        store,
        mode="append",
        current=first.file,
    )
    assert pq.ParquetFile(appended.file).metadata.num_rows == 4


def test_number_with_decimal_comma_and_custom_date_format(write, store) -> None:
    schema = compile_schema(
        {
            "fields": [
                {"name": "summa", "type": "number", "decimalChar": ",", "groupChar": " "},
                {"name": "datums", "type": "date", "format": "%d.%m.%Y"},
                {"name": "aktīvs", "type": "boolean", "trueValues": ["jā"], "falseValues": ["nē"]},
            ]
        }
    )
    path = write("n.csv", "summa;datums;aktīvs\n1 234,5;1.02.2024;jā\n7;31.12.2023;nē\n")
    outcome = ingest(readers.open_file(path), schema, store)
    assert pq.read_table(outcome.file).to_pylist()[0]["summa"] == 1234.5
    bad = write("m.csv", "summa;datums;aktīvs\n1;30.02.2024;varbūt\n")
    with pytest.raises(Invalid) as caught:
        ingest(readers.open_file(bad), schema, store)
    assert {s["column"] for s in caught.value.extra["report"]["samples"]} == {"datums", "aktīvs"}


def test_constraints_minimum_maximum_pattern_and_length(write, store) -> None:
    schema = compile_schema(
        {
            "fields": [
                {
                    "name": "vecums",
                    "type": "integer",
                    "constraints": {"minimum": 0, "maximum": 120},
                },
                {"name": "kods", "constraints": {"pattern": "[0-9]{6}-[0-9]{5}", "maxLength": 12}},
            ]
        }
    )
    path = write("c.csv", "vecums,kods\n30,010190-12345\n-1,abc\n121,010190-12345\n")
    with pytest.raises(Invalid) as caught:
        ingest(readers.open_file(path), schema, store)
    messages = {(s["row"], s["column"]) for s in caught.value.extra["report"]["samples"]}
    assert messages == {(3, "vecums"), (3, "kods"), (4, "vecums")}


def test_schema_inference_guesses_types_key_and_required(write, store) -> None:
    path = write(
        "i.csv",
        "kods;nosaukums;skaits;summa;datums;aktīvs\n"
        "A1;Rīga;10;1,5;2024-01-01;true\nA2;Cēsis;;2,25;2024-01-02;false\n",
    )
    schema = infer_schema(readers.open_file(path))
    types = {
        f["name"]: (f["type"], f.get("constraints", {}).get("required", False))
        for f in schema["fields"]
    }
    assert types == {
        "kods": ("string", True),
        "nosaukums": ("string", True),
        "skaits": ("integer", False),
        "summa": ("number", True),
        "datums": ("date", True),
        "aktīvs": ("boolean", True),
    }
    assert schema["primaryKey"] == ["kods"]
    outcome = ingest(readers.open_file(path), compile_schema(schema), store)
    assert pq.read_table(outcome.file).column("summa").to_pylist() == [1.5, 2.25]


def test_inferred_names_follow_the_catalogue_and_still_match_the_header(write, store) -> None:
    path = write("h.csv", "Personas kods,Vārds\n010190-12345,Jānis\n")
    schema = infer_schema(readers.open_file(path))
    assert [(f["name"], f.get("title_lv")) for f in schema["fields"]] == [
        ("personas_kods", "Personas kods"),
        ("Vārds", None),
    ]
    outcome = ingest(readers.open_file(path), compile_schema(schema), store)
    assert pq.read_table(outcome.file).column_names == ["personas_kods", "Vārds"]


@pytest.fixture
def shuffled_rows():  # type: ignore[no-untyped-def]
    """6000 valid rows in a fixed shuffled key order, read in many 16 KB batches."""
    import random

    from dati.exchange import csvstream

    patch = pytest.MonkeyPatch()
    patch.setattr(csvstream, "BLOCK", 16 << 10)
    ids = list(range(1, 6001))
    random.Random(3).shuffle(ids)
    yield [f"{i},Vārds {i},1990-01-02,Rīga\n" for i in ids]
    patch.undo()


def test_a_shuffled_file_streamed_into_the_sort_is_complete_and_sorted(
    write, store, shuffled_rows
) -> None:
    outcome = run(
        write("p.csv", "id,vārds,dzimšanas_datums,novads\n" + "".join(shuffled_rows)), store
    )
    table = pq.read_table(outcome.file)
    assert table.column("id").to_pylist() == list(range(1, 6001))
    assert table.column("vārds")[41].as_py() == "Vārds 42"
    assert outcome.report.ok and outcome.report.rows_valid == 6000
    assert list(store.tmp.glob("*.parquet")) == [outcome.file], "the staged file is gone"


def test_a_shuffled_file_with_errors_late_reports_them_with_row_numbers(
    write, store, shuffled_rows
) -> None:
    shuffled_rows[5000] = "x,Juris,1990-01-02,Rīga\n"
    shuffled_rows.insert(5500, "77,Ragged\n")
    shuffled_rows.append(shuffled_rows[10])  # repeats the key of row 12
    path = write("p.csv", "id,vārds,dzimšanas_datums,novads\n" + "".join(shuffled_rows))
    with pytest.raises(Invalid) as caught:
        run(path, store)
    report = caught.value.extra["report"]
    found = {(s["row"], s["column"]) for s in report["samples"]}
    assert found == {(5002, "id"), (5502, ""), (6003, "id")}
    assert report["rows_invalid"] == 3
    assert not list(store.tmp.glob("*.parquet")), "a refused file leaves nothing behind"
    outcome = run(path, store, quarantine=True)
    assert outcome.quarantined == 3  # the bad value, the ragged row and the repeated key
    assert pq.ParquetFile(outcome.file).metadata.num_rows == 5999
    key = shuffled_rows[10].split(",")[0]
    assert any(d.value == key and d.rows == [12, 6003] for d in outcome.duplicates), (
        outcome.duplicates
    )


def test_a_file_in_key_order_stays_in_key_order_in_the_version(write, store, monkeypatch) -> None:
    from dati.exchange import csvstream

    # Many small batches, which the engine may read on several threads.
    monkeypatch.setattr(csvstream, "BLOCK", 16 << 10)
    lines = "".join(f"{i},Vārds {i},1990-01-02,Rīga\n" for i in range(1, 50_001))
    outcome = run(write("p.csv", "id,vārds,dzimšanas_datums,novads\n" + lines), store)
    assert pq.read_table(outcome.file).column("id").to_pylist() == list(range(1, 50_001))


def test_a_file_in_key_order_at_first_but_not_later_is_sorted(write, store, monkeypatch) -> None:
    from dati.exchange import csvstream

    monkeypatch.setattr(csvstream, "BLOCK", 16 << 10)
    ids = [*range(100, 20_001), *range(99, 0, -1)]
    lines = "".join(f"{i},Vārds {i},1990-01-02,Rīga\n" for i in ids)
    outcome = run(write("p.csv", "id,vārds,dzimšanas_datums,novads\n" + lines), store)
    assert pq.read_table(outcome.file).column("id").to_pylist() == list(range(1, 20_001))
    assert list(store.tmp.glob("*.parquet")) == [outcome.file]


def test_a_failed_write_of_an_ordered_file_raises_and_leaves_nothing(
    write, store, monkeypatch
) -> None:
    """The key-order writer runs on a thread of its own: its failure reaches the publisher,
    and no temporary file stays behind."""
    from dati.exchange import csvstream
    from dati.exchange import ingest as ingest_module

    class Broken:
        def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
            pass

        def __enter__(self):  # type: ignore[no-untyped-def]
            return self

        def __exit__(self, *exc) -> None:  # type: ignore[no-untyped-def]
            pass

        def write_table(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
            raise OSError("No space left on device")

    monkeypatch.setattr(csvstream, "BLOCK", 16 << 10)
    monkeypatch.setattr(ingest_module.pq, "ParquetWriter", Broken)
    lines = "".join(f"{i},Vārds {i},1990-01-02,Rīga\n" for i in range(1, 40_001))
    with pytest.raises(OSError, match="No space left"):
        run(write("p.csv", "id,vārds,dzimšanas_datums,novads\n" + lines), store)
    assert list(store.tmp.glob("*")) == []
