"""The "Datu čempions" (Data Champion): a yearly ranking of state and municipal institutions
in several categories (strategy, task 1.5), with the method shown beside it.

Each category is one function that returns the institutions' values for a year, or ``None``
while the data it needs does not exist on the platform. The refresh stores a snapshot per
year, so a past year's ranking does not move when data changes later.

Method: within a category, institutions are ranked by value (highest first; equal values
share a rank) and get points = 100 × value / the best value. The overall ranking is the mean
of an institution's points over the categories that were measured (0 where it has no value).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, distinct, func, or_, select
from sqlalchemy.orm import Session

from dati.auth.actor import Actor, Role
from dati.auth.models import Membership, User
from dati.auth.permissions import require
from dati.catalog.models import AccessRights, Resource
from dati.errors import NotFound
from dati.i18n import gettext as _
from dati.monitoring.live import (
    INSTITUTION_KINDS,
    catalogue_resources,
    end_of,
    has_distribution,
    is_described,
    published_resource_ids,
)
from dati.monitoring.models import ChampionRun, ChampionScore
from dati.monitoring.permissions import VIEW_MONITORING
from dati.orgs import service as orgs_service
from dati.orgs.models import Organisation

CategoryFunction = Callable[[Session, int], dict[int, float] | None]
GOVERNANCE_ROLES = (Role.STEWARD, Role.PUBLISHER, Role.SIGNATORY)


def governance_roles_named(session: Session, year: int) -> dict[int, float] | None:
    """How many of the roles data steward, publisher and signatory (0-3) each institution has
    given to a named, active person by the end of the year."""
    cutoff = end_of(year)
    institutions = session.scalars(
        select(Organisation.id).where(Organisation.kind.in_(INSTITUTION_KINDS))
    )
    values: dict[int, float] = dict.fromkeys(institutions, 0.0)
    rows = session.execute(
        select(Membership.org_id, func.count(distinct(Membership.role)))
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.role.in_(GOVERNANCE_ROLES),
            Membership.created_at < cutoff,
            User.is_active.is_(True),
            Membership.org_id.in_(list(values)),
        )
        .group_by(Membership.org_id)
    )
    for org_id, count in rows:
        if org_id is not None:
            values[org_id] = float(count)
    return values


def open_data_published(session: Session, year: int) -> dict[int, float] | None:
    """Open resources (public access) per owning institution, registered by the end of the
    year, that people can get: with a distribution or a version published in the exchange."""
    published = published_resource_ids(session, year)
    rows = session.execute(
        select(Resource.owner_org_id, func.count(Resource.id))
        .where(
            Resource.access_rights == AccessRights.PUBLIC,
            Resource.created_at < end_of(year),
            or_(has_distribution(), Resource.id.in_(published)),
        )
        .group_by(Resource.owner_org_id)
    )
    return {org_id: float(count) for org_id, count in rows}


def metadata_described(session: Session, year: int) -> dict[int, float] | None:
    """Share of each institution's catalogue resources whose metadata are described."""
    resources = catalogue_resources(session, year)
    if not resources:
        return None  # a share of nothing is not a measurement, as for the national indicator
    totals: dict[int, list[int]] = {}
    for resource in resources:
        counts = totals.setdefault(resource.owner_org_id, [0, 0])
        counts[0] += is_described(resource)
        counts[1] += 1
    return {org_id: round(100 * d / n, 1) for org_id, (d, n) in totals.items()}


def metadata_quality(session: Session, year: int) -> dict[int, float] | None:
    """Mean metadata-quality (MQA) score of each institution's catalogue resources."""
    cutoff = end_of(year)
    # The catalogue stores 0 until it has scored a resource; all zeros means "not scored yet".
    if not session.scalar(
        select(func.max(Resource.quality_score)).where(Resource.created_at < cutoff)
    ):
        return None
    rows = session.execute(
        select(Resource.owner_org_id, func.avg(Resource.quality_score))
        .where(Resource.created_at < cutoff)
        .group_by(Resource.owner_org_id)
    )
    return {org_id: round(float(mean), 1) for org_id, mean in rows}


def exchange_distribution(session: Session, year: int) -> dict[int, float] | None:
    """Resources of each institution served by the exchange (a version published by the end
    of the year), whatever their access rights."""
    rows = session.execute(
        select(Resource.owner_org_id, func.count(Resource.id))
        .where(Resource.id.in_(published_resource_ids(session, year)))
        .group_by(Resource.owner_org_id)
    )
    return {org_id: float(count) for org_id, count in rows}


@dataclass(frozen=True)
class Category:
    code: str
    title: str  # English message id, translated where shown
    method: str  # English message id
    unit: str
    compute: CategoryFunction


# Explicit list, in the order the strategy names the categories.
CATEGORIES: tuple[Category, ...] = (
    Category(
        "open_data",
        "Open data published",
        "Open datasets (public access) of the institution registered in the catalogue by the end of the year that people can get: with a distribution or a version published in the exchange.",
        "count",
        open_data_published,
    ),
    Category(
        "metadata_described",
        "Metadata described in the catalogue",
        "Share of the institution's information resources in the catalogue whose metadata are described: Latvian title and description, a keyword, an EU data theme, a contact point and access conditions (a licence or a rights statement).",
        "percent",
        metadata_described,
    ),
    Category(
        "exchange_distribution",
        "Data distributed through the exchange",
        "The institution's information resources whose data the exchange serves (at least one version published by the end of the year), whatever their access rights.",
        "count",
        exchange_distribution,
    ),
    Category(
        "metadata_quality",
        "Metadata quality",
        "Mean metadata-quality score of the institution's resources in the catalogue by the EU MQA method (0–405 points).",
        "points",
        metadata_quality,
    ),
    Category(
        "governance_roles",
        "Data governance roles named",
        "How many of the roles data steward, publisher and signatory (0–3) the institution has given to a named person on the platform by the end of the year.",
        "count",
        governance_roles_named,
    ),
)
CATEGORY_BY_CODE = {c.code: c for c in CATEGORIES}


