"""Latvian personal codes and registration numbers: validation and checksums."""

from __future__ import annotations

import re
from datetime import date

_PERSONAL_WEIGHTS = (1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_REG_WEIGHTS = (9, 1, 4, 8, 3, 10, 2, 5, 7, 6)
_CENTURY = {"0": 1800, "1": 1900, "2": 2000}


def normalise_personal_code(value: str) -> str:
    """'010190-12345' or '01019012345' -> '010190-12345'."""
    digits = re.sub(r"\D", "", value or "")
    return f"{digits[:6]}-{digits[6:]}" if len(digits) == 11 else value.strip()


def personal_code_check_digit(first_ten: str) -> int | None:
    """The check digit of an old-format code, or None when no digit fits (the code cannot exist)."""
    total = sum(int(d) * w for d, w in zip(first_ten, _PERSONAL_WEIGHTS, strict=True))
    digit = (1101 - total) % 11
    return None if digit == 10 else digit


def is_valid_personal_code(value: str) -> bool:
    """Old-format codes (DDMMYY-CNNNN) need a real birth date and checksum; new ones start with 32."""
    digits = re.sub(r"\D", "", value or "")
    if len(digits) != 11 or not re.fullmatch(r"\d{6}-?\d{5}", value.strip()):
        return False
    if digits.startswith("32"):
        return True
    century = _CENTURY.get(digits[6])
    if century is None:
        return False
    try:
        date(century + int(digits[4:6]), int(digits[2:4]), int(digits[0:2]))
    except ValueError:
        return False
    return personal_code_check_digit(digits[:10]) == int(digits[10])


def registration_number_check_digit(first_ten: str) -> int | None:
    total = sum(int(d) * w for d, w in zip(first_ten, _REG_WEIGHTS, strict=True))
    digit = (3 - total) % 11
    return None if digit == 10 else digit


def is_valid_registration_number(value: str) -> bool:
    """11 digits whose weighted sum satisfies the Register of Enterprises checksum."""
    if not re.fullmatch(r"\d{11}", value or ""):
        return False
    return registration_number_check_digit(value[:10]) == int(value[10])
