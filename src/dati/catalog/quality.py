"""Metadata quality: the EU MQA score (data.europa.eu method, max 405 points), a completeness
percentage of the properties the catalogue recommends, and "fix this first" advice.

A distribution-level indicator earns its points when it holds for at least one of the
resource's distributions. URL reachability is read from ``catalog_url_check``, which only
the background checker (``dati catalog check-urls``) writes: a page view never fetches a URL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from dati.auth.actor import Actor
from dati.auth.permissions import require
from dati.catalog import vocabularies
from dati.catalog.models import Distribution, Resource, UrlCheck
from dati.catalog.permissions import VIEW_CATALOGUE
from dati.orgs.models import Organisation

MAX_SCORE = 405
DIMENSIONS = ("findability", "accessibility", "interoperability", "reusability", "contextuality")


@dataclass(frozen=True)
class Indicator:
    key: str
    dimension: str
    points: int
    label: str  # English msgid
    advice: str  # English msgid: what to do when it fails


INDICATORS = (
    Indicator("keywords", "findability", 30, "Keywords", "Add keywords people would search for."),
    Indicator("themes", "findability", 30, "Themes", "Choose at least one EU data theme."),
    Indicator(
        "spatial", "findability", 20, "Spatial coverage", "Say which territory the data covers."
    ),
    Indicator(
        "temporal", "findability", 20, "Temporal coverage", "Give the period the data covers."
    ),
    Indicator(
        "access_url_reachable",
        "accessibility",
        50,
        "Access URL answers",
        "Make the access URL answer (the check runs every night).",
    ),
    Indicator(
        "download_url",
        "accessibility",
        20,
        "Download URL given",
        "Give a download URL for a file distribution.",
    ),
    Indicator(
        "download_url_reachable",
        "accessibility",
        30,
        "Download URL answers",
        "Make the download URL answer (the check runs every night).",
    ),
    Indicator("format", "interoperability", 20, "Format", "State each distribution's file format."),
    Indicator(
        "media_type", "interoperability", 10, "Media type", "State the media type (e.g. text/csv)."
    ),
    Indicator(
        "format_vocabulary",
        "interoperability",
        10,
        "Format from the EU vocabulary",
        "Use a format from the EU file-type list (CSV, JSON, XLSX ...).",
    ),
    Indicator(
        "non_proprietary",
        "interoperability",
        20,
        "Non-proprietary format",
        "Offer a non-proprietary format such as CSV or JSON.",
    ),
    Indicator(
        "machine_readable",
        "interoperability",
        20,
        "Machine-readable format",
        "Offer a machine-readable format such as CSV, JSON or XML.",
    ),
    Indicator(
        "dcat_ap",
        "interoperability",
        30,
        "DCAT-AP compliant",
        "Complete the description and use vocabulary formats and media types (DCAT-AP).",
    ),
    Indicator("licence", "reusability", 20, "Licence", "Choose a licence."),
    Indicator(
        "licence_vocabulary",
        "reusability",
        10,
        "Licence from the EU vocabulary",
        "Use a licence from the EU list, such as CC BY 4.0.",
    ),
    Indicator("access_rights", "reusability", 10, "Access rights", "State the access rights."),
    Indicator(
        "access_rights_vocabulary",
        "reusability",
        5,
        "Access rights from the EU vocabulary",
        "State the access rights.",
    ),
    Indicator("contact_point", "reusability", 20, "Contact point", "Give a contact e-mail."),
    Indicator("publisher", "reusability", 10, "Publisher", "Name the publisher."),
    Indicator("rights", "contextuality", 5, "Rights statement", "Describe the rights of use."),
    Indicator("byte_size", "contextuality", 5, "File size", "Give the size of each file."),
    Indicator("issued", "contextuality", 5, "Date of issue", "Give the date of first publication."),
    Indicator(
        "modified", "contextuality", 5, "Date of change", "Give the date of the last change."
    ),
)
assert sum(i.points for i in INDICATORS) == MAX_SCORE


@dataclass(frozen=True)
class Completeness:
    key: str
    label: str
    test: Callable[[Resource], bool]


COMPLETENESS = (
    Completeness("title_en", "Title in English", lambda r: bool(r.title_en)),
    Completeness("description_lv", "Description in Latvian", lambda r: bool(r.description_lv)),
    Completeness("description_en", "Description in English", lambda r: bool(r.description_en)),
    Completeness("keywords", "Keywords", lambda r: bool(r.keywords_lv or r.keywords_en)),
    Completeness("themes", "Themes", lambda r: bool(r.themes)),
    Completeness("contact", "Contact point", lambda r: bool(r.contact_email)),
    Completeness("publisher", "Publisher", lambda r: r.publisher_org_id is not None),
    Completeness("spatial", "Spatial coverage", lambda r: bool(r.spatial)),
    Completeness("temporal", "Temporal coverage", lambda r: bool(r.temporal_start)),
    Completeness("frequency", "Update frequency", lambda r: bool(r.frequency)),
    Completeness("dates", "Dates of issue and change", lambda r: bool(r.issued and r.modified)),
    Completeness("licence", "Licence", lambda r: bool(r.licence)),
    Completeness("legal_basis", "Legal basis", lambda r: bool(r.legal_basis)),
    Completeness("steward", "Responsible steward", lambda r: r.steward_user_id is not None),
    Completeness("system", "Information system", lambda r: r.system_id is not None),
    Completeness("distribution", "At least one distribution", lambda r: bool(r.distributions)),
    Completeness("fields", "Field schema", lambda r: bool(r.fields)),
    Completeness(
        "field_titles",
        "Titles of all fields",
        lambda r: bool(r.fields) and all(f.title_lv for f in r.fields),
    ),
)


@dataclass(frozen=True)
class Advice:
    key: str
    points: int  # what fixing it would add
    text: str  # English msgid


DEPENDS_ON = {
    "download_url_reachable": "download_url",
    "licence_vocabulary": "licence",
    "access_rights_vocabulary": "access_rights",
}


@dataclass
class Assessment:
    score: int
    completeness: int
    met: dict[str, bool]
    missing_properties: list[Completeness]
    dimensions: dict[str, tuple[int, int]] = field(default_factory=dict)  # earned, maximum

    @property
    def rating(self) -> str:
        return rating(self.score)

    has_distributions: bool = True

    @property
    def advice(self) -> list[Advice]:
        """What to fix, the most points first. An indicator that depends on a missing one
        (a download URL that cannot answer because there is none) is folded into it."""
        failed = [i for i in INDICATORS if not self.met[i.key]]
        advice = []
        for indicator in failed:
            parent = DEPENDS_ON.get(indicator.key)
            if parent and not self.met[parent]:
                continue
            points = indicator.points + sum(
                i.points for i in failed if DEPENDS_ON.get(i.key) == indicator.key
            )
            text = indicator.advice
            if indicator.key == "access_url_reachable" and not self.has_distributions:
                text = "Add a distribution: a file to download or an address where the data can be reached."
            advice.append(Advice(indicator.key, points, text))
        return sorted(advice, key=lambda a: -a.points)


def rating(score: float) -> str:
    """The MQA rating (edp-scoring vocabulary): excellent > 350, good 221-350, sufficient 120-220."""
    if score > 350:
        return "excellent"
    if score >= 221:
        return "good"
    if score >= 120:
        return "sufficient"
    return "bad"


RATING_LABELS = {
    "excellent": "Excellent",
    "good": "Good",
    "sufficient": "Sufficient",
    "bad": "Bad",
}


def assess(resource: Resource, reachable: dict[str, bool]) -> Assessment:
    """Score a resource; ``reachable`` maps checked URLs to whether they answered 2xx/3xx."""
    dists = resource.distributions
    fmts = [vocabularies.formats().get(vocabularies.format_code(d.format) or "") for d in dists]
    known = [f for f in fmts if f is not None]
    licence = resource.licence or next((d.licence for d in dists if d.licence), None)
    met = {
        "keywords": bool(resource.keywords_lv or resource.keywords_en),
        "themes": bool(resource.themes),
        "spatial": bool(resource.spatial),
        "temporal": bool(resource.temporal_start or resource.temporal_end),
        "access_url_reachable": any(reachable.get(d.access_url) for d in dists),
        "download_url": any(d.download_url for d in dists),
        "download_url_reachable": any(
            d.download_url and reachable.get(d.download_url) for d in dists
        ),
        "format": any(d.format for d in dists),
        "media_type": any(d.media_type for d in dists),
        "format_vocabulary": bool(known)
        or any(d.media_type in vocabularies.media_types() for d in dists),
        "non_proprietary": any(f.non_proprietary for f in known),
        "machine_readable": any(f.machine_readable for f in known),
        "dcat_ap": dcat_ap_compliant(resource),
        "licence": bool(licence),
        "licence_vocabulary": vocabularies.licence_code(licence) is not None,
        "access_rights": resource.access_rights is not None,
        "access_rights_vocabulary": resource.access_rights is not None,
        "contact_point": bool(resource.contact_email or resource.contact_name),
        "publisher": resource.publisher_org_id is not None,
        "rights": bool(resource.rights or any(d.rights for d in dists)),
        "byte_size": any(d.byte_size is not None for d in dists),
        "issued": resource.issued is not None,
        "modified": resource.modified is not None,
    }
    dimensions = {
        d: (
            sum(i.points for i in INDICATORS if i.dimension == d and met[i.key]),
            sum(i.points for i in INDICATORS if i.dimension == d),
        )
        for d in DIMENSIONS
    }
    missing = [c for c in COMPLETENESS if not c.test(resource)]
    filled = len(COMPLETENESS) - len(missing)
    return Assessment(
        score=sum(earned for earned, _max in dimensions.values()),
        completeness=round(100 * filled / len(COMPLETENESS)),
        met=met,
        missing_properties=missing,
        dimensions=dimensions,
        has_distributions=bool(dists),
    )


def dcat_ap_compliant(resource: Resource) -> bool:
    """The DCAT-AP 3.0.1 shape constraints our input can break: a description, and distribution
    formats and media types that are vocabulary IRIs rather than free text."""
    if not (resource.description_lv or resource.description_en):
        return False
    for dist in resource.distributions:
        if dist.format and vocabularies.format_code(dist.format) is None:
            return False
        if dist.media_type and dist.media_type not in vocabularies.media_types():
            return False
    return True


def reachability(session: Session, resources: list[Resource]) -> dict[str, bool]:
    urls = {
        u for r in resources for d in r.distributions for u in (d.access_url, d.download_url) if u
    }
    if not urls:
        return {}
    rows = session.execute(select(UrlCheck.url, UrlCheck.reachable).where(UrlCheck.url.in_(urls)))
    return {url: ok for url, ok in rows}


def refresh(session: Session, resources: list[Resource]) -> None:
    """Recompute and store the cached score and completeness (after every change)."""
    reachable = reachability(session, resources)
    for resource in resources:
        result = assess(resource, reachable)
        resource.quality_score = result.score
        resource.completeness = result.completeness


def assess_resource(*, session: Session, actor: Actor, resource: Resource) -> Assessment:
    """The quality panel of one resource."""
    require(actor, VIEW_CATALOGUE, resource)
    return assess(resource, reachability(session, [resource]))


def url_checks(session: Session, resource: Resource) -> dict[str, UrlCheck]:
    urls = [u for d in resource.distributions for u in (d.access_url, d.download_url) if u]
    return {c.url: c for c in session.scalars(select(UrlCheck).where(UrlCheck.url.in_(urls)))}


@dataclass
class QualityRow:
    org: Organisation | None
    resources: int
    average_score: float
    average_completeness: float
    ratings: dict[str, int]

    @property
    def rating(self) -> str:
        return rating(self.average_score)


def overview(*, session: Session, actor: Actor) -> tuple[QualityRow, list[QualityRow]]:
    """National totals and one row per institution, the best average score first."""
    require(actor, VIEW_CATALOGUE)
    bands = {
        "excellent": Resource.quality_score > 350,
        "good": Resource.quality_score.between(221, 350),
        "sufficient": Resource.quality_score.between(120, 220),
        "bad": Resource.quality_score < 120,
    }
    columns = [
        func.count(Resource.id),
        func.avg(Resource.quality_score),
        func.avg(Resource.completeness),
        *[func.sum(case((cond, 1), else_=0)) for cond in bands.values()],
    ]

    def row(org: Organisation | None, values: tuple[Any, ...]) -> QualityRow:
        count, score, completeness, *counts = values
        return QualityRow(
            org,
            int(count or 0),
            round(float(score or 0), 1),
            round(float(completeness or 0), 1),
            dict(zip(bands, (int(c or 0) for c in counts), strict=True)),
        )

    national = row(None, tuple(session.execute(select(*columns)).one()))
    per_org = session.execute(
        select(Resource.owner_org_id, *columns).group_by(Resource.owner_org_id)
    ).all()
    orgs = {
        o.id: o
        for o in session.scalars(
            select(Organisation).where(Organisation.id.in_([r[0] for r in per_org]))
        )
    }
    rows = [row(orgs[r[0]], tuple(r[1:])) for r in per_org]
    rows.sort(key=lambda r: (-r.average_score, r.org.short_name if r.org else ""))
    return national, rows


def resources_with_url(session: Session, urls: set[str]) -> list[int]:
    """Ids of resources whose distributions use any of these URLs (to refresh after a check)."""
    stmt = select(Distribution.resource_id).where(
        Distribution.access_url.in_(urls) | Distribution.download_url.in_(urls)
    )
    return sorted(set(session.scalars(stmt)))