def method_text() -> str:
    return _(
        "Within each category institutions are ranked by value, highest first; equal values share a rank. Each gets points: 100 × its value ÷ the best value in the category. The overall ranking is the mean of an institution's points over the categories measured this year (0 where it has no value). Categories whose data the platform does not hold yet are not yet measured and do not count."
    )


def compute(session: Session, year: int) -> list[str]:
    """Store this year's snapshot of every category; returns the codes that could be measured.
    Called by the refresh, which has checked its own permission."""
    measured = []
    institutions = set(
        session.scalars(select(Organisation.id).where(Organisation.kind.in_(INSTITUTION_KINDS)))
    )
    for category in CATEGORIES:
        values = category.compute(session, year)
        if values is not None:
            # Companies, universities and NGOs may own resources but are not ranked.
            values = {org_id: v for org_id, v in values.items() if org_id in institutions}
        session.execute(
            delete(ChampionScore).where(
                ChampionScore.year == year, ChampionScore.category == category.code
            )
        )
        session.execute(
            delete(ChampionRun).where(
                ChampionRun.year == year, ChampionRun.category == category.code
            )
        )
        session.add(ChampionRun(year=year, category=category.code, measured=values is not None))
        for org_id, value in (values or {}).items():
            session.add(
                ChampionScore(year=year, category=category.code, org_id=org_id, value=value)
            )
        if values is not None:
            measured.append(category.code)
    session.flush()
    return measured


@dataclass(frozen=True)
class Entry:
    rank: int
    org: Organisation
    value: float
    points: float


@dataclass(frozen=True)
class CategoryRanking:
    category: Category
    measured: bool
    entries: list[Entry]  # institutions with a value above zero, best first
    values: dict[int, Entry]  # every stored institution, for the drill-down


@dataclass(frozen=True)
class Ranking:
    year: int
    computed_at: datetime | None
    categories: list[CategoryRanking]
    overall: list[Entry]


@dataclass(frozen=True)
class InstitutionResult:
    org: Organisation
    ranking: Ranking
    overall: Entry | None
    rows: list[tuple[CategoryRanking, Entry | None]]


def _ranked(pairs: list[tuple[Organisation, float]], best: float) -> list[Entry]:
    """Competition ranking (1, 2, 2, 4) by value, highest first, then by name."""
    pairs = sorted(pairs, key=lambda p: (-p[1], p[0].name_lv))
    entries: list[Entry] = []
    for index, (org, value) in enumerate(pairs):
        rank = entries[-1].rank if entries and entries[-1].value == value else index + 1
        points = round(100 * value / best, 1) if best > 0 else 0.0
        entries.append(Entry(rank, org, value, points))
    return entries


def ranking_of(session: Session, year: int) -> Ranking:
    """Lookup for the report, which has checked its own permission."""
    runs = {
        r.category: r for r in session.scalars(select(ChampionRun).where(ChampionRun.year == year))
    }
    scores = list(session.scalars(select(ChampionScore).where(ChampionScore.year == year)))
    categories = []
    totals: dict[int, float] = {}
    orgs: dict[int, Organisation] = {}
    measured_count = 0
    for category in CATEGORIES:
        run = runs.get(category.code)
        measured = bool(run and run.measured)
        pairs = [(s.organisation, s.value) for s in scores if s.category == category.code]
        best = max((v for _o, v in pairs), default=0.0)
        ranked = _ranked(pairs, best)
        if measured:
            measured_count += 1
            for entry in ranked:
                # Unrounded points, so the overall mean does not add up rounding errors.
                raw = 100 * entry.value / best if best > 0 else 0.0
                totals[entry.org.id] = totals.get(entry.org.id, 0.0) + raw
                orgs[entry.org.id] = entry.org
        categories.append(
            CategoryRanking(
                category,
                measured,
                [e for e in ranked if e.value > 0],
                {e.org.id: e for e in ranked},
            )
        )
    overall_pairs = [
        (orgs[org_id], round(total / measured_count, 1))
        for org_id, total in totals.items()
        if total > 0
    ]
    overall = [Entry(e.rank, e.org, e.value, e.value) for e in _ranked(overall_pairs, 100.0)]
    computed_at = max((r.computed_at for r in runs.values()), default=None)
    return Ranking(year, computed_at, categories, overall)


def get_ranking(*, session: Session, actor: Actor, year: int) -> Ranking:
    """The year's stored ranking, per category and overall."""
    require(actor, VIEW_MONITORING)
    return ranking_of(session, year)


def get_institution_result(
    *, session: Session, actor: Actor, year: int, org: str
) -> InstitutionResult:
    """One institution's values, ranks and points in every category of the year."""
    require(actor, VIEW_MONITORING)
    organisation = orgs_service.find_by_short_name(session, org)
    if organisation is None:
        raise NotFound(_("Organisation {name} does not exist.", name=org))
    ranking = ranking_of(session, year)
    overall = next((e for e in ranking.overall if e.org.id == organisation.id), None)
    rows = [(c, c.values.get(organisation.id)) for c in ranking.categories]
    return InstitutionResult(organisation, ranking, overall, rows)


def ranked_years(session: Session) -> list[int]:
    """Years that have a stored ranking, newest first (for the year selector)."""
    return list(
        session.scalars(select(ChampionRun.year).distinct().order_by(ChampionRun.year.desc()))
    )
