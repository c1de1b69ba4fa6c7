"""Small RDF node trees and three streaming writers for them: Turtle, RDF/XML and JSON-LD.

rdflib's serializers need the whole graph in memory and sort it first, which for a
100 000-dataset catalogue costs gigabytes and minutes. A DCAT-AP export is a sequence of
small, independent trees (a dataset, its distributions, its contact point), so each
tree is written as soon as it is built. Terms are rdflib's (``URIRef``, ``Literal``), and
tests check that every writer's output parses back into the graph ``to_graph`` builds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD, Namespace, NamespaceManager

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")

PREFIXES: dict[str, str] = {
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "dcat": str(DCAT),
    "dct": str(DCT),
    "foaf": str(FOAF),
    "vcard": str(VCARD),
    "skos": str(SKOS),
    "hydra": str(HYDRA),
    "dcatap": str(DCATAP),
    "eli": str(ELI),
    "adms": str(ADMS),
    "locn": str(LOCN),
}


@dataclass
class Node:
    """A subject with its types and (predicate, value) pairs, in writing order.

    A node without ``id`` is a blank node written inside its parent. A nested node with an
    ``id`` is written as its own subject, referenced from the parent by IRI.
    """

    id: URIRef | None = None
    types: tuple[URIRef, ...] = ()
    props: list[tuple[URIRef, Any]] = field(default_factory=list)

    def add(self, predicate: URIRef, value: Any) -> Node:
        """Add a value; None and empty strings are skipped so callers need no ifs."""
        if value is not None and value != "":
            self.props.append((predicate, value))
        return self


def iri(value: str) -> URIRef:
    """An IRI safe to write: characters Turtle and XML forbid inside IRIs are percent-encoded."""
    return URIRef(quote(value.strip(), safe="/:?#[]@!$&'()*+,;=%~-._"))


def _flatten(nodes: Iterable[Node]) -> Iterator[Node]:
    """Each IRI-identified node once, nested IRI nodes after their parent."""
    for node in nodes:
        yield node
        for _, value in node.props:
            if isinstance(value, Node):
                yield from _flatten_nested(value)


def _flatten_nested(node: Node) -> Iterator[Node]:
    if node.id is not None:
        yield from _flatten([node])
    else:
        for _, value in node.props:
            if isinstance(value, Node):
                yield from _flatten_nested(value)


def _grouped(props: list[tuple[URIRef, Any]]) -> list[tuple[URIRef, list[Any]]]:
    groups: dict[URIRef, list[Any]] = {}
    for predicate, value in props:
        groups.setdefault(predicate, []).append(value)
    return list(groups.items())


# --- Turtle ---------------------------------------------------------------------------------

_NAMESPACES = NamespaceManager(Graph(bind_namespaces="none"))
for _prefix, _uri in PREFIXES.items():
    _NAMESPACES.bind(_prefix, _uri, override=True, replace=True)
_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")


def _qname(uri: str) -> str | None:
    for prefix, base in PREFIXES.items():
        if uri.startswith(base) and _LOCAL.match(uri[len(base) :]):
            return f"{prefix}:{uri[len(base) :]}"
    return None


def turtle_header() -> str:
    return "".join(f"@prefix {p}: <{u}> .\n" for p, u in PREFIXES.items()) + "\n"


def _ttl_term(value: Any, indent: str) -> str:
    if isinstance(value, Node):
        if value.id is not None:
            return _ttl_term(value.id, indent)
        return "[\n" + _ttl_body(value, indent + "    ") + f"\n{indent}]"
    if isinstance(value, URIRef):
        return _qname(str(value)) or value.n3()
    if isinstance(value, Literal):
        return value.n3(_NAMESPACES)
    raise TypeError(f"not an RDF term: {value!r}")


def _ttl_body(node: Node, indent: str) -> str:
    lines = []
    if node.types:
        lines.append(f"{indent}a " + ", ".join(_ttl_term(t, indent) for t in node.types))
    for predicate, values in _grouped(node.props):
        objects = ", ".join(_ttl_term(v, indent) for v in values)
        lines.append(f"{indent}{_ttl_term(predicate, indent)} {objects}")
    return " ;\n".join(lines)


def turtle(nodes: Iterable[Node]) -> str:
    """Turtle statements for ``nodes`` (without the prefix header)."""
    out = []
    for node in _flatten(nodes):
        assert node.id is not None, "top-level nodes need an IRI"
        out.append(f"{_ttl_term(node.id, '')}\n{_ttl_body(node, '    ')} .\n\n")
    return "".join(out)


# --- RDF/XML --------------------------------------------------------------------------------


def rdfxml_header() -> str:
    declarations = "\n".join(f'   xmlns:{p}="{u}"' for p, u in PREFIXES.items())
    return f'<?xml version="1.0" encoding="utf-8"?>\n<rdf:RDF\n{declarations}>\n'


def rdfxml_footer() -> str:
    return "</rdf:RDF>\n"


# Characters XML 1.0 cannot carry at all; a carriage return must be escaped to survive parsing.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return escape(_XML_INVALID.sub("", text), {"\r": "&#13;"})


def _xml_name(uri: URIRef) -> str:
    name = _qname(str(uri))
    if name is None:
        raise ValueError(f"no XML name for predicate {uri}")
    return name


def _xml_props(node: Node, indent: str, named: bool) -> list[str]:
    """Property elements; ``named`` when the first type is already the element's name."""
    types = node.types[1:] if named else node.types
    lines = [f"{indent}<rdf:type rdf:resource={quoteattr(str(t))}/>" for t in types]
    for predicate, value in node.props:
        tag = _xml_name(predicate)
        if isinstance(value, Node) and value.id is None:
            lines.append(f'{indent}<{tag} rdf:parseType="Resource">')
            lines.extend(_xml_props(value, indent + "  ", named=False))
            lines.append(f"{indent}</{tag}>")
        elif isinstance(value, Node | URIRef):
            target = value.id if isinstance(value, Node) else value
            lines.append(f"{indent}<{tag} rdf:resource={quoteattr(str(target))}/>")
        else:
            attrs = ""
            if value.language:
                attrs = f' xml:lang="{value.language}"'
            elif value.datatype:
                attrs = f" rdf:datatype={quoteattr(str(value.datatype))}"
            lines.append(f"{indent}<{tag}{attrs}>{_xml_text(str(value))}</{tag}>")
    return lines


