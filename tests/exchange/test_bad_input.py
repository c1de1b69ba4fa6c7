"""Bad files: each is refused with a clear message, and the version already published stays served.

Messages are checked in Latvian, the language publishers see."""

from __future__ import annotations

import pytest

from dati.errors import Invalid
from dati.exchange import service
from dati.exchange.query import build_query
from tests.exchange.conftest import PEOPLE_CSV

HEADER = "id,vārds,dzimšanas_datums,novads\n"


@pytest.fixture(autouse=True)
def latvian(english_messages):  # type: ignore[no-untyped-def]
    from dati import i18n

    i18n.set_language("lv")


@pytest.fixture
def published(session, system, store, make_resource, publish):  # type: ignore[no-untyped-def]
    """A resource with version 1 published; the fixture's value checks it is still intact."""
    make_resource()
    first = publish("iedzivotaji", PEOPLE_CSV)

    def still_intact() -> None:
        dataset = service.open_dataset(
            session=session, actor=system, name="iedzivotaji", store=store, secret="test-secret"
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
    assert refused(publish, b"").detail == "Fails ir tukšs."
    published()


def test_header_only(publish, published) -> None:
    assert refused(publish, HEADER).detail == "Failā ir galvene, bet nav datu rindu."
    published()


def test_ragged_rows(publish, published) -> None:
    error = refused(publish, HEADER + "4,Dace,2000-01-01,Rīga\n5,Juris\n6,A,,Rīga,extra\n")
    assert "2 no 3 rindām ir kļūdas" in error.detail
    assert error.errors["3. rinda"] == "Rindā ir 2 vērtības, bet galvenē ir 4 kolonnas. ('5,Juris')"
    assert "4. rinda" in error.errors
    published()


def test_mixed_encoding(publish, published) -> None:
    content = (HEADER + "4,Dāvis,,Rīga\n").encode() + "5,Māra,,Cēsis\n".encode("cp1257")
    error = refused(publish, content)
    assert "sajauktas kodējumu sistēmas: 1. rinda ir UTF-8, bet 3. rinda nav" in error.detail
    published()


def test_wrong_delimiter(publish, published) -> None:
    error = refused(publish, HEADER.replace(",", ";") + "4;Dace;;Rīga\n", delimiter=",")
    assert (
        "trūkst tabulas shēmā prasīto kolonnu: id, vārds, dzimšanas_datums, novads" in error.detail
    )
    assert "Vai atdalītājs ir pareizs?" in error.detail
    published()


def test_duplicate_keys(publish, published) -> None:
    error = refused(publish, HEADER + "4,Dace,,Rīga\n5,Juris,,Cēsis\n4,Dace Otrā,,Rīga\n")
    assert error.errors["4. rinda, id"] == "Atslēga 4 atkārto 2. rindu. ('4')"
    published()


def test_ten_thousand_columns(publish, published) -> None:
    wide = (
        ",".join(f"c{i}" for i in range(10_000))
        + "\n"
        + ",".join("1" for _ in range(10_000))
        + "\n"
    )
    error = refused(publish, wide)
    assert (
        error.detail == "Failā ir 10000 kolonnu; atbalstītas ne vairāk kā 1000. Vai tā ir tabula?"
    )
    published()


def test_binary_garbage_named_csv(publish, published) -> None:
    import random

    rng = random.Random(5)
    noise = b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(50_000))
    error = refused(publish, noise, filename="registrs.csv")
    assert error.detail.startswith("Tas nav teksta (CSV) fails: tajā ir bināri dati.")
    published()


def test_type_violation_deep_in_a_large_file(publish, published) -> None:
    lines = [f"{i},Vārds {i},1990-01-01,Rīga\n" for i in range(10, 200_010)]
    lines[180_000] = "180010,Vārds,1990-13-45,Rīga\n"
    error = refused(publish, HEADER + "".join(lines))
    assert "1 no 200000 rindām ir kļūdas" in error.detail
    assert (
        error.errors["180002. rinda, dzimšanas_datums"]
        == "Nav datums formātā YYYY-MM-DD. ('1990-13-45')"
    )
    published()


def test_mixed_encoding_late_in_a_large_file(publish, published, monkeypatch) -> None:
    from dati.exchange import csvstream

    monkeypatch.setattr(csvstream, "BLOCK", 16 << 10)
    lines = "".join(f"{(i * 7919) % 20000 + 10},Vārds,,Rīga\n" for i in range(20_000))
    content = (HEADER + lines).encode() + "5,Māra,,Cēsis\n".encode("cp1257")
    error = refused(publish, content)
    assert "sajauktas kodējumu sistēmas: 1. rinda ir UTF-8, bet 20002. rinda nav" in error.detail
    published()
