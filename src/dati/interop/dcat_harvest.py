"""Read a DCAT-AP graph into plain harvest records: datasets (and dataset series) with
their distributions, and data services, each with a stable identifier.

Real catalogues vary: titles with or without language tags, licences as EU codes or as
Creative Commons URLs, formats as file-type URIs or as text, DCAT-AP 2 temporal
properties (schema:startDate). Values outside the catalogue's vocabularies are dropped
with a warning on that record rather than refusing the record.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node as Term

from dati.catalog.models import AccessRights
from dati.i18n import gettext as _
from dati.interop import dcat_vocab as vocab
from dati.interop.rdf_writer import PREFIXES

# rdflib namespaces for reading graphs (the writers use plain-string vocabularies).
DCAT, DCATAP, DCT, FOAF, HYDRA, RDFS, SKOS, VCARD = (
    Namespace(PREFIXES[p])
    for p in ("dcat", "dcatap", "dct", "foaf", "hydra", "rdfs", "skos", "vcard")
)
SCHEMA = Namespace("http://schema.org/")
SCHEMA_S = Namespace("https://schema.org/")


@dataclass
class HarvestedDistribution:
    key: str
    uri: str | None
    values: dict[str, Any]
    access_service: str | None = None


@dataclass
class HarvestedDataset:
    identifier: str
    uri: str | None
    values: dict[str, Any]
    name_hint: str | None = None
    publisher_hint: str | None = None
    is_series: bool = False
    in_series: str | None = None
    distributions: list[HarvestedDistribution] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return str(self.values.get("title_lv") or self.identifier)

    def content_hash(self) -> str:
        payload = asdict(self) | {"warnings": []}
        text = json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class HarvestedService:
    identifier: str
    uri: str | None
    values: dict[str, Any]
    serves: list[str]
    name_hint: str | None = None

    def content_hash(self) -> str:
        text = json.dumps(asdict(self), sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class ParsedCatalogue:
    datasets: list[HarvestedDataset]
    services: list[HarvestedService]
    # Datasets that could not even be identified: (label, message).
    unreadable: list[tuple[str, str]]
    next_page: str | None


def parse(graph: Graph) -> ParsedCatalogue:
    subjects = set(graph.subjects(RDF.type, DCAT.Dataset)) | set(
        graph.subjects(RDF.type, DCAT.DatasetSeries)
    )
    datasets: list[HarvestedDataset] = []
    unreadable: list[tuple[str, str]] = []
    identifiers = {s: _identifier(graph, s) for s in subjects}
    for subject in sorted(subjects, key=str):
        identifier = identifiers[subject]
        if identifier is None:
            label = _text(graph, subject, DCT.title)[0] or str(subject)
            unreadable.append(
                (
                    label,
                    _(
                        "The dataset has neither a URI nor dct:identifier, so it cannot be updated later."
                    ),
                )
            )
            continue
        datasets.append(_dataset(graph, subject, identifier, identifiers))
    services = [
        _service(graph, s, identifiers)
        for s in sorted(graph.subjects(RDF.type, DCAT.DataService), key=str)
        if _identifier(graph, s)
    ]
    return ParsedCatalogue(datasets, services, unreadable, next_page(graph))


def next_page(graph: Graph) -> str | None:
    """The Hydra link to the next page (hydra:next, or CKAN's older hydra:nextPage)."""
    for predicate in (HYDRA["next"], HYDRA.nextPage):
        for value in graph.objects(None, predicate):
            return str(value)
    return None


def _identifier(graph: Graph, subject: Term) -> str | None:
    """dct:identifier when given (the publisher's own stable id), else the subject URI."""
    for value in graph.objects(subject, DCT.identifier):
        text = str(value).strip()
        if text:
            return text[:500]
    return str(subject)[:500] if isinstance(subject, URIRef) else None


def _language(value: Literal) -> str:
    """The primary language of a literal: "en" for en-GB, "lv" for lv-LV, "" untagged."""
    return (value.language or "").split("-")[0].lower()


def _text(graph: Graph, subject: Term, predicate: URIRef) -> tuple[str, str]:
    """(Latvian, English): untagged text counts as Latvian; another language is a last resort."""
    found: dict[str, str] = {}
    for value in graph.objects(subject, predicate):
        if isinstance(value, Literal) and str(value).strip():
            found.setdefault(_language(value), str(value).strip())
    en = found.get("en", "")
    lv = found.get("lv") or found.get("") or en or next(iter(found.values()), "")
    return lv, en


def _words(graph: Graph, subject: Term, predicate: URIRef) -> tuple[list[str], list[str]]:
    """Keywords in Latvian (or untagged) and in English; other languages are left out, as
    the catalogue would otherwise show them, and export them, as Latvian."""
    by_language: dict[str, list[str]] = {"lv": [], "": [], "en": []}
    for value in graph.objects(subject, predicate):
        language = _language(value) if isinstance(value, Literal) else None
        if language in by_language and str(value).strip():
            by_language[language].append(str(value).strip())
    return sorted(set(by_language["lv"] + by_language[""])), sorted(set(by_language["en"]))


def _uri(graph: Graph, subject: Term, predicate: URIRef) -> str | None:
    for value in graph.objects(subject, predicate):
        if isinstance(value, URIRef):
            return str(value)
        if isinstance(value, Literal) and str(value).startswith(("http://", "https://")):
            return str(value).strip()
    return None


def _label(graph: Graph, node: Term) -> str:
    for predicate in (SKOS.prefLabel, RDFS.label, DCT.title, FOAF.name):
        lv, _en = _text(graph, node, predicate)
        if lv:
            return lv
    return str(node) if isinstance(node, Literal) else ""


def _day(value: Term | None) -> date | None:
    if not isinstance(value, Literal):
        return None
    python = value.toPython()
    if isinstance(python, datetime):
        return python.date()
    if isinstance(python, date):
        return python
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _dataset(
    graph: Graph, s: Term, identifier: str, identifiers: dict[Term, str | None]
) -> HarvestedDataset:
    warnings: list[str] = []
    title_lv, title_en = _text(graph, s, DCT.title)
    description_lv, description_en = _text(graph, s, DCT.description)
    keywords_lv, keywords_en = _words(graph, s, DCAT.keyword)
    values: dict[str, Any] = {
        "title_lv": title_lv,
        "title_en": title_en,
        "description_lv": description_lv,
        "description_en": description_en,
        "keywords_lv": keywords_lv,
        "keywords_en": keywords_en,
        "themes": _codes(graph, s, DCAT.theme, vocab.theme_code, _("Theme"), warnings),
        "access_rights": AccessRights.PUBLIC,
    }
    contact = graph.value(s, DCAT.contactPoint)
    if contact is not None:
        name = (
            _text(graph, contact, VCARD.fn)[0]
            or _text(graph, contact, VCARD["organization-name"])[0]
        )
        email = _uri(graph, contact, VCARD.hasEmail) or str(
            graph.value(contact, VCARD.hasEmail) or ""
        )
        values["contact_name"] = name or None
        values["contact_email"] = email.removeprefix("mailto:").strip() or None
    spatial = _codes(graph, s, DCT.spatial, vocab.spatial_code, _("Geographic coverage"), warnings)
    values["spatial"] = spatial[0] if spatial else None
    period = graph.value(s, DCT.temporal)
    if period is not None:
        for key, predicates in (
            ("temporal_start", (DCAT.startDate, SCHEMA.startDate, SCHEMA_S.startDate)),
            ("temporal_end", (DCAT.endDate, SCHEMA.endDate, SCHEMA_S.endDate)),
        ):
            values[key] = next((d for p in predicates if (d := _day(graph.value(period, p)))), None)
    frequency = _codes(
        graph, s, DCT.accrualPeriodicity, vocab.frequency_code, _("Frequency"), warnings
    )
    values["frequency"] = frequency[0] if frequency else None
    values["issued"] = _day(graph.value(s, DCT.issued))
    values["modified"] = _day(graph.value(s, DCT.modified))
    access = graph.value(s, DCT.accessRights)
    if access is not None:
        mapped = vocab.access_rights_from(str(access)) or vocab.access_rights_from(
            _label(graph, access)
        )
        if mapped is None:
            warnings.append(
                _(
                    "Access rights {value} are not in the EU vocabulary; kept as non-public.",
                    value=str(access),
                )
            )
        values["access_rights"] = mapped or AccessRights.NON_PUBLIC
    distributions: list[HarvestedDistribution] = []
    for node in sorted(graph.objects(s, DCAT.distribution), key=str):
        found = _distribution(graph, node, identifier, identifiers, warnings)
        if any(other.key == found.key for other in distributions):  # the same one listed twice
            continue
        distributions.append(found)
    distributions.sort(key=lambda dist: dist.key)  # blank nodes come in any order
    licence = _uri(graph, s, DCT.license)
    if (
        licence is None
    ):  # DCAT-AP keeps licences on distributions; one shared licence is the dataset's
        licences = {d.values["licence"] for d in distributions if d.values.get("licence")}
        licence = licences.pop() if len(licences) == 1 else None
    values["licence"] = vocab.licence_value(licence) if licence else None
    rights = graph.value(s, DCT.rights)
    values["rights"] = (_label(graph, rights) or None) if rights is not None else None
    values["conforms_to"] = _uri(graph, s, DCT.conformsTo)
    values["landing_page"] = _uri(graph, s, DCAT.landingPage)
    hvd = _codes(
        graph, s, DCATAP.hvdCategory, vocab.hvd_code, _("High-value dataset category"), warnings
    )
    values["hvd_category"] = hvd[0] if hvd else None
    series = graph.value(s, DCAT.inSeries)
    publisher = graph.value(s, DCT.publisher)
    return HarvestedDataset(
        identifier=identifier,
        uri=str(s) if isinstance(s, URIRef) else None,
        values=values,
        name_hint=_name_hint(s),
        publisher_hint=_publisher_hint(graph, publisher) if publisher is not None else None,
        is_series=(s, RDF.type, DCAT.DatasetSeries) in graph,
        in_series=(identifiers.get(series) or str(series)) if series is not None else None,
        distributions=distributions,
        warnings=warnings,
    )


def _codes(
    graph: Graph, s: Term, predicate: URIRef, mapper: Any, what: str, warnings: list[str]
) -> list[str]:
    codes = []
    for value in sorted(graph.objects(s, predicate), key=str):
        code = mapper(str(value)) if isinstance(value, URIRef | Literal) else None
        if code is None and isinstance(value, BNode):
            code = mapper(_label(graph, value))
        if code is None:
            warnings.append(
                _(
                    "{what}: {value} is not in the vocabulary and was left out.",
                    what=what,
                    value=_label(graph, value) or str(value),
                )
            )
        elif code not in codes:
            codes.append(code)
    return codes


def _distribution(
    graph: Graph,
    d: Term,
    dataset_identifier: str,
    identifiers: dict[Term, str | None],
    warnings: list[str],
) -> HarvestedDistribution:
    title_lv, title_en = _text(graph, d, DCT.title)
    access_url = _uri(graph, d, DCAT.accessURL)
    download_url = _uri(graph, d, DCAT.downloadURL)
    fmt_node = graph.value(d, DCT["format"])
    fmt = None
    if fmt_node is not None:
        text = str(fmt_node) if not isinstance(fmt_node, BNode) else _label(graph, fmt_node)
        fmt = vocab.format_from(text) or (_label(graph, fmt_node) or text)[:40]
    media = graph.value(d, DCAT.mediaType)
    byte_size = graph.value(d, DCAT.byteSize)
    licence = _uri(graph, d, DCT.license)
    rights = graph.value(d, DCT.rights)
    values: dict[str, Any] = {
        "title_lv": title_lv,
        "title_en": title_en,
        "description": _text(graph, d, DCT.description)[0],
        "access_url": access_url or download_url or "",
        "download_url": download_url,
        "format": fmt,
        "media_type": vocab.media_type_from(str(media))[:100] if media is not None else None,
        "byte_size": int(byte_size)
        if isinstance(byte_size, Literal) and str(byte_size).isdigit()
        else None,
        "licence": vocab.licence_value(licence) if licence else None,
        "rights": (_label(graph, rights) or None) if rights is not None else None,
        "conforms_to": _uri(graph, d, DCT.conformsTo),
        "issued": _day(graph.value(d, DCT.issued)),
        "modified": _day(graph.value(d, DCT.modified)),
    }
    # Known by its URI, or (a blank node) by what it points at; within its dataset, since two
    # datasets may well list the same file.
    own = str(d) if isinstance(d, URIRef) else f"{values['access_url']}|{download_url}|{title_lv}"
    service = graph.value(d, DCAT.accessService)
    return HarvestedDistribution(
        key=hashlib.sha256(f"{dataset_identifier}\n{own}".encode()).hexdigest(),
        uri=str(d) if isinstance(d, URIRef) else None,
        values=values,
        access_service=(_identifier(graph, service) if service is not None else None),
    )


def _service(graph: Graph, s: Term, identifiers: dict[Term, str | None]) -> HarvestedService:
    title_lv, title_en = _text(graph, s, DCT.title)
    description_lv, description_en = _text(graph, s, DCT.description)
    access = graph.value(s, DCT.accessRights)
    licence = _uri(graph, s, DCT.license)
    serves = [
        identifiers.get(x) or str(x) for x in sorted(graph.objects(s, DCAT.servesDataset), key=str)
    ]
    return HarvestedService(
        identifier=_identifier(graph, s) or "",
        uri=str(s) if isinstance(s, URIRef) else None,
        values={
            "title_lv": title_lv,
            "title_en": title_en,
            "description_lv": description_lv,
            "description_en": description_en,
            "endpoint_url": _uri(graph, s, DCAT.endpointURL) or "",
            "endpoint_description": _uri(graph, s, DCAT.endpointDescription),
            "access_rights": (vocab.access_rights_from(str(access)) if access is not None else None)
            or AccessRights.PUBLIC,
            "licence": vocab.licence_value(licence) if licence else None,
            "conforms_to": _uri(graph, s, DCT.conformsTo),
        },
        serves=serves,
        name_hint=_name_hint(s),
    )


def _name_hint(subject: Term) -> str | None:
    """The last path segment of a dataset URI, a good URL name when it is a slug."""
    if not isinstance(subject, URIRef):
        return None
    segment = str(subject).rstrip("/").rsplit("/", 1)[-1].split("#")[0].split("?")[0]
    return segment.lower() or None


def _publisher_hint(graph: Graph, publisher: Term) -> str | None:
    """An institution's short name: its dct:identifier, or an /organisations/{name} URI."""
    identifier = graph.value(publisher, DCT.identifier)
    if identifier is not None:
        return str(identifier).strip()
    if isinstance(publisher, URIRef) and "/organisations/" in str(publisher):
        return str(publisher).rstrip("/").rsplit("/", 1)[-1]
    return None
