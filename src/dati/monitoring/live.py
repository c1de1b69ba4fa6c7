"""Indicators the platform computes from its own data. One small function per indicator,
listed in ``LIVE``; each answers for a year (as at the end of that year, or now for the
current year) and returns ``None`` when the data it needs does not exist on this platform yet,
which the pages show as "not yet measured" rather than as a number.

The refresh (``dati monitoring refresh`` or the administrator's button) stores each answer as
a dated actual value with source "platform"; nobody types these values in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Exists, distinct, exists, func, select
from sqlalchemy.orm import Session

from dati.ai.models import AiAssessment, AiSystem, Lifecycle
from dati.ai.verdict import RiskClass
from dati.auth.actor import Role
from dati.auth.models import Membership, User
from dati.catalog.models import AccessRights, Distribution, Resource
from dati.exchange.agreements.models import Agreement
from dati.exchange.models import DatasetVersion
from dati.orgs.models import Organisation, OrgKind
from dati.readiness.models import Assessment, AssessmentStatus

# State and municipal institutions: the population of the strategy's institution indicators.
INSTITUTION_KINDS = (OrgKind.MINISTRY, OrgKind.AGENCY, OrgKind.MUNICIPALITY)


@dataclass(frozen=True)
class Measurement:
    """A computed value; for shares, the counts it was computed from (for means, the count)."""

    value: float
    numerator: int | None = None
    denominator: int | None = None


LiveFunction = Callable[[Session, int], Measurement | None]


def end_of(year: int) -> datetime:
    """The first instant after ``year``: records created before it count for that year."""
    return datetime(year + 1, 1, 1, tzinfo=UTC)


def _share(numerator: int, denominator: int) -> Measurement | None:
    if denominator == 0:
        return None
    return Measurement(round(100 * numerator / denominator, 1), numerator, denominator)


def institutions_with_data_steward(session: Session, year: int) -> Measurement | None:
    """Share of state and municipal institutions with at least one active named data steward."""
    cutoff = end_of(year)
    # The population is the institutions registered now (reference data, loaded whenever the
    # platform was installed); the stewards are counted as they were at the end of the year.
    institutions = session.scalar(
        select(func.count(Organisation.id)).where(Organisation.kind.in_(INSTITUTION_KINDS))
    )
    with_steward = session.scalar(
        select(func.count(distinct(Membership.org_id)))
        .join(User, User.id == Membership.user_id)
        .join(Organisation, Organisation.id == Membership.org_id)
        .where(
            Membership.role == Role.STEWARD,
            Membership.created_at < cutoff,
            User.is_active.is_(True),
            Organisation.kind.in_(INSTITUTION_KINDS),
        )
    )
    return _share(with_steward or 0, institutions or 0)


# --- the catalogue --------------------------------------------------------------------------


def is_described(resource: Resource) -> bool:
    """Metadata are described when a person can find and understand the resource without
    asking: Latvian title and description, a keyword, an EU data theme, a contact point and
    its access conditions (a licence or a rights statement). The publisher is always known."""
    return bool(
        resource.title_lv.strip()
        and resource.description_lv.strip()
        and any(k.strip() for k in resource.keywords_lv or [])
        and resource.themes
        and (resource.contact_name or resource.contact_email)
        and (resource.licence or resource.rights)
    )


def catalogue_resources(session: Session, year: int) -> list[Resource]:
    """Resources registered in the catalogue by the end of the year, as described today."""
    stmt = select(Resource).where(Resource.created_at < end_of(year)).order_by(Resource.id)
    return list(session.scalars(stmt))


def has_distribution() -> Exists:
    """The resource has at least one distribution (a file or an access URL)."""
    return exists().where(Distribution.resource_id == Resource.id)


def catalogue_metadata_described(session: Session, year: int) -> Measurement | None:
    """Share of catalogue information resources whose metadata are described (``is_described``)."""
    resources = catalogue_resources(session, year)
    return _share(sum(is_described(r) for r in resources), len(resources))


def high_value_datasets_available(session: Session, year: int) -> Measurement | None:
    """Share of resources marked as high-value datasets that are open (public access) and
    have at least one distribution to get the data from."""
    cutoff = end_of(year)
    hvd = select(func.count(Resource.id)).where(
        Resource.hvd_category.is_not(None), Resource.created_at < cutoff
    )
    total = session.scalar(hvd) or 0
    available = session.scalar(
        hvd.where(Resource.access_rights == AccessRights.PUBLIC, has_distribution())
    )
    return _share(available or 0, total)


# --- the exchange ---------------------------------------------------------------------------


def _connected(session: Session, year: int, kinds: tuple[OrgKind, ...]) -> Measurement:
    """Organisations of ``kinds`` whose first version of any of their resources was published
    during the year."""
    first = func.min(DatasetVersion.created_at)
    stmt = (
        select(Resource.owner_org_id)
        .join(DatasetVersion, DatasetVersion.resource_id == Resource.id)
        .join(Organisation, Organisation.id == Resource.owner_org_id)
        .where(Organisation.kind.in_(kinds))
        .group_by(Resource.owner_org_id)
        .having(first >= end_of(year - 1), first < end_of(year))
    )
    return Measurement(float(len(session.scalars(stmt).all())))


def institutions_connected(session: Session, year: int) -> Measurement | None:
    """State institutions (ministries, agencies) whose first dataset version was published
    through the exchange during the year: new data providers connected that year."""
    return _connected(session, year, (OrgKind.MINISTRY, OrgKind.AGENCY))


def municipalities_connected(session: Session, year: int) -> Measurement | None:
    """Municipalities whose first dataset version was published through the exchange during the year."""
    return _connected(session, year, (OrgKind.MUNICIPALITY,))


def published_resource_ids(session: Session, year: int) -> set[int]:
    """Resources with at least one version published through the exchange by the end of the year."""
    stmt = select(DatasetVersion.resource_id).where(DatasetVersion.created_at < end_of(year))
    return set(session.scalars(stmt.distinct()))


def open_datasets_published(session: Session, year: int) -> Measurement | None:
    """Open datasets (public access) with a version published through the exchange, in total."""
    published = published_resource_ids(session, year)
    if not published:
        return Measurement(0.0)
    count = session.scalar(
        select(func.count(Resource.id)).where(
            Resource.id.in_(published), Resource.access_rights == AccessRights.PUBLIC
        )
    )
    return Measurement(float(count or 0))


# --- the readiness self-assessment (e-index) -------------------------------------------------


def _latest_submissions(session: Session, year: int) -> dict[int, float | None]:
    """Each institution's latest readiness assessment submitted during the year: its score."""
    stmt = (
        select(Assessment.org_id, Assessment.overall_score)
        .where(
            Assessment.status == AssessmentStatus.SUBMITTED,
            Assessment.submitted_at >= end_of(year - 1),
            Assessment.submitted_at < end_of(year),
        )
        .order_by(Assessment.submitted_at)
    )
    return dict(session.execute(stmt).tuples().all())


