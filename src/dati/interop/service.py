"""Interop operations: DCAT-AP export of the catalogue and harvesting DCAT-AP into it.

Harvest sources and their schedule are in ``interop/sources.py``; the CKAN-compatible API
translates to catalogue and exchange calls in ``interop/ckan_actions.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy.orm import Session

from dati.auth.actor import Actor
from dati.auth.permissions import require
from dati.catalog import service as catalog_service
from dati.errors import NotFound
from dati.i18n import gettext as _
from dati.interop import dcat_catalogue, harvest, harvest_fetch
from dati.interop.dcat_catalogue import Page
from dati.interop.models import HarvestRun
from dati.interop.permissions import EXPORT_DCAT, HARVEST
from dati.orgs import service as orgs_service
from dati.orgs.models import Organisation


def _organisation(session: Session, short_name: str) -> Organisation:
    org = orgs_service.find_by_short_name(session, short_name)
    if org is None:
        raise NotFound(_("Organisation {name} does not exist.", name=short_name))
    return org


def export_catalogue(
    *,
    session: Session,
    actor: Actor,
    fmt: str,
    base_url: str,
    org: str | None = None,
    page: Page | None = None,
) -> Iterator[str]:
    """The public catalogue (or one institution's) as a DCAT-AP document, streamed."""
    require(actor, EXPORT_DCAT)
    organisation = _organisation(session, org) if org else None
    uri = dcat_catalogue.catalogue_uri_for(base_url, organisation)
    return dcat_catalogue.catalogue_document(
        session, base_url=base_url, fmt=fmt, catalogue_uri=str(uri), org=organisation, page=page
    )


def export_dataset(*, session: Session, actor: Actor, name: str, fmt: str, base_url: str) -> str:
    """One dataset as a DCAT-AP document."""
    require(actor, EXPORT_DCAT)
    resource = catalog_service.find_resource(session, name)
    return dcat_catalogue.dataset_document(session, base_url=base_url, fmt=fmt, resource=resource)


def harvest_document(
    *,
    session: Session,
    actor: Actor,
    org: str,
    document: harvest_fetch.Document,
) -> HarvestRun:
    """Harvest an uploaded or local DCAT-AP document into an institution's catalogue."""
    organisation = _organisation(session, org)
    require(actor, HARVEST, organisation.id)
    run = harvest.start(session, organisation, document.origin, actor)
    return harvest.harvest_document(session, run, document)


def harvest_url(
    *,
    session: Session,
    actor: Actor,
    org: str,
    url: str,
    allow_private: bool = False,
    source_id: int | None = None,
) -> HarvestRun:
    """Harvest a DCAT-AP catalogue URL (following Hydra pages) into an institution's catalogue.

    ``allow_private`` is for the operator's command line only: addresses typed in by
    stewards may not reach the server's own network.
    """
    organisation = _organisation(session, org)
    require(actor, HARVEST, organisation.id)
    harvest_fetch.check_url(url, allow_private=allow_private)
    run = harvest.start(session, organisation, url, actor, source_id)
    return harvest.harvest_url(session, run, url, allow_private=allow_private)
