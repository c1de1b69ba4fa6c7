"""Small RDF node trees and three streaming writers for them: Turtle, RDF/XML and JSON-LD.

rdflib's serializers need the whole graph in memory and sort it first, which for a
100 000-dataset catalogue costs gigabytes and minutes (see bench/RESULTS.md). A DCAT-AP
export is a sequence of small, independent trees (a dataset, its distributions, its
contact point), so each tree is written as soon as it is built, from plain terms: ``Iri``
(a string) and ``Lit`` (text with a language or a datatype). ``to_graph`` turns the same
trees into an rdflib graph, and tests check every writer's output parses back into it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any, NamedTuple
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF

PREFIXES: dict[str, str] = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "hydra": "http://www.w3.org/ns/hydra/core#",
    "dcatap": "http://data.europa.eu/r5r/",
    "eli": "http://data.europa.eu/eli/ontology#",
    "adms": "http://www.w3.org/ns/adms#",
    "locn": "http://www.w3.org/ns/locn#",
}


class Iri(str):
    """An IRI, already safe to write (see ``iri``)."""

    __slots__ = ()


class Lit(NamedTuple):
    """A literal: text with a language tag or a datatype IRI (or neither)."""

    value: str
    lang: str | None = None
    datatype: str | None = None


class Vocabulary:
    """``DCAT.Dataset`` -> Iri("http://www.w3.org/ns/dcat#Dataset"), built once per name."""

    def __init__(self, base: str):
        self._base = base
        self._terms: dict[str, Iri] = {}

    def __getattr__(self, name: str) -> Iri:
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    def __getitem__(self, name: str) -> Iri:
        term = self._terms.get(name)
        if term is None:
            term = self._terms[name] = Iri(self._base + name)
            if name.isidentifier():  # later DCAT.name lookups skip __getattr__
                setattr(self, name, term)
        return term


RDF_ = Vocabulary(PREFIXES["rdf"])
RDFS = Vocabulary(PREFIXES["rdfs"])
XSD = Vocabulary(PREFIXES["xsd"])
DCAT = Vocabulary(PREFIXES["dcat"])
DCT = Vocabulary(PREFIXES["dct"])
FOAF = Vocabulary(PREFIXES["foaf"])
VCARD = Vocabulary(PREFIXES["vcard"])
SKOS = Vocabulary(PREFIXES["skos"])
HYDRA = Vocabulary(PREFIXES["hydra"])
DCATAP = Vocabulary(PREFIXES["dcatap"])
ELI = Vocabulary(PREFIXES["eli"])
ADMS = Vocabulary(PREFIXES["adms"])

# Characters an IRI may not carry in Turtle (IRIREF) or N-Triples; everything else,
# including non-ASCII letters, is written as is.
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def iri(value: str) -> Iri:
    """An IRI safe to write: forbidden characters (spaces, quotes, braces) percent-encoded."""
    value = value.strip()
    if _IRI_FORBIDDEN.search(value):
        value = "".join(quote(c, safe="") if _IRI_FORBIDDEN.match(c) else c for c in value)
    return Iri(value)


@dataclass(slots=True)
class Node:
    """A subject with its types and (predicate, value) pairs, in writing order.

    A node without ``id`` is a blank node written inside its parent. A nested node with an
    ``id`` is written as its own subject, referenced from the parent by IRI.
    """

    id: Iri | None = None
    types: tuple[Iri, ...] = ()
    props: list[tuple[Iri, Any]] = field(default_factory=list)

    def add(self, predicate: Iri, value: Any) -> Node:
        """Add a value; None and empty strings are skipped so callers need no ifs."""
        if value is not None and value != "":
            self.props.append((predicate, value))
        return self

    def texts(self, predicate: Iri, lv: str | None, en: str | None) -> Node:
        """A Latvian and an English literal, each only when present."""
        if lv and lv.strip():
            self.props.append((predicate, Lit(lv.strip(), "lv")))
        if en and en.strip():
            self.props.append((predicate, Lit(en.strip(), "en")))
        return self


def _flatten(nodes: Iterable[Node]) -> Iterator[Node]:
    """Each IRI-identified node, nested IRI nodes after their parent."""
    for node in nodes:
        yield node
        yield from _nested(node)


def _nested(node: Node) -> Iterator[Node]:
    for _, value in node.props:
        if isinstance(value, Node):
            if value.id is not None:
                yield from _flatten([value])
            else:
                yield from _nested(value)


def _grouped(props: list[tuple[Iri, Any]]) -> list[tuple[Iri, list[Any]]]:
    groups: dict[Iri, list[Any]] = {}
    for predicate, value in props:
        groups.setdefault(predicate, []).append(value)
    return list(groups.items())


_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")


@cache
def qname(uri: str) -> str | None:
    """prefix:local for vocabulary terms (predicates, classes, datatypes)."""
    for prefix, base in PREFIXES.items():
        if uri.startswith(base) and _LOCAL.match(uri[len(base) :]):
            return f"{prefix}:{uri[len(base) :]}"
    return None


# --- Turtle ---------------------------------------------------------------------------------

_TTL_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def turtle_header() -> str:
    return "".join(f"@prefix {p}: <{u}> .\n" for p, u in PREFIXES.items()) + "\n"


def _ttl_literal(value: Lit) -> str:
    text = '"' + value.value.translate(_TTL_ESCAPES) + '"'
    if value.lang:
        return f"{text}@{value.lang}"
    if value.datatype:
        return f"{text}^^{qname(value.datatype) or '<' + value.datatype + '>'}"
    return text


def _ttl_object(value: Any, indent: str) -> str:
    if type(value) is Lit:
        return _ttl_literal(value)
    if type(value) is Node:
        if value.id is not None:
            return f"<{value.id}>"
        return "[\n" + _ttl_body(value, indent + "    ") + f"\n{indent}]"
    return f"<{value}>"


def _ttl_body(node: Node, indent: str) -> str:
    # A predicate may repeat (p o1 ; p o2): valid Turtle, and no grouping work per node.
    lines = [f"{indent}{qname(p) or '<' + p + '>'} {_ttl_object(v, indent)}" for p, v in node.props]
    if node.types:
        lines.insert(0, f"{indent}a " + ", ".join(qname(t) or f"<{t}>" for t in node.types))
    return " ;\n".join(lines)


def turtle(nodes: Iterable[Node]) -> str:
    """Turtle statements for ``nodes`` (without the prefix header)."""
    out = []
    for node in _flatten(nodes):
        assert node.id is not None, "top-level nodes need an IRI"
        out.append(f"<{node.id}>\n{_ttl_body(node, '    ')} .\n\n")
    return "".join(out)


# --- RDF/XML --------------------------------------------------------------------------------

# Characters XML 1.0 cannot carry at all; a carriage return must be escaped to survive parsing.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return escape(_XML_INVALID.sub("", text), {"\r": "&#13;"})


def _xml_name(uri: str) -> str:
    name = qname(uri)
    if name is None:
        raise ValueError(f"no XML name for {uri}")
    return name


def rdfxml_header() -> str:
    declarations = "\n".join(f'   xmlns:{p}="{u}"' for p, u in PREFIXES.items())
    return f'<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF\n{declarations}>\n'


def rdfxml_footer() -> str:
    return "</rdf:RDF>\n"


def _xml_props(node: Node, indent: str, named: bool) -> list[str]:
    """Property elements; ``named`` when the first type is already the element's name."""
    types = node.types[1:] if named else node.types
    lines = [f"{indent}<rdf:type rdf:resource={quoteattr(t)}/>" for t in types]
    for predicate, value in node.props:
        tag = _xml_name(predicate)
        if isinstance(value, Lit):
            attrs = ""
            if value.lang:
                attrs = f' xml:lang="{value.lang}"'
            elif value.datatype:
                attrs = f" rdf:datatype={quoteattr(value.datatype)}"
            lines.append(f"{indent}<{tag}{attrs}>{_xml_text(value.value)}</{tag}>")
        elif isinstance(value, Node) and value.id is None:
            lines.append(f'{indent}<{tag} rdf:parseType="Resource">')
            lines.extend(_xml_props(value, indent + "  ", named=False))
            lines.append(f"{indent}</{tag}>")
        else:
            target = value.id if isinstance(value, Node) else value
            lines.append(f"{indent}<{tag} rdf:resource={quoteattr(str(target))}/>")
    return lines