def rdfxml(nodes: Iterable[Node]) -> str:
    """RDF/XML elements for ``nodes`` (without the rdf:RDF wrapper)."""
    out = []
    for node in _flatten(nodes):
        assert node.id is not None, "top-level nodes need an IRI"
        tag = _xml_name(node.types[0]) if node.types else "rdf:Description"
        out.append(f"  <{tag} rdf:about={quoteattr(str(node.id))}>\n")
        out.extend(line + "\n" for line in _xml_props(node, "    ", named=bool(node.types)))
        out.append(f"  </{tag}>\n")
    return "".join(out)


# --- JSON-LD --------------------------------------------------------------------------------


def jsonld_context() -> dict[str, str]:
    return dict(PREFIXES)


def _json_value(value: Any) -> dict[str, Any]:
    if isinstance(value, Node):
        if value.id is not None:
            return {"@id": str(value.id)}
        return _json_node(value)
    if isinstance(value, URIRef):
        return {"@id": str(value)}
    out: dict[str, Any] = {"@value": str(value)}
    if value.language:
        out["@language"] = value.language
    elif value.datatype:
        out["@type"] = _qname(str(value.datatype)) or str(value.datatype)
    return out


def _json_node(node: Node) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if node.id is not None:
        out["@id"] = str(node.id)
    if node.types:
        out["@type"] = [_qname(str(t)) or str(t) for t in node.types]
    for predicate, values in _grouped(node.props):
        out[_qname(str(predicate)) or str(predicate)] = [_json_value(v) for v in values]
    return out


def jsonld_objects(nodes: Iterable[Node]) -> Iterator[str]:
    """One JSON text per top-level node, for the @graph array."""
    for node in _flatten(nodes):
        yield json.dumps(_json_node(node), ensure_ascii=False, separators=(",", ":"))


def jsonld_header() -> str:
    context = json.dumps(jsonld_context(), ensure_ascii=False)
    return '{"@context":' + context + ',"@graph":[\n'


def jsonld_footer() -> str:
    return "\n]}\n"


# --- rdflib graph (tests, validation, small documents) ----------------------------------------


def to_graph(nodes: Iterable[Node], graph: Graph | None = None) -> Graph:
    """The same triples the writers produce, as an rdflib graph."""
    graph = graph if graph is not None else Graph()
    for prefix, uri in PREFIXES.items():
        graph.bind(prefix, uri)

    def add(node: Node) -> URIRef | BNode:
        subject: URIRef | BNode = node.id if node.id is not None else BNode()
        for type_ in node.types:
            graph.add((subject, RDF.type, type_))
        for predicate, value in node.props:
            if isinstance(value, Node):
                graph.add((subject, predicate, add(value) if value.id is None else value.id))
                if value.id is not None:
                    add(value)
            else:
                graph.add((subject, predicate, value))
        return subject

    for node in nodes:
        add(node)
    return graph
