"""Services in DCAT-AP: a data service (dcat:DataService), with DCAT-AP HVD's extra
properties when it serves high-value datasets, and the distribution of the data the
exchange itself serves."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dati.catalog.models import AccessRights, DataService, DataServiceResource, Resource
from dati.exchange.models import DatasetVersion
from dati.interop import dcat_vocab as vocab
from dati.interop.rdf_writer import DCAT, DCATAP, DCT, FOAF, RDFS, XSD, Iri, Lit, Node, iri

if TYPE_CHECKING:
    from dati.interop.dcat_export import Exporter, ResourceLike


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
    stmt = (
        select(Resource.id, Resource.hvd_category, Resource.contact_name, Resource.contact_email)
        .join(DataServiceResource, DataServiceResource.resource_id == Resource.id)
        .where(DataServiceResource.data_service_id == service.id)
        # By name, not id: the contact chosen below must not depend on the order in which
        # an instance happened to create the datasets (a harvested copy creates them anew).
        .order_by(Resource.name)
    )
    if exporter.org_id is not None:
        stmt = stmt.where(Resource.owner_org_id == exporter.org_id)
    if exporter.only_ids is not None:
        stmt = stmt.where(Resource.id.in_(exporter.only_ids))
    served = exporter.session.execute(stmt).all()
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


def published_at(session: Session, ids: Sequence[int]) -> dict[int, datetime]:
    """When each resource's current version of data was published by the exchange."""
    if not ids:
        return {}
    stmt = (
        select(DatasetVersion.resource_id, func.max(DatasetVersion.created_at))
        .where(DatasetVersion.resource_id.in_(ids), DatasetVersion.files_removed_at.is_(None))
        .group_by(DatasetVersion.resource_id)
    )
    return {rid: created for rid, created in session.execute(stmt)}


def data_distribution(exporter: Exporter, r: ResourceLike, published: datetime) -> Node:
    """The data the exchange serves: the data API, and a CSV download for open data."""
    node = Node(iri(f"{exporter.base}/dataset/{r.name}/distribution/data"), (DCAT.Distribution,))
    node.texts(DCT.title, "Dati (API)", "Data (API)")
    api = f"{exporter.base}/api/v1/data/{r.name}"
    node.add(DCAT.accessURL, exporter.typed(api, RDFS.Resource) if r.hvd_category else iri(api))
    if r.access_rights is AccessRights.PUBLIC and not r.personal_data:
        node.add(DCAT.downloadURL, iri(f"{api}?format=csv"))
    node.add(DCT["format"], exporter.file_format("CSV"))
    node.add(DCAT.mediaType, exporter.ref(vocab.media_type_uri("text/csv"), DCT.MediaType))
    if r.licence:
        node.add(DCT.license, exporter.licence(r.licence))
    node.add(DCT.modified, Lit(published.date().isoformat(), datatype=XSD.date))
    if r.hvd_category:
        node.add(DCATAP.applicableLegislation, exporter.hvd_legislation())
    return node