def rdfxml(nodes: Iterable[Node]) -> str:
    """RDF/XML elements for ``nodes`` (without the rdf:RDF wrapper)."""
    out = []
    for node in _flatten(nodes):
        assert node.id is not None, "top-level nodes need an IRI"
        tag = _xml_name(node.types[0]) if node.types else "rdf:Description"
        out.append(f"  <{tag} rdf:about={quoteattr(node.id)}>\n")
        out.extend(line + "\n" for line in _xml_props(node, "    ", named=bool(node.types)))
        out.append(f"  </{tag}>\n")
    return "".join(out)


# --- JSON-LD --------------------------------------------------------------------------------


def jsonld_header() -> str:
    return '{"@context":' + json.dumps(PREFIXES) + ',"@graph":[\n'


def jsonld_footer() -> str:
    return "\n]}\n"


def _json_value(value: Any) -> dict[str, Any]:
    if isinstance(value, Lit):
        out: dict[str, Any] = {"@value": value.value}
        if value.lang:
            out["@language"] = value.lang
        elif value.datatype:
            out["@type"] = qname(value.datatype) or value.datatype
        return out
    if isinstance(value, Node):
        return {"@id": value.id} if value.id is not None else _json_node(value)
    return {"@id": value}


def _json_node(node: Node) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if node.id is not None:
        out["@id"] = node.id
    if node.types:
        out["@type"] = [qname(t) or t for t in node.types]
    for predicate, values in _grouped(node.props):
        out[qname(predicate) or predicate] = [_json_value(v) for v in values]
    return out


def jsonld_objects(nodes: Iterable[Node]) -> Iterator[str]:
    """One JSON text per top-level node, for the @graph array."""
    for node in _flatten(nodes):
        yield json.dumps(_json_node(node), ensure_ascii=False, separators=(",", ":"))


# --- rdflib graph (tests, validation) ---------------------------------------------------------


def rdflib_term(value: Iri | Lit) -> URIRef | Literal:
    if isinstance(value, Lit):
        datatype = URIRef(value.datatype) if value.datatype else None
        return Literal(value.value, lang=value.lang, datatype=datatype)
    return URIRef(value)


def to_graph(nodes: Iterable[Node], graph: Graph | None = None) -> Graph:
    """The same triples the writers produce, as an rdflib graph."""
    graph = graph if graph is not None else Graph()
    for prefix, uri in PREFIXES.items():
        graph.bind(prefix, uri)

    def add(node: Node) -> URIRef | BNode:
        subject: URIRef | BNode = URIRef(node.id) if node.id is not None else BNode()
        for type_ in node.types:
            graph.add((subject, RDF.type, URIRef(type_)))
        for predicate, value in node.props:
            if isinstance(value, Node):
                graph.add((subject, URIRef(predicate), add(value)))
            else:
                graph.add((subject, URIRef(predicate), rdflib_term(value)))
        return subject

    for node in nodes:
        add(node)
    return graph
