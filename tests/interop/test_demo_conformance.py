"""The demo catalogue, as every steward and visitor sees it, conforms to DCAT-AP 3.0.1, and
its high-value datasets to DCAT-AP HVD (pyshacl against the official shapes)."""

from __future__ import annotations

from rdflib import Graph, URIRef
from sqlalchemy import select
from sqlalchemy.orm import Session

from dati import demo
from dati.catalog.models import Resource
from dati.config import Settings
from dati.interop import dcat_catalogue
from dati.interop.dcat_harvest import DCAT
from tests.interop.conftest import shacl_report

BASE = "https://dati.gov.lv"


def test_the_demo_catalogue_conforms_to_dcat_ap_and_its_hvds_to_dcat_ap_hvd(
    session: Session, settings: Settings
) -> None:
    demo.load(session, settings)
    text = "".join(
        dcat_catalogue.catalogue_document(
            session, base_url=BASE, fmt="ttl", catalogue_uri=f"{BASE}/catalog"
        )
    )
    graph = Graph().parse(data=text, format="turtle")
    resources = list(session.scalars(select(Resource)))
    datasets = set(graph.objects(URIRef(f"{BASE}/catalog"), DCAT.dataset))
    assert len(datasets) == len(resources) >= 7
    assert shacl_report(graph) is None
    high_value = [r for r in resources if r.hvd_category]
    assert high_value, "the demo should hold high-value datasets"
    for resource in high_value:
        document = dcat_catalogue.dataset_document(
            session, base_url=BASE, fmt="ttl", resource=resource
        )
        report = shacl_report(Graph().parse(data=document, format="turtle"), hvd=True)
        assert report is None, (resource.name, report)