def readiness_assessments_submitted(session: Session, year: int) -> Measurement | None:
    """Institutions that submitted the readiness self-assessment during the year."""
    return Measurement(float(len(_latest_submissions(session, year))))


def readiness_mean_score(session: Session, year: int) -> Measurement | None:
    """Mean overall readiness score (0-100) of the year's submissions; none submitted: None."""
    scores = [s for s in _latest_submissions(session, year).values() if s is not None]
    if not scores:
        return None
    return Measurement(round(sum(scores) / len(scores), 1), None, len(scores))


def e_agreements_concluded(session: Session, year: int) -> Measurement | None:
    """E-agreements signed by both parties during the year: each agreement counts once, in the
    year its first version came into force (amendments are not new agreements)."""
    first = (
        select(Agreement.number, func.min(Agreement.activated_at).label("at"))
        .where(Agreement.activated_at.is_not(None))
        .group_by(Agreement.number)
        .subquery()
    )
    count = session.scalar(
        select(func.count())
        .select_from(first)
        .where(first.c.at >= end_of(year - 1), first.c.at < end_of(year))
    )
    return Measurement(float(count or 0))


# --- indicators whose data other features hold --------------------------------------------
# The open data portal is not on this platform yet: until its tables exist this answers None
# ("not yet measured").


