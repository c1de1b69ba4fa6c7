"""JSON routes for readiness results: scores, aggregates, distributions, comparison, export."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from dati.readiness import schemas as s
from dati.readiness.services import distributions as distributions_service
from dati.readiness.services import exports as exports_service
from dati.readiness.services import results as results_service
from dati.web.deps import CurrentActor, DbSession

router = APIRouter(tags=["readiness"])


@router.get("/rounds/{round_id}/national", response_model=s.NationalRead)
def national(round_id: int, session: DbSession, actor: CurrentActor) -> s.NationalRead:
    overview = results_service.national_overview(session=session, actor=actor, round_id=round_id)
    return s.NationalRead(
        round_id=overview.round.id,
        submitted=overview.submitted,
        total=overview.total,
        overall=overview.overall,
        dimensions=[
            s.DimensionAverageRead(
                code=d.dimension.code,
                name_lv=d.dimension.name_lv,
                name_en=d.dimension.name_en,
                average=d.average,
                count=d.count,
            )
            for d in overview.dimensions
        ],
    )


@router.get("/rounds/{round_id}/ministries", response_model=list[s.GroupScoresRead])
def ministries(round_id: int, session: DbSession, actor: CurrentActor) -> list[s.GroupScoresRead]:
    """Averages per supervising ministry (auditors and admins)."""
    groups = results_service.ministry_scores(session=session, actor=actor, round_id=round_id)
    return [
        s.GroupScoresRead(
            key=g.group.key,
            name_lv=g.group.name_lv,
            name_en=g.group.name_en,
            count=g.count,
            overall=g.overall,
            scores=g.scores,
        )
        for g in groups
    ]


@router.get("/rounds/{round_id}/institutions", response_model=list[s.InstitutionScoresRead])
def institutions(
    round_id: int, session: DbSession, actor: CurrentActor
) -> list[s.InstitutionScoresRead]:
    rows = results_service.institution_scores(session=session, actor=actor, round_id=round_id)
    return [
        s.InstitutionScoresRead(
            assessment_id=r.assessment.id,
            institution=r.assessment.organisation.short_name,
            institution_name=r.assessment.organisation.name_lv,
            group=r.group.key,
            overall=r.overall,
            scores=r.scores,
        )
        for r in rows
    ]


@router.get("/rounds/{round_id}/distributions", response_model=list[s.DistributionRead])
def distributions(
    round_id: int, session: DbSession, actor: CurrentActor
) -> list[s.DistributionRead]:
    """Shares of institutions per answer, beside the State Audit Office's published shares."""
    rows = distributions_service.question_distributions(
        session=session, actor=actor, round_id=round_id
    )
    return [
        s.DistributionRead(
            question=d.question.code,
            text_lv=d.question.text_lv,
            text_en=d.question.text_en,
            kind=d.question.kind,
            base=d.base,
            answered=d.answered,
            no_answer=d.no_answer,
            no_answer_percent=d.no_answer_percent,
            options=[
                s.OptionShareRead(
                    code=o.option.code,
                    label_lv=o.option.label_lv,
                    label_en=o.option.label_en,
                    count=o.count,
                    percent=o.percent,
                    published_percent=o.published_percent,
                )
                for o in d.options
            ],
            numbers=s.NumberStatsRead(**vars(d.numbers)) if d.numbers else None,
        )
        for d in rows
    ]


@router.get("/rounds/{round_id}/answers.csv", response_class=Response)
def answers_csv(round_id: int, session: DbSession, actor: CurrentActor) -> Response:
    """Every answer of the round as CSV (auditors and admins)."""
    text = exports_service.answers_csv(session=session, actor=actor, round_id=round_id)
    return _csv_response(text, f"readiness-round-{round_id}.csv")


def _csv_response(text: str, filename: str) -> Response:
    return Response(
        text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/compare", response_model=s.ComparisonRead)
def compare(before: int, after: int, session: DbSession, actor: CurrentActor) -> s.ComparisonRead:
    """National averages of two rounds; per institution for auditors and admins."""
    c = results_service.compare_rounds(
        session=session, actor=actor, before_round_id=before, after_round_id=after
    )

    def row(r: results_service.ComparisonRow) -> s.ComparisonRowRead:
        return s.ComparisonRowRead(
            key=r.key,
            name_lv=r.name_lv,
            name_en=r.name_en,
            before=r.before,
            after=r.after,
            change=r.change,
        )

    return s.ComparisonRead(
        before_round_id=c.before.id,
        after_round_id=c.after.id,
        overall=row(c.overall),
        dimensions=[row(r) for r in c.dimensions],
        institutions=[row(r) for r in c.institutions] if c.institutions is not None else None,
    )


@router.get("/assessments/{assessment_id}/result", response_model=s.AssessmentResultRead)
def assessment_result(
    assessment_id: int, session: DbSession, actor: CurrentActor
) -> s.AssessmentResultRead:
    r = results_service.assessment_result(session=session, actor=actor, assessment_id=assessment_id)
    return s.AssessmentResultRead(
        assessment_id=r.assessment.id,
        institution=r.assessment.organisation.short_name,
        final=r.final,
        overall=r.overall,
        national_overall=r.national_overall,
        previous_round_id=r.previous_assessment.round_id if r.previous_assessment else None,
        previous_overall=r.previous_assessment.overall_score if r.previous_assessment else None,
        dimensions=[
            s.DimensionResultRead(
                code=d.dimension.code,
                name_lv=d.dimension.name_lv,
                name_en=d.dimension.name_en,
                score=d.score,
                national=d.national,
                previous=d.previous,
                weak=d.weak,
            )
            for d in r.dimensions
        ],
    )
