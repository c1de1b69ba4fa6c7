"""Getting a DCAT-AP document safely: from an upload, a file or a URL, into an rdflib graph.

A harvest source is typed in by a steward, so the server must not become a way to reach
its own network: URLs must be http(s), may not point at private, loopback or link-local
addresses (also after a redirect), and downloads are capped in size and time. Parsing
never fetches anything either: RDF/XML document types (entity tricks) are refused, and a
JSON-LD document may only name the DCAT-AP context, which is bundled.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from rdflib import Graph

from dati.errors import Invalid, PayloadTooLarge
from dati.i18n import gettext as _

MAX_BYTES = 64 * 1024 * 1024
TIMEOUT_SECONDS = 60.0
MAX_REDIRECTS = 5
DCAT_AP_CONTEXT = Path(__file__).resolve().parent / "data" / "dcat-ap-3.0.1-context.json"
# Tests replace the transport; production uses the network.
TRANSPORT: httpx.BaseTransport | None = None


@dataclass(frozen=True)
class Document:
    data: bytes
    fmt: str  # turtle, xml or json-ld
    origin: str


def detect_format(data: bytes, name: str = "", content_type: str = "") -> str:
    """The RDF syntax of a document, by media type, then file name, then its first bytes."""
    content_type = content_type.split(";")[0].strip().lower()
    by_type = {
        "text/turtle": "turtle",
        "application/x-turtle": "turtle",
        "application/rdf+xml": "xml",
        "application/xml": "xml",
        "text/xml": "xml",
        "application/ld+json": "json-ld",
        "application/json": "json-ld",
    }
    if content_type in by_type:
        return by_type[content_type]
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    by_suffix = {
        "ttl": "turtle",
        "rdf": "xml",
        "xml": "xml",
        "jsonld": "json-ld",
        "json": "json-ld",
    }
    if suffix in by_suffix:
        return by_suffix[suffix]
    start = data.lstrip()[:1]
    if start == b"<":
        return "xml"
    if start in (b"{", b"["):
        return "json-ld"
    return "turtle"


def parse_document(document: Document) -> Graph:
    """Parse without fetching anything; a broken document gives a message a steward can act on."""
    data = document.data
    if document.fmt == "xml" and (b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data):
        raise Invalid(_("RDF/XML documents with a document type declaration are refused."))
    if document.fmt == "json-ld":
        data = _local_contexts(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid(_("The document is not UTF-8 text.")) from None
    try:
        base = document.origin if document.origin.startswith(("http", "file:")) else None
        return Graph().parse(data=text, format=document.fmt, publicID=base)
    except Exception as exc:  # rdflib raises many parser-specific types
        raise Invalid(
            _(
                "The document is not valid {syntax}: {reason}",
                syntax=document.fmt,
                reason=str(exc)[:300],
            )
        ) from None


def _local_contexts(data: bytes) -> bytes:
    try:
        document = json.loads(data)
    except ValueError as exc:
        raise Invalid(
            _("The document is not valid JSON: {reason}", reason=str(exc)[:200])
        ) from None
    return json.dumps(_replace_contexts(document)).encode()


def _replace_contexts(value: Any) -> Any:
    if isinstance(value, list):
        return [_replace_contexts(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        out[key] = _context(item) if key == "@context" else _replace_contexts(item)
    return out


def _context(value: Any) -> Any:
    if isinstance(value, list):
        return [_context(v) for v in value]
    if isinstance(value, str):
        if "dcat-ap" in value.lower() and value.endswith((".jsonld", ".json")):
            return json.loads(DCAT_AP_CONTEXT.read_text(encoding="utf-8"))["@context"]
        raise Invalid(
            _(
                "The JSON-LD context {url} is not fetched; embed it in the document or use the DCAT-AP context.",
                url=value[:200],
            )
        )
    return _replace_contexts(value)


def read_file(path: Path) -> Document:
    if not path.is_file():
        raise Invalid(_("There is no file {path}.", path=str(path)))
    if path.stat().st_size > MAX_BYTES:
        raise PayloadTooLarge(_("The document is larger than {mb} MB.", mb=MAX_BYTES // 2**20))
    data = path.read_bytes()
    return Document(data, detect_format(data, path.name), path.resolve().as_uri())


def from_upload(data: bytes, filename: str, content_type: str = "") -> Document:
    if len(data) > MAX_BYTES:
        raise PayloadTooLarge(_("The document is larger than {mb} MB.", mb=MAX_BYTES // 2**20))
    if not data.strip():
        raise Invalid(_("The file is empty."))
    return Document(data, detect_format(data, filename, content_type), filename)


def resolve_host(host: str, port: int) -> list[str]:
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def check_url(url: str, *, allow_private: bool, resolve: bool = True) -> None:
    """Refuse non-web URLs and, unless allowed, addresses inside private networks.

    ``resolve=False`` judges only what is written (a saved source is checked again, with
    DNS, every time it is fetched; DNS may be down when a steward saves it).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid(
            _("Enter a web address starting with http:// or https://."),
            errors={"url": _("Not a web address.")},
        )
    if allow_private:
        return
    try:  # an address literal is judged as written, without asking DNS
        addresses = [str(ipaddress.ip_address(parts.hostname))]
    except ValueError:
        addresses = []
    if not addresses and parts.hostname.lower() in ("localhost", "localhost.localdomain"):
        addresses = ["127.0.0.1"]
    if not addresses and resolve:
        try:
            addresses = resolve_host(
                parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
            )
        except OSError:
            raise Invalid(
                _("The host {host} could not be found.", host=parts.hostname),
                errors={"url": _("Unknown host.")},
            ) from None
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            raise Invalid(
                _("Harvesting from private or local network addresses is not allowed."),
                errors={"url": _("Private network address.")},
            )


def fetch(url: str, *, allow_private: bool = False) -> Document:
    """Download a catalogue page, re-checking every redirect target."""
    check_url(url, allow_private=allow_private)

    def check_request(request: httpx.Request) -> None:
        check_url(str(request.url), allow_private=allow_private)

    headers = {"Accept": "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.8"}
    try:
        with (
            httpx.Client(
                transport=TRANSPORT,
                timeout=TIMEOUT_SECONDS,
                follow_redirects=True,
                max_redirects=MAX_REDIRECTS,
                headers=headers,
                event_hooks={"request": [check_request]},
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise Invalid(_("The source answered HTTP {status}.", status=response.status_code))
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_BYTES:
                    raise PayloadTooLarge(
                        _("The document is larger than {mb} MB.", mb=MAX_BYTES // 2**20)
                    )
                chunks.append(chunk)
            data = b"".join(chunks)
            content_type = response.headers.get("content-type", "")
            final_url = str(response.url)
    except httpx.HTTPError as exc:
        raise Invalid(_("The source could not be read: {reason}", reason=str(exc)[:200])) from None
    return Document(data, detect_format(data, urlsplit(final_url).path, content_type), final_url)
