"""What kind of text a CSV file is: its encoding, delimiter and quote character.

Latvian systems still export Windows-1257 and ISO-8859-13 besides UTF-8, and spreadsheet
programs pick the delimiter from the locale (';' in Latvia), so neither can be assumed.
Reading assumes UTF-8 when the first block is UTF-8 (almost every file): Arrow checks
UTF-8 in every value as it parses, and only when that check fails is the whole file
examined here (``detect_encoding``), to name the legacy encoding or refuse a mixed file.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from dati.errors import Invalid
from dati.i18n import gettext as _

CHUNK = 4 << 20
SAMPLE = 256 << 10
DELIMITERS = (",", ";", "\t", "|")
UTF8_BOM = b"\xef\xbb\xbf"
# A UTF-8 multi-byte sequence; legacy Baltic text almost never contains one by chance.
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1f]")


@dataclass(frozen=True)
class Dialect:
    encoding: str  # a Python codec name: utf-8, utf-8-sig, cp1257, iso8859_13
    delimiter: str
    quotechar: str
    # UTF-8 was seen in the first block only; the reader confirms the rest as it parses.
    assumed: bool = False


def _unreadable(reason: str) -> Invalid:
    return Invalid(reason, errors={"file": reason})


def guess_encoding(path: Path) -> tuple[str, bool]:
    """The encoding, and whether it is only assumed: UTF-8 when the first block is UTF-8 (the
    rest is left to the reader), else what the whole file is (``detect_encoding``)."""
    with path.open("rb") as fh:
        block = fh.read(SAMPLE)
        whole = not fh.read(1)
    if not block:
        raise _unreadable(_("The file is empty."))
    has_bom = block.startswith(UTF8_BOM)
    if has_bom:
        block = block[len(UTF8_BOM) :]
    _refuse_binary(block)
    if not whole:
        block = block[: block.rfind(b"\n") + 1]  # no letter split at the end of the sample
    try:
        block.decode("utf-8")
    except UnicodeDecodeError:
        return detect_encoding(path), False
    return ("utf-8-sig" if has_bom else "utf-8"), not whole


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM), or Windows-1257 / ISO-8859-13; refuse binary and mixed files.

    A file found to be in a legacy encoding has no line that is non-ASCII UTF-8."""
    utf8_line = legacy_line = 0  # first line seen in each encoding (1-based), 0 = none
    line = 1
    has_bom = False
    carry = b""
    with path.open("rb") as fh:
        first = True
        while True:
            block = fh.read(CHUNK)
            if first:
                if not block:
                    raise _unreadable(_("The file is empty."))
                has_bom = block.startswith(UTF8_BOM)
                if has_bom:
                    block = block[len(UTF8_BOM) :]
                _refuse_binary(block[:SAMPLE])
                first = False
            data = carry + block
            if block:
                # Keep a partial last line for the next round so a multi-byte letter is never split.
                cut = data.rfind(b"\n") + 1
                data, carry = (data[:cut], data[cut:]) if cut else (b"", data)
            else:
                carry = b""
            if data and not data.isascii():
                u, g = _classify(data, line)
                utf8_line = utf8_line or u
                legacy_line = legacy_line or g
            line += data.count(b"\n")
            if not block:
                break
    if utf8_line and legacy_line:
        raise _unreadable(
            _(
                "The file mixes encodings: line {utf8} is UTF-8 but line {legacy} is not. Save the whole file in one encoding (UTF-8 is best) and try again.",
                utf8=utf8_line,
                legacy=legacy_line,
            )
        )
    if legacy_line:
        return "cp1257" if _has_windows_punctuation(path) else "iso8859_13"
    return "utf-8-sig" if has_bom else "utf-8"


def _refuse_binary(sample: bytes) -> None:
    if b"\x00" in sample or len(_CONTROL.findall(sample)) > max(8, len(sample) // 200):
        raise _unreadable(
            _(
                "This is not a text (CSV) file: it contains binary data. Check that you chose the right file."
            )
        )


def _classify(data: bytes, first_line: int) -> tuple[int, int]:
    """The first line of ``data`` that is non-ASCII UTF-8 and the first that is not UTF-8 at all."""
    try:
        data.decode("utf-8")
        return first_line + data[: _first_non_ascii(data)].count(b"\n"), 0
    except UnicodeDecodeError as exc:
        bad_line = first_line + data[: exc.start].count(b"\n")
    if not _UTF8_SEQUENCE.search(data):
        return 0, bad_line
    utf8_line = 0
    for number, raw in enumerate(data.split(b"\n"), start=first_line):
        if raw.isascii():
            continue
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            continue
        utf8_line = number
        break
    return utf8_line, bad_line


def _first_non_ascii(data: bytes) -> int:
    found = _NON_ASCII.search(data)
    return found.start() if found else len(data)


def _has_windows_punctuation(path: Path) -> bool:
    """Bytes 0x80–0x9F are printable in Windows-1257 (quotes, dashes) but controls in ISO-8859-13."""
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            if re.search(rb"[\x80-\x9f]", block):
                return True
    return False


def sample_text(path: Path, encoding: str, size: int = SAMPLE) -> str:
    """The first ``size`` bytes of the file as text, cut at the last complete line."""
    with path.open("rb") as fh:
        raw = fh.read(size)
    more = len(raw) == size
    text = raw.decode(encoding, errors="replace")
    if more and "\n" in text:
        text = text[: text.rfind("\n") + 1]
    return text


def sniff_dialect(text: str) -> tuple[str, str]:
    """The delimiter and quote character that split the sample into the most consistent rows."""
    lines = [line for line in text.splitlines() if line.strip()][:200]
    if not lines:
        return ",", '"'
    quotechar = "'" if _quote_score(text, "'") > _quote_score(text, '"') else '"'
    best: tuple[float, int, str] = (-1.0, 0, ",")
    for delimiter in DELIMITERS:
        rows = list(
            csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter, quotechar=quotechar)
        )
        widths = Counter(len(r) for r in rows)
        width, count = widths.most_common(1)[0]
        if width < 2:
            continue
        score = (count / len(rows), width, delimiter)
        if score[:2] > best[:2]:
            best = score
    return best[2], quotechar


def _quote_score(text: str, quote: str) -> int:
    """How often ``quote`` opens a field (after a delimiter or at a line start)."""
    pattern = re.compile(
        r"(?:^|[,;\t|])"
        + re.escape(quote)
        + r"[^"
        + re.escape(quote)
        + r"\n]*"
        + re.escape(quote)
        + r"(?=[,;\t|]|$)",
        re.M,
    )
    return len(pattern.findall(text))


def detect_dialect(
    path: Path, delimiter: str | None = None, encoding: str | None = None
) -> Dialect:
    """Encoding, delimiter and quote of a CSV file; explicit choices win over detection."""
    assumed = False
    if not encoding:
        encoding, assumed = guess_encoding(path)
    sniffed_delimiter, quotechar = sniff_dialect(sample_text(path, encoding))
    return Dialect(
        encoding=encoding,
        delimiter=delimiter or sniffed_delimiter,
        quotechar=quotechar,
        assumed=assumed,
    )
