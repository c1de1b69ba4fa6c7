"""A data service (dcat:DataService) as a DCAT-AP node, with DCAT-AP HVD's extra
properties when it serves high-value datasets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from dati.catalog.models import DataService, DataServiceResource, Resource
from dati.interop.rdf_writer import DCAT, DCATAP, DCT, FOAF, RDFS, Iri, Lit, Node, iri

if TYPE_CHECKING:
    from dati.interop.dcat_export import Exporter


def service_node(exporter: Exporter, service: DataService, uri: Iri, identifier: str) -> Node:
    node = Node(uri, (DCAT.DataService,))
    node.add(DCT.identifier, Lit(identifier))
    node.texts(DCT.title, service.title_lv, service.title_en)
    node.texts(DCT.description, service.description_lv, service.description_en)
    node.add(DCAT.endpointURL, exporter.typed(service.endpoint_url, RDFS.Resource))
    if service.endpoint_description:
        node.add(
            DCAT.endpointDescription, exporter.typed(service.endpoint_description, RDFS.Resource)
        )
    node.add(DCT.accessRights, exporter.access_rights(service.access_rights))
    if service.licence:
        node.add(DCT.license, exporter.licence(service.licence))
    if service.conforms_to:
        node.add(DCT.conformsTo, exporter.ref(service.conforms_to, DCT.Standard))
    node.add(DCT.publisher, exporter.agent(service.owner))
    served = exporter.session.execute(
        select(Resource.id, Resource.hvd_category, Resource.contact_name, Resource.contact_email)
        .join(DataServiceResource, DataServiceResource.resource_id == Resource.id)
        .where(DataServiceResource.data_service_id == service.id)
        .order_by(Resource.id)
    ).all()
    served_uris = exporter.resource_uris([row.id for row in served])
    for row in served:
        node.add(DCAT.servesDataset, iri(served_uris[row.id]))
    hvd = sorted({row.hvd_category for row in served if row.hvd_category})
    if hvd:  # DCAT-AP HVD: a service of high-value datasets says so and how to reach it
        for code in hvd:
            node.add(DCATAP.hvdCategory, exporter.hvd_category(code))
        node.add(DCATAP.applicableLegislation, exporter.hvd_legislation())
        contact = next((row for row in served if row.contact_email or row.contact_name), None)
        node.add(
            DCAT.contactPoint,
            exporter.contact(contact.contact_name, contact.contact_email, hvd=True)
            if contact
            else exporter.contact(service.owner.name_lv, None, hvd=True),
        )
        node.add(
            FOAF.page,
            exporter.typed(service.endpoint_description or service.endpoint_url, FOAF.Document),
        )
    return node
