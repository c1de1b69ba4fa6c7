"""JSON routes anyone may call: the AI Act classifier and the public transparency register."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import PlainTextResponse

from dati.ai.classify_schemas import ClassificationRead, ClassifyRequest, SectionRead
from dati.ai.schemas import PublicEntry, ResourceSystemRead
from dati.ai.services import assessments, lineage, transparency
from dati.ai.verdict import RiskClass
from dati.catalog import service as catalog_service
from dati.i18n import pick
from dati.web.deps import AppSettings, CurrentActor, DbSession

classifier = APIRouter(tags=["AI Act classifier"])
public = APIRouter(tags=["AI transparency register"])


# --- classifier ----------------------------------------------------------------------------------


@classifier.get("/ai/questions", response_model=list[SectionRead])
def list_questions(actor: CurrentActor) -> list[SectionRead]:
    """The questionnaire: sections, questions, the provisions each serves, and gates."""
    return [SectionRead.of(s) for s in assessments.questionnaire(actor=actor)]


@classifier.post("/ai/classify", response_model=ClassificationRead)
def classify(data: ClassifyRequest, actor: CurrentActor) -> ClassificationRead:
    """Classify answers without storing them. Unanswered questions are taken at their riskier
    answer and listed in `missing`; the result is then `provisional`."""
    return ClassificationRead.of(assessments.classify_answers(actor=actor, answers=data.answers))


# --- public transparency register ----------------------------------------------------------------


def _entries(
    session: DbSession,
    actor: CurrentActor,
    settings: AppSettings,
    q: str | None,
    org: str | None,
    risk_class: RiskClass | None,
) -> list[PublicEntry]:
    found = transparency.public_register(
        session=session, actor=actor, q=q, org=org, risk_class=risk_class
    )
    provisions = transparency.class_provisions(session, found)
    datasets = lineage.dataset_names(session, found)
    return [
        transparency.entry(
            s,
            base_url=settings.base_url,
            provisions=provisions.get(s.id, []),
            datasets=datasets.get(s.id, []),
        )
        for s in found
    ]


@public.get("/ai/register", response_model=list[PublicEntry])
def public_register(
    session: DbSession,
    actor: CurrentActor,
    settings: AppSettings,
    q: str | None = None,
    org: str | None = None,
    risk_class: RiskClass | None = None,
) -> list[PublicEntry]:
    """Published AI systems in pilot or production. Texts follow `?lang=lv|en` (default lv)."""
    return _entries(session, actor, settings, q, org, risk_class)


@public.get("/ai/register.csv", response_class=PlainTextResponse)
def public_register_csv(
    session: DbSession,
    actor: CurrentActor,
    settings: AppSettings,
    q: str | None = None,
    org: str | None = None,
    risk_class: RiskClass | None = None,
) -> Response:
    """The same entries as CSV (UTF-8, header row, lists joined with '; ')."""
    text = transparency.entries_csv(_entries(session, actor, settings, q, org, risk_class))
    return Response(
        "\ufeff" + text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="ai-register.csv"'},
    )


@public.get("/ai/register/{system_id}", response_model=PublicEntry)
def public_entry(
    system_id: int, session: DbSession, actor: CurrentActor, settings: AppSettings
) -> PublicEntry:
    system = transparency.public_system(session=session, actor=actor, system_id=system_id)
    return transparency.entry(
        system,
        base_url=settings.base_url,
        provisions=transparency.class_provisions(session, [system]).get(system.id, []),
        datasets=lineage.dataset_names(session, [system]).get(system.id, []),
    )


@public.get("/ai/datasets/{resource}/systems", response_model=list[ResourceSystemRead])
def systems_using_dataset(
    resource: str, session: DbSession, actor: CurrentActor
) -> list[ResourceSystemRead]:
    """AI systems that use a catalogue resource: published ones for everyone, more for staff."""
    found = catalog_service.get_resource(session=session, actor=actor, name=resource)
    links = lineage.systems_using_resource(session=session, actor=actor, resource_id=found.id)
    return [
        ResourceSystemRead(
            system_id=link.system.id,
            name=pick(link.system.name_lv, link.system.name_en),
            org=link.system.org.short_name,
            usage=link.usage,
            published=link.system.is_public,
        )
        for link in links
    ]


router = APIRouter()
router.include_router(classifier)
router.include_router(public)
