"""Bad files: each is refused with a clear message, and the version already published stays served."""

from __future__ import annotations

import pytest

from dati.errors import Invalid
from dati.exchange import service
from dati.exchange.query import build_query
from tests.exchange.conftest import PEOPLE_CSV

HEADER = "id,vārds,dzimšanas_datums,novads\n"


@pytest.fixture
def published(session, system, store, make_resource, publish):  # type: ignore[no-untyped-def]
    """A resource with version 1 published; the fixture's value checks it is still intact."""
    make_resource()
    first = publish("iedzivotaji", PEOPLE_CSV)

    def still_intact() -> None:
        dataset = service.open_dataset(
            session=session, actor=system, name="iedzivotaji", store=store
        )
        assert dataset.version.number == 1 and dataset.version.sha256 == first.sha256
        page = service.read_page(dataset, build_query(dataset.schema))
        assert [r["vārds"] for r in page.rows] == ["Jānis", "Līga", "Ēriks"]
        assert not list(store.tmp.glob("*.parquet")), "no partial file may remain"

    return still_intact


def refused(publish, content, **options) -> Invalid:  # type: ignore[no-untyped-def]
    with pytest.raises(Invalid) as caught:
        publish("iedzivotaji", content, **options)
    return caught.value


def test_empty_file(publish, published) -> None:
    assert refused(publish, b"").detail == "The file is empty."
    published()


def test_header_only(publish, published) -> None:
    assert refused(publish, HEADER).detail == "The file has a header but no data rows."
    published()


def test_ragged_rows(publish, published) -> None:
    error = refused(publish, HEADER + "4,Dace,2000-01-01,Rīga\n5,Juris\n6,A,,Rīga,extra\n")
    assert "2 of 3 rows have errors" in error.detail
    assert error.errors["row 3"] == "Row has 2 values but the header has 4 columns. ('5,Juris')"
    assert "row 4" in error.errors
    published()


def test_mixed_encoding(publish, published) -> None:
    content = (HEADER + "4,Dāvis,,Rīga\n").encode() + "5,Māra,,Cēsis\n".encode("cp1257")
    error = refused(publish, content)
    assert "mixes encodings: line 1 is UTF-8 but line 3 is not" in error.detail
    published()


def test_wrong_delimiter(publish, published) -> None:
    error = refused(publish, HEADER.replace(",", ";") + "4;Dace;;Rīga\n", delimiter=",")
    assert "lacks the column(s) id, vārds, dzimšanas_datums, novads" in error.detail
    assert "Is the delimiter right?" in error.detail
    published()


def test_duplicate_keys(publish, published) -> None:
    error = refused(publish, HEADER + "4,Dace,,Rīga\n5,Juris,,Cēsis\n4,Dace Otrā,,Rīga\n")
    assert error.errors["row 4, id"] == "The key 4 repeats row 2. ('4')"
    published()


def test_ten_thousand_columns(publish, published) -> None:
    wide = (
        ",".join(f"c{i}" for i in range(10_000))
        + "\n"
        + ",".join("1" for _ in range(10_000))
        + "\n"
    )
    error = refused(publish, wide)
    assert error.detail == "The file has 10000 columns; at most 1000 are supported. Is it a table?"
    published()


def test_binary_garbage_named_csv(publish, published) -> None:
    import random

    rng = random.Random(5)
    noise = b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(50_000))
    error = refused(publish, noise, filename="registrs.csv")
    assert error.detail.startswith("This is not a text (CSV) file: it contains binary data.")
    published()


def test_type_violation_deep_in_a_large_file(publish, published) -> None:
    lines = [f"{i},Vārds {i},1990-01-01,Rīga\n" for i in range(10, 200_010)]
    lines[180_000] = "180010,Vārds,1990-13-45,Rīga\n"
    error = refused(publish, HEADER + "".join(lines))
    assert "1 of 200000 rows have errors" in error.detail
    assert (
        error.errors["row 180002, dzimšanas_datums"]
        == "Not a date in the format YYYY-MM-DD. ('1990-13-45')"
    )
    published()
