"""Scores and aggregates: an institution's result, national and per-ministry averages, and
comparison between rounds. Only submitted assessments count."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import fmean

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dati.auth.actor import Actor
from dati.auth.permissions import allowed, require
from dati.readiness import scoring
from dati.readiness.models import (
    Assessment,
    AssessmentStatus,
    Dimension,
    DimensionScore,
    Recommendation,
    Round,
)
from dati.readiness.permissions import VIEW_ALL_RESULTS, VIEW_ASSESSMENT, VIEW_NATIONAL
from dati.readiness.services import recommendations as recommendations_service
from dati.readiness.services.answers import assessment_row
from dati.readiness.services.rounds import Group, get_round_row, group_of, sort_key


@dataclass(frozen=True)
class DimensionAverage:
    dimension: Dimension
    average: float | None
    count: int


@dataclass(frozen=True)
class NationalOverview:
    round: Round
    submitted: int
    total: int
    overall: float | None
    dimensions: list[DimensionAverage]

    def averages(self) -> dict[str, float | None]:
        return {d.dimension.code: d.average for d in self.dimensions}


@dataclass(frozen=True)
class DimensionResult:
    dimension: Dimension
    score: float | None
    national: float | None
    previous: float | None
    recommendations: list[Recommendation] = field(default_factory=list)

    @property
    def weak(self) -> bool:
        return scoring.is_weak(self.score)


@dataclass(frozen=True)
class AssessmentResult:
    assessment: Assessment
    final: bool  # False: a draft's provisional score, computed from the answers so far
    overall: float | None
    national_overall: float | None
    previous_assessment: Assessment | None
    dimensions: list[DimensionResult]

    def scores(self) -> dict[str, float | None]:
        return {d.dimension.code: d.score for d in self.dimensions}


@dataclass(frozen=True)
class InstitutionScores:
    assessment: Assessment
    group: Group
    overall: float | None
    scores: dict[str, float | None]


@dataclass(frozen=True)
class GroupScores:
    group: Group
    count: int
    overall: float | None
    scores: dict[str, float | None]


@dataclass(frozen=True)
class ComparisonRow:
    key: str
    name_lv: str
    name_en: str
    before: float | None
    after: float | None

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return round(self.after - self.before, 1)


@dataclass(frozen=True)
class RoundComparison:
    before: Round
    after: Round
    overall: ComparisonRow
    dimensions: list[ComparisonRow]
    institutions: list[ComparisonRow] | None  # None when the actor may not see institutions


def _mean(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(fmean(present), 1) if present else None


# --- one institution -------------------------------------------------------------------------


def assessment_result(*, session: Session, actor: Actor, assessment_id: int) -> AssessmentResult:
    """An institution's scores per dimension beside the national average and its previous round,
    with the recommendations for its weak dimensions."""
    assessment = assessment_row(session, assessment_id)
    require(actor, VIEW_ASSESSMENT, assessment)
    return build_result(session, assessment)


def build_result(session: Session, assessment: Assessment) -> AssessmentResult:
    """The result of an assessment the caller has already been allowed to see."""
    version = assessment.round.version
    final = assessment.status is AssessmentStatus.SUBMITTED
    if final:
        scores = {s.dimension_code: s.score for s in assessment.scores}
    elif not assessment.answers:
        scores = {d.code: None for d in version.dimensions}  # nothing to score yet
    else:
        scores = scoring.dimension_scores(version, {a.question_id: a for a in assessment.answers})
    national = national_from_round(session, assessment.round)
    previous = _previous_assessment(session, assessment)
    previous_scores = {s.dimension_code: s.score for s in previous.scores} if previous else {}
    advice = recommendations_service.for_scores(session, scores)
    averages = national.averages()
    dimensions = [
        DimensionResult(
            dimension=d,
            score=scores.get(d.code),
            national=averages.get(d.code),
            previous=previous_scores.get(d.code),
            recommendations=advice.get(d.code, []),
        )
        for d in version.dimensions
    ]
    return AssessmentResult(
        assessment=assessment,
        final=final,
        overall=assessment.overall_score if final else scoring.overall_score(scores),
        national_overall=national.overall,
        previous_assessment=previous,
        dimensions=dimensions,
    )


def _previous_assessment(session: Session, assessment: Assessment) -> Assessment | None:
    """The same institution's submitted assessment in the latest earlier round."""
    current = assessment.round
    stmt = (
        select(Assessment)
        .join(Round, Assessment.round_id == Round.id)
        .where(
            Assessment.org_id == assessment.org_id,
            Assessment.status == AssessmentStatus.SUBMITTED,
            Assessment.id != assessment.id,
            (Round.opens_on < current.opens_on)
            | ((Round.opens_on == current.opens_on) & (Round.id < current.id)),
        )
        .order_by(Round.opens_on.desc(), Round.id.desc())
    )
    return session.scalars(stmt).first()


# --- national and per-ministry ---------------------------------------------------------------