def reuse_cases(session: Session, year: int) -> Measurement | None:
    """Reuse cases published on the open data portal (portal)."""
    return None


# --- the AI register ------------------------------------------------------------------------


def ai_systems_by_class(session: Session, year: int) -> dict[RiskClass, int]:
    """AI systems in use or planned at the end of the year, by the class of their newest
    assessment made by then (systems retired by then, or never assessed, are not counted)."""
    cutoff, last_day = end_of(year), date(year, 12, 31)
    systems = {
        system_id
        for system_id, lifecycle, retired_on in session.execute(
            select(AiSystem.id, AiSystem.lifecycle, AiSystem.retired_on).where(
                AiSystem.created_at < cutoff
            )
        )
        if not (retired_on is not None and retired_on <= last_day)
        and not (retired_on is None and lifecycle is Lifecycle.RETIRED)
    }
    newest: dict[int, RiskClass] = {}
    assessed = select(AiAssessment.system_id, AiAssessment.risk_class).where(
        AiAssessment.created_at < cutoff
    )
    for system_id, risk_class in session.execute(assessed.order_by(AiAssessment.id)):
        if system_id in systems:
            newest[system_id] = risk_class
    counts = dict.fromkeys(RiskClass, 0)
    for risk_class in newest.values():
        counts[risk_class] += 1
    return counts


def ai_systems_prohibited(session: Session, year: int) -> Measurement | None:
    """AI systems classified as a prohibited practice (AI Act Art. 5)."""
    return Measurement(float(ai_systems_by_class(session, year)[RiskClass.PROHIBITED]))


def ai_systems_high_risk(session: Session, year: int) -> Measurement | None:
    """AI systems classified as high-risk (AI Act Art. 6 and Annex III)."""
    return Measurement(float(ai_systems_by_class(session, year)[RiskClass.HIGH_RISK]))


def ai_systems_transparency(session: Session, year: int) -> Measurement | None:
    """AI systems with transparency obligations only (AI Act Art. 50)."""
    return Measurement(float(ai_systems_by_class(session, year)[RiskClass.LIMITED]))


def ai_systems_minimal_risk(session: Session, year: int) -> Measurement | None:
    """AI systems with minimal risk."""
    return Measurement(float(ai_systems_by_class(session, year)[RiskClass.MINIMAL]))


# Explicit list: reading it tells you every computed indicator and where its number comes from.
LIVE: dict[str, LiveFunction] = {
    "virsis_metadata_described": catalogue_metadata_described,
    "virsis_e_agreements": e_agreements_concluded,
    "dagr_connected_institutions": institutions_connected,
    "dagr_connected_municipalities": municipalities_connected,
    "ladp_open_datasets_via_dagr": open_datasets_published,
    "ladp_hvd_availability": high_value_datasets_available,
    "ladp_reuse_cases_total": reuse_cases,
    "institutions_data_steward_share": institutions_with_data_steward,
    "ai_systems_prohibited": ai_systems_prohibited,
    "ai_systems_high_risk": ai_systems_high_risk,
    "ai_systems_transparency": ai_systems_transparency,
    "ai_systems_minimal_risk": ai_systems_minimal_risk,
    "readiness_assessments_submitted": readiness_assessments_submitted,
    "readiness_mean_score": readiness_mean_score,
}


def is_computed(code: str) -> bool:
    return code in LIVE
