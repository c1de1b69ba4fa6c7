"""JSON routes of the AI register, the classifier and the public transparency register."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Response, UploadFile, status
from fastapi.responses import FileResponse

from dati.ai import labels, public_api
from dati.ai.classify_schemas import AssessmentRead, ClassifyRequest
from dati.ai.models import AiSystemDataset, Lifecycle
from dati.ai.schemas import (
    AiSystemCreate,
    AiSystemRead,
    AiSystemUpdate,
    ChangeRead,
    CountRead,
    DashboardRead,
    DatasetLinkCreate,
    DatasetLinkRead,
    EvidenceLinkCreate,
    EvidenceRead,
    ObligationRead,
    ObligationUpdate,
    OrgCountRead,
    OverviewRead,
    ShareRead,
)
from dati.ai.services import assessments, compliance, lineage, overview, systems
from dati.ai.services.compliance import MAX_EVIDENCE_BYTES, ObligationView
from dati.ai.verdict import RiskClass
from dati.i18n import gettext as _
from dati.i18n import pick
from dati.web.deps import AppSettings, CurrentActor, DbSession

router = APIRouter(tags=["AI register"])


# --- systems -------------------------------------------------------------------------------------


@router.get("/ai/systems", response_model=list[AiSystemRead])
def list_systems(
    session: DbSession,
    actor: CurrentActor,
    org: str | None = None,
    lifecycle: Lifecycle | None = None,
    risk_class: RiskClass | None = None,
    q: str | None = None,
) -> list[AiSystemRead]:
    found = systems.list_systems(
        session=session, actor=actor, org=org, lifecycle=lifecycle, risk_class=risk_class, q=q
    )
    return [AiSystemRead.of(s) for s in found]


@router.post("/ai/systems", response_model=AiSystemRead, status_code=status.HTTP_201_CREATED)
def create_system(data: AiSystemCreate, session: DbSession, actor: CurrentActor) -> AiSystemRead:
    return AiSystemRead.of(systems.create_system(session=session, actor=actor, data=data))


@router.get("/ai/systems/{system_id}", response_model=AiSystemRead)
def get_system(system_id: int, session: DbSession, actor: CurrentActor) -> AiSystemRead:
    return AiSystemRead.of(systems.get_system(session=session, actor=actor, system_id=system_id))


@router.patch("/ai/systems/{system_id}", response_model=AiSystemRead)
def update_system(
    system_id: int, data: AiSystemUpdate, session: DbSession, actor: CurrentActor
) -> AiSystemRead:
    return AiSystemRead.of(
        systems.update_system(session=session, actor=actor, system_id=system_id, data=data)
    )


@router.get("/ai/systems/{system_id}/history", response_model=list[ChangeRead])
def history(system_id: int, session: DbSession, actor: CurrentActor) -> list[ChangeRead]:
    changes = systems.list_changes(session=session, actor=actor, system_id=system_id)
    return [ChangeRead.model_validate(c) for c in changes]


@router.get("/ai/systems/{system_id}/assessments", response_model=list[AssessmentRead])
def list_assessments(
    system_id: int, session: DbSession, actor: CurrentActor
) -> list[AssessmentRead]:
    found = assessments.list_assessments(session=session, actor=actor, system_id=system_id)
    return [AssessmentRead.of(a, result) for a, result in found]


@router.post(
    "/ai/systems/{system_id}/assessments",
    response_model=AssessmentRead,
    status_code=status.HTTP_201_CREATED,
)
def assess_system(
    system_id: int, data: ClassifyRequest, session: DbSession, actor: CurrentActor
) -> AssessmentRead:
    """Classify a registered system; its class and obligations follow the result."""
    assessment, result = assessments.assess_system(
        session=session, actor=actor, system_id=system_id, answers=data.answers
    )
    return AssessmentRead.of(assessment, result)


# --- obligations and evidence --------------------------------------------------------------------


def _obligation(view: ObligationView) -> ObligationRead:
    row = view.row
    return ObligationRead(
        id=row.id,
        system_id=row.system_id,
        system_name=row.system.name_lv,
        org=row.system.org.short_name,
        code=row.code,
        ref=view.obligation.ref,
        title=view.obligation.title,
        action=view.obligation.action,
        applies_from=row.applies_from,
        status=row.status,
        overdue=view.overdue,
        applicable=row.applicable,
        note=row.note,
        evidence=[EvidenceRead.model_validate(e) for e in row.evidence],
    )


@router.get("/ai/systems/{system_id}/obligations", response_model=list[ObligationRead])
def list_obligations(
    system_id: int, session: DbSession, actor: CurrentActor, include_withdrawn: bool = False
) -> list[ObligationRead]:
    views = compliance.list_obligations(
        session=session, actor=actor, system_id=system_id, include_withdrawn=include_withdrawn
    )
    return [_obligation(v) for v in views]


@router.get("/ai/obligations", response_model=DashboardRead)
def obligations_dashboard(
    session: DbSession, actor: CurrentActor, org: str | None = None
) -> DashboardRead:
    """Open obligations: overdue, due within a year, and those of systems not yet in use."""
    board = compliance.obligations_dashboard(session=session, actor=actor, org=org)
    return DashboardRead(
        today=board.today,
        overdue=[_obligation(v) for v in board.overdue],
        upcoming=[_obligation(v) for v in board.upcoming],
        before_service=[_obligation(v) for v in board.before_service],
    )


@router.patch("/ai/obligations/{obligation_id}", response_model=ObligationRead)
def update_obligation(
    obligation_id: int, data: ObligationUpdate, session: DbSession, actor: CurrentActor
) -> ObligationRead:
    return _obligation(
        compliance.update_obligation(
            session=session, actor=actor, obligation_id=obligation_id, data=data
        )
    )


@router.post(
    "/ai/obligations/{obligation_id}/evidence/link",
    response_model=EvidenceRead,
    status_code=status.HTTP_201_CREATED,
)
def add_evidence_link(
    obligation_id: int, data: EvidenceLinkCreate, session: DbSession, actor: CurrentActor
) -> EvidenceRead:
    evidence = compliance.add_evidence_link(
        session=session, actor=actor, obligation_id=obligation_id, data=data
    )
    return EvidenceRead.model_validate(evidence)


@router.post(
    "/ai/obligations/{obligation_id}/evidence/file",
    response_model=EvidenceRead,
    status_code=status.HTTP_201_CREATED,
)
async def add_evidence_file(
    obligation_id: int,
    session: DbSession,
    actor: CurrentActor,
    settings: AppSettings,
    file: Annotated[UploadFile, File()],
    title: Annotated[str, Form(max_length=300)] = "",
) -> EvidenceRead:
    # One byte over the limit is enough for the service to refuse the file.
    content = await file.read(MAX_EVIDENCE_BYTES + 1)
    evidence = compliance.add_evidence_file(
        session=session,
        actor=actor,
        obligation_id=obligation_id,
        title=title,
        filename=file.filename or "",
        content=content,
        data_dir=settings.data_dir,
    )
    return EvidenceRead.model_validate(evidence)


@router.get("/ai/evidence/{evidence_id}", response_class=FileResponse)
def download_evidence(
    evidence_id: int, session: DbSession, actor: CurrentActor, settings: AppSettings
) -> FileResponse:
    path, media_type, name = compliance.evidence_file(
        session=session, actor=actor, evidence_id=evidence_id, data_dir=settings.data_dir
    )
    return FileResponse(
        path,
        media_type=media_type,
        filename=name,
        headers={"X-Content-Type-Options": "nosniff"},
    )


@router.delete("/ai/evidence/{evidence_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_evidence(
    evidence_id: int, session: DbSession, actor: CurrentActor, settings: AppSettings
) -> Response:
    compliance.remove_evidence(
        session=session, actor=actor, evidence_id=evidence_id, data_dir=settings.data_dir
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- datasets (lineage) --------------------------------------------------------------------------


def _link(link: AiSystemDataset) -> DatasetLinkRead:
    return DatasetLinkRead(
        id=link.id,
        resource=link.resource.name,
        title=pick(link.resource.title_lv, link.resource.title_en),
        owner=link.resource.owner.short_name,
        usage=link.usage,
        created_at=link.created_at,
        created_by=link.created_by,
    )


@router.get("/ai/systems/{system_id}/datasets", response_model=list[DatasetLinkRead])
def list_datasets(system_id: int, session: DbSession, actor: CurrentActor) -> list[DatasetLinkRead]:
    return [
        _link(d) for d in lineage.list_datasets(session=session, actor=actor, system_id=system_id)
    ]


@router.post(
    "/ai/systems/{system_id}/datasets",
    response_model=DatasetLinkRead,
    status_code=status.HTTP_201_CREATED,
)
def link_dataset(
    system_id: int, data: DatasetLinkCreate, session: DbSession, actor: CurrentActor
) -> DatasetLinkRead:
    """Record that the system uses a catalogue resource, and how."""
    return _link(
        lineage.link_dataset(
            session=session,
            actor=actor,
            system_id=system_id,
            resource=data.resource,
            usage=data.usage,
        )
    )


@router.delete("/ai/systems/{system_id}/datasets/{link_id}", status_code=status.HTTP_204_NO_CONTENT)
def unlink_dataset(
    system_id: int, link_id: int, session: DbSession, actor: CurrentActor
) -> Response:
    lineage.unlink_dataset(session=session, actor=actor, system_id=system_id, link_id=link_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- overview ------------------------------------------------------------------------------------


@router.get("/ai/overview", response_model=OverviewRead)
def get_overview(session: DbSession, actor: CurrentActor) -> OverviewRead:
    """Counts by class, status, technique and institution; the State Audit Office's shares."""
    o = overview.overview(session=session, actor=actor)
    return OverviewRead(
        total=o.total,
        public_institutions=o.public_institutions,
        provisional=o.provisional,
        overdue=o.overdue,
        by_class=[
            CountRead(
                key=c.value if c else None,
                label=_(labels.RISK_CLASS_LABELS[c]) if c else _("Not yet classified"),
                count=n,
            )
            for c, n in o.by_class
        ],
        by_lifecycle=[
            CountRead(key=lc.value, label=_(labels.LIFECYCLE[lc]), count=n)
            for lc, n in o.by_lifecycle
        ],
        by_technique=[
            CountRead(key=t.value, label=_(labels.TECHNIQUE[t]), count=n) for t, n in o.by_technique
        ],
        by_org=[
            OrgCountRead(
                org=r.org.short_name,
                name=r.org.name_lv,
                total=r.total,
                in_use=r.in_use,
                planned=r.planned,
                high_risk=r.high_risk,
                prohibited=r.prohibited,
                overdue=r.overdue,
            )
            for r in o.by_org
            if r.org is not None
        ],
        state_audit_shares=[
            ShareRead(
                key=s.key,
                label=s.label,
                survey_percent=s.survey_percent,
                institutions=s.institutions,
                percent=s.percent,
            )
            for s in o.shares
        ],
    )


router.include_router(public_api.router)
