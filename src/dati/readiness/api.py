"""JSON routes of the readiness self-assessment, under /api/v1/readiness."""

from __future__ import annotations

from fastapi import APIRouter, status
from fastapi.responses import Response

from dati.readiness import api_results
from dati.readiness import schemas as s
from dati.readiness.models import Assessment
from dati.readiness.services import answers as answers_service
from dati.readiness.services import questionnaires as questionnaires_service
from dati.readiness.services import recommendations as recommendations_service
from dati.readiness.services import rounds as rounds_service
from dati.web.deps import CurrentActor, DbSession

router = APIRouter(prefix="/readiness", tags=["readiness"])
router.include_router(api_results.router)


# --- questionnaires --------------------------------------------------------------------------


@router.get("/questionnaires", response_model=list[s.QuestionnaireSummary])
def list_questionnaires(session: DbSession, actor: CurrentActor) -> list[s.QuestionnaireSummary]:
    versions = questionnaires_service.list_versions(session=session, actor=actor)
    return [s.QuestionnaireSummary.model_validate(v) for v in versions]


@router.post("/questionnaires/standard", response_model=s.InstallRead)
def install_standard(session: DbSession, actor: CurrentActor) -> s.InstallRead:
    """Load the shipped questionnaire and default recommendations (idempotent)."""
    result = questionnaires_service.install_standard(session=session, actor=actor)
    return s.InstallRead(
        version_id=result.version.id,
        version=result.version.version,
        created=result.created,
        recommendations_added=result.recommendations_added,
    )


@router.post(
    "/questionnaires",
    response_model=s.QuestionnaireRead,
    status_code=status.HTTP_201_CREATED,
)
def import_questionnaire(
    document: s.QuestionnaireDocument, session: DbSession, actor: CurrentActor
) -> s.QuestionnaireRead:
    """Add a questionnaire document as a new draft version of its code."""
    version = questionnaires_service.import_questionnaire(
        session=session, actor=actor, document=document
    )
    return s.QuestionnaireRead.model_validate(version)


@router.get("/questionnaires/{version_id}", response_model=s.QuestionnaireRead)
def get_questionnaire(
    version_id: int, session: DbSession, actor: CurrentActor
) -> s.QuestionnaireRead:
    version = questionnaires_service.get_version(
        session=session, actor=actor, version_id=version_id
    )
    return s.QuestionnaireRead.model_validate(version)


@router.post(
    "/questionnaires/{version_id}/drafts",
    response_model=s.QuestionnaireRead,
    status_code=status.HTTP_201_CREATED,
)
def create_draft(version_id: int, session: DbSession, actor: CurrentActor) -> s.QuestionnaireRead:
    """Copy a published version into a new, editable draft version."""
    draft = questionnaires_service.create_draft(session=session, actor=actor, version_id=version_id)
    return s.QuestionnaireRead.model_validate(draft)


@router.post("/questionnaires/{version_id}/publish", response_model=s.QuestionnaireRead)
def publish(version_id: int, session: DbSession, actor: CurrentActor) -> s.QuestionnaireRead:
    version = questionnaires_service.publish_version(
        session=session, actor=actor, version_id=version_id
    )
    return s.QuestionnaireRead.model_validate(version)


@router.delete("/questionnaires/{version_id}", status_code=status.HTTP_204_NO_CONTENT)
def discard_draft(version_id: int, session: DbSession, actor: CurrentActor) -> Response:
    """Delete a draft version that no round uses (published versions stay forever)."""
    questionnaires_service.discard_draft(session=session, actor=actor, version_id=version_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/questionnaires/{version_id}/questions",
    response_model=s.QuestionRead,
    status_code=status.HTTP_201_CREATED,
)
def add_question(
    version_id: int, data: s.QuestionCreate, session: DbSession, actor: CurrentActor
) -> s.QuestionRead:
    question = questionnaires_service.add_question(
        session=session, actor=actor, version_id=version_id, data=data
    )
    return s.QuestionRead.model_validate(question)


@router.put("/questions/{question_id}", response_model=s.QuestionRead)
def update_question(
    question_id: int, data: s.QuestionUpdate, session: DbSession, actor: CurrentActor
) -> s.QuestionRead:
    question = questionnaires_service.update_question(
        session=session, actor=actor, question_id=question_id, data=data
    )
    return s.QuestionRead.model_validate(question)


