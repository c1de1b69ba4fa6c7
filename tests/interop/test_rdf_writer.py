"""The streaming writers produce exactly the triples of the node trees, in every syntax."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from dati.interop.dcat_catalogue import DocumentWriter
from dati.interop.rdf_writer import DCAT, DCT, RDFS, VCARD, XSD, Iri, Lit, Node, iri, to_graph

PARSERS = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld"}


def _document(fmt: str, batches: list[list[Node]]) -> str:
    writer = DocumentWriter(fmt)
    return writer.start() + "".join(writer.write(b) for b in batches) + writer.end()


def _tree(title: str, description: str) -> list[Node]:
    contact = Node(None, (VCARD.Kind,)).add(VCARD.fn, Lit(description))
    period = Node(None, (DCT.PeriodOfTime,)).add(
        DCAT.startDate, Lit("2020-01-31", datatype=XSD.date)
    )
    distribution = Node(Iri("https://example.lv/d/1#dist"), (DCAT.Distribution,))
    distribution.add(DCAT.accessURL, Iri("https://example.lv/a?b=1&c=2"))
    distribution.add(DCAT.byteSize, Lit("42", datatype=XSD.nonNegativeInteger))
    dataset = Node(Iri("https://example.lv/d/1"), (DCAT.Dataset, DCAT.DatasetSeries))
    dataset.add(DCT.title, Lit(title, "lv"))
    dataset.add(DCT.title, Lit(title.upper(), "en"))
    dataset.add(DCT.description, Lit(description))
    dataset.add(DCAT.contactPoint, contact)
    dataset.add(DCT.temporal, period)
    dataset.add(DCAT.distribution, distribution)
    dataset.add(DCT.rights, Node(None, (DCT.RightsStatement,)).add(RDFS.label, Lit("x")))
    dataset.add(DCAT.keyword, None)  # skipped, not written as an empty value
    return [dataset, Node(Iri("https://example.lv/catalog")).add(DCAT.dataset, dataset.id)]


@pytest.mark.parametrize("fmt", PARSERS)
def test_each_syntax_parses_back_to_the_same_graph(fmt: str) -> None:
    first = _tree("Adrešu reģistrs", 'Teksts ar "pēdiņām",\njaunu rindu, <tagiem> & \\ slīpsvītru')
    second = _tree("Otrs", "Vēl viens")
    second[0].id = Iri("https://example.lv/d/2")
    text = _document(fmt, [first, second])
    parsed = Graph().parse(data=text, format=PARSERS[fmt])
    assert isomorphic(parsed, to_graph(first + second))
    assert len(parsed) == len(to_graph(first + second)) > 20


@settings(max_examples=40, deadline=None)
@given(text=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40))
def test_any_printable_text_survives_every_syntax(text: str) -> None:
    nodes = _tree(text, text)
    expected = to_graph(nodes)
    for fmt, parser in PARSERS.items():
        assert isomorphic(Graph().parse(data=_document(fmt, [nodes]), format=parser), expected), fmt


def test_json_ld_is_one_valid_json_document_across_batches() -> None:
    text = _document("jsonld", [_tree("a", "b"), [], _tree("c", "d")])
    document = json.loads(text)
    assert "dcat" in document["@context"]
    assert {node["@id"] for node in document["@graph"]} >= {"https://example.lv/d/1#dist"}


def test_iris_with_spaces_or_quotes_are_percent_encoded() -> None:
    assert str(iri('https://example.lv/a b"c')) == "https://example.lv/a%20b%22c"
    assert str(iri("https://example.lv/ok?x=1&y=ā")) == "https://example.lv/ok?x=1&y=ā"


def test_rdf_xml_drops_characters_xml_cannot_carry_and_keeps_line_breaks() -> None:
    node = Node(Iri("https://example.lv/d/1"), (DCAT.Dataset,))
    node.add(DCT.title, Lit("a\x0bb\x00c\r\nd", "lv"))
    parsed = Graph().parse(data=_document("rdf", [[node]]), format="xml")
    assert [str(o) for o in parsed.objects(None, URIRef(DCT.title))] == ["abc\r\nd"]
