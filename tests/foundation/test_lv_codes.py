"""Latvian personal code and registration number checksums."""

import pytest

from dati.lv_codes import is_valid_personal_code, is_valid_registration_number


@pytest.mark.parametrize("code", ["150385-11116", "15038511116", "321234-56789"])
def test_valid_personal_codes(code: str) -> None:
    assert is_valid_personal_code(code)


@pytest.mark.parametrize("code", ["150385-11115", "310285-11111", "1503851111", "abcdef-ghijk", ""])
def test_invalid_personal_codes(code: str) -> None:
    assert not is_valid_personal_code(code)


def test_registration_numbers() -> None:
    assert is_valid_registration_number("40003032949")
    assert not is_valid_registration_number("40003032948")
    assert not is_valid_registration_number("4000303294")