@router.delete("/questions/{question_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_question(question_id: int, session: DbSession, actor: CurrentActor) -> Response:
    questionnaires_service.delete_question(session=session, actor=actor, question_id=question_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- rounds ----------------------------------------------------------------------------------


def _summary(summary: rounds_service.RoundSummary) -> s.RoundSummaryRead:
    return s.RoundSummaryRead(
        **s.RoundRead.model_validate(summary.round).model_dump(),
        total=summary.total,
        submitted=summary.submitted,
        draft=summary.draft,
        not_started=summary.not_started,
    )


@router.get("/rounds", response_model=list[s.RoundSummaryRead])
def list_rounds(session: DbSession, actor: CurrentActor) -> list[s.RoundSummaryRead]:
    return [_summary(r) for r in rounds_service.list_rounds(session=session, actor=actor)]


@router.post("/rounds", response_model=s.RoundRead, status_code=status.HTTP_201_CREATED)
def create_round(data: s.RoundCreate, session: DbSession, actor: CurrentActor) -> s.RoundRead:
    """Open a round for the named institutions (short names) with a deadline."""
    return s.RoundRead.model_validate(
        rounds_service.create_round(session=session, actor=actor, data=data)
    )


@router.get("/rounds/{round_id}", response_model=s.RoundRead)
def get_round(round_id: int, session: DbSession, actor: CurrentActor) -> s.RoundRead:
    return s.RoundRead.model_validate(
        rounds_service.get_round(session=session, actor=actor, round_id=round_id)
    )


@router.patch("/rounds/{round_id}", response_model=s.RoundRead)
def update_round(
    round_id: int, data: s.RoundUpdate, session: DbSession, actor: CurrentActor
) -> s.RoundRead:
    return s.RoundRead.model_validate(
        rounds_service.update_round(session=session, actor=actor, round_id=round_id, data=data)
    )


@router.post("/rounds/{round_id}/close", response_model=s.RoundRead)
def close_round(round_id: int, session: DbSession, actor: CurrentActor) -> s.RoundRead:
    return s.RoundRead.model_validate(
        rounds_service.close_round(session=session, actor=actor, round_id=round_id)
    )


@router.get("/rounds/{round_id}/progress", response_model=list[s.ProgressRead])
def round_progress(round_id: int, session: DbSession, actor: CurrentActor) -> list[s.ProgressRead]:
    """Per-institution progress (auditors and admins see every institution)."""
    rows = rounds_service.round_progress(session=session, actor=actor, round_id=round_id)
    return [
        s.ProgressRead(
            assessment_id=r.assessment.id,
            institution=r.assessment.organisation.short_name,
            institution_name=r.assessment.organisation.name_lv,
            group=r.group.key,
            status=r.assessment.status,
            answered=r.answered,
            questions=r.questions,
            updated_at=r.assessment.updated_at,
            submitted_at=r.assessment.submitted_at,
            overall_score=r.assessment.overall_score,
        )
        for r in rows
    ]


# --- assessments -----------------------------------------------------------------------------


def _assessment(a: Assessment) -> s.AssessmentRead:
    return s.AssessmentRead(
        id=a.id,
        round_id=a.round_id,
        institution=a.organisation.short_name,
        institution_name=a.organisation.name_lv,
        status=a.status,
        revision=a.revision,
        updated_at=a.updated_at,
        submitted_at=a.submitted_at,
        reopen_reason=a.reopen_reason,
        overall_score=a.overall_score,
        answers=answers_service.answer_values(a),
    )


@router.get("/assessments", response_model=list[s.AssessmentRead])
def my_assessments(session: DbSession, actor: CurrentActor) -> list[s.AssessmentRead]:
    """The assessments of the institutions you work for."""
    return [
        _assessment(a) for a in answers_service.list_my_assessments(session=session, actor=actor)
    ]


@router.get("/assessments/{assessment_id}", response_model=s.AssessmentRead)
def get_assessment(assessment_id: int, session: DbSession, actor: CurrentActor) -> s.AssessmentRead:
    return _assessment(
        answers_service.get_assessment(session=session, actor=actor, assessment_id=assessment_id)
    )


@router.patch("/assessments/{assessment_id}/answers", response_model=s.AssessmentRead)
def save_answers(
    assessment_id: int, data: s.AnswersUpdate, session: DbSession, actor: CurrentActor
) -> s.AssessmentRead:
    """Save answers as a draft; send the revision you loaded to detect concurrent edits."""
    return _assessment(
        answers_service.save_answers(
            session=session,
            actor=actor,
            assessment_id=assessment_id,
            answers=data.answers,
            revision=data.revision,
        )
    )


@router.post("/assessments/{assessment_id}/submit", response_model=s.AssessmentRead)
def submit(
    assessment_id: int, session: DbSession, actor: CurrentActor, data: s.AnswersUpdate | None = None
) -> s.AssessmentRead:
    data = data or s.AnswersUpdate()
    return _assessment(
        answers_service.submit_assessment(
            session=session,
            actor=actor,
            assessment_id=assessment_id,
            answers=data.answers,
            revision=data.revision,
        )
    )


@router.post("/assessments/{assessment_id}/reopen", response_model=s.AssessmentRead)
def reopen(
    assessment_id: int, data: s.ReopenRequest, session: DbSession, actor: CurrentActor
) -> s.AssessmentRead:
    return _assessment(
        answers_service.reopen_assessment(
            session=session, actor=actor, assessment_id=assessment_id, reason=data.reason
        )
    )


# --- recommendations -------------------------------------------------------------------------


@router.get("/recommendations", response_model=list[s.RecommendationRead])
def list_recommendations(session: DbSession, actor: CurrentActor) -> list[s.RecommendationRead]:
    rows = recommendations_service.list_recommendations(session=session, actor=actor)
    return [s.RecommendationRead.model_validate(r) for r in rows]


@router.post(
    "/recommendations", response_model=s.RecommendationRead, status_code=status.HTTP_201_CREATED
)
def create_recommendation(
    data: s.RecommendationIn, session: DbSession, actor: CurrentActor
) -> s.RecommendationRead:
    row = recommendations_service.create_recommendation(session=session, actor=actor, data=data)
    return s.RecommendationRead.model_validate(row)


@router.put("/recommendations/{recommendation_id}", response_model=s.RecommendationRead)
def update_recommendation(
    recommendation_id: int, data: s.RecommendationIn, session: DbSession, actor: CurrentActor
) -> s.RecommendationRead:
    row = recommendations_service.update_recommendation(
        session=session, actor=actor, recommendation_id=recommendation_id, data=data
    )
    return s.RecommendationRead.model_validate(row)


@router.delete("/recommendations/{recommendation_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_recommendation(
    recommendation_id: int, session: DbSession, actor: CurrentActor
) -> Response:
    recommendations_service.delete_recommendation(
        session=session, actor=actor, recommendation_id=recommendation_id
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