def national_overview(*, session: Session, actor: Actor, round_id: int) -> NationalOverview:
    """Average score per dimension over the round's submitted assessments."""
    require(actor, VIEW_NATIONAL)
    return national_from_round(session, get_round_row(session, round_id))


def national_from_round(session: Session, rnd: Round) -> NationalOverview:
    submitted = (Assessment.round_id == rnd.id) & (Assessment.status == AssessmentStatus.SUBMITTED)
    rows = session.execute(
        select(
            DimensionScore.dimension_code,
            func.avg(DimensionScore.score),
            func.count(DimensionScore.score),
        )
        .join(Assessment, DimensionScore.assessment_id == Assessment.id)
        .where(submitted)
        .group_by(DimensionScore.dimension_code)
    ).all()
    by_code = {code: (avg, n) for code, avg, n in rows}
    count, overall = session.execute(
        select(func.count(), func.avg(Assessment.overall_score)).where(submitted)
    ).one()
    total = session.scalar(
        select(func.count()).select_from(Assessment).where(Assessment.round_id == rnd.id)
    )
    dimensions = [
        DimensionAverage(
            d,
            round(float(by_code[d.code][0]), 1)
            if by_code.get(d.code, (None,))[0] is not None
            else None,
            int(by_code.get(d.code, (None, 0))[1]),
        )
        for d in rnd.version.dimensions
    ]
    return NationalOverview(
        round=rnd,
        submitted=int(count),
        total=int(total or 0),
        overall=round(float(overall), 1) if overall is not None else None,
        dimensions=dimensions,
    )


def institution_scores(*, session: Session, actor: Actor, round_id: int) -> list[InstitutionScores]:
    """Every submitted institution's scores in a round, grouped by supervising ministry."""
    require(actor, VIEW_ALL_RESULTS)
    return _institution_rows(session, get_round_row(session, round_id))


def _institution_rows(session: Session, rnd: Round) -> list[InstitutionScores]:
    submitted = (Assessment.round_id == rnd.id) & (Assessment.status == AssessmentStatus.SUBMITTED)
    # Scores as plain rows: a round has about ten per institution, and tuples load far faster
    # than ORM objects.
    scores: dict[int, dict[str, float | None]] = {}
    for assessment_id, code, score in session.execute(
        select(DimensionScore.assessment_id, DimensionScore.dimension_code, DimensionScore.score)
        .join(Assessment, DimensionScore.assessment_id == Assessment.id)
        .where(submitted)
    ):
        scores.setdefault(assessment_id, {})[code] = score
    rows = [
        InstitutionScores(a, group_of(a.organisation), a.overall_score, scores.get(a.id, {}))
        for a in session.scalars(select(Assessment).where(submitted))
    ]
    return sorted(rows, key=lambda r: sort_key(r.assessment.organisation.name_lv))


def ministry_scores(*, session: Session, actor: Actor, round_id: int) -> list[GroupScores]:
    """Averages per ministry (with the institutions it supervises), municipalities and others."""
    require(actor, VIEW_ALL_RESULTS)
    rnd = get_round_row(session, round_id)
    groups: dict[str, list[InstitutionScores]] = {}
    for row in _institution_rows(session, rnd):
        groups.setdefault(row.group.key, []).append(row)
    codes = [d.code for d in rnd.version.dimensions]
    result = [
        GroupScores(
            group=members[0].group,
            count=len(members),
            overall=_mean([m.overall for m in members]),
            scores={c: _mean([m.scores.get(c) for m in members]) for c in codes},
        )
        for members in groups.values()
    ]
    return sorted(
        result,
        key=lambda g: (g.group.key in ("municipalities", "other"), sort_key(g.group.name_lv)),
    )


# --- between rounds --------------------------------------------------------------------------


def compare_rounds(
    *, session: Session, actor: Actor, before_round_id: int, after_round_id: int
) -> RoundComparison:
    """National averages of two rounds side by side; per institution for auditors."""
    require(actor, VIEW_NATIONAL)
    before = get_round_row(session, before_round_id)
    after = get_round_row(session, after_round_id)
    national_before = national_from_round(session, before)
    national_after = national_from_round(session, after)
    averages_before = national_before.averages()
    dimensions = [
        ComparisonRow(
            d.dimension.code,
            d.dimension.name_lv,
            d.dimension.name_en,
            averages_before.get(d.dimension.code),
            d.average,
        )
        for d in national_after.dimensions
    ]
    overall = ComparisonRow(
        "overall", "E-indekss", "E-index", national_before.overall, national_after.overall
    )
    institutions = None
    if allowed(actor, VIEW_ALL_RESULTS):
        earlier = {r.assessment.org_id: r for r in _institution_rows(session, before)}
        institutions = [
            ComparisonRow(
                r.assessment.organisation.short_name,
                r.assessment.organisation.name_lv,
                r.assessment.organisation.name_en,
                earlier[r.assessment.org_id].overall,
                r.overall,
            )
            for r in _institution_rows(session, after)
            if r.assessment.org_id in earlier
        ]
    return RoundComparison(before, after, overall, dimensions, institutions)
