"""JSON routes: access requests, agreements and their documents, signatures and verification,
organisations' signing keys and notifications."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, status
from fastapi.responses import Response

from dati.exchange.agreements import document, rendering
from dati.exchange.agreements.models import (
    AccessRequest,
    Agreement,
    AgreementStatus,
    RequestStatus,
)
from dati.exchange.agreements.schemas import (
    AccessRequestCreate,
    AccessRequestRead,
    AgreementRead,
    AmendTerms,
    NotificationRead,
    Reason,
    SignBody,
    SigningKeyRead,
    Terms,
    VerificationRead,
)
from dati.exchange.agreements.services import agreements, changes, keys, notifications, requests
from dati.exchange.agreements.web import MailAfter
from dati.web.deps import AppSettings, CurrentActor, DbSession

requests_router = APIRouter(prefix="/access-requests", tags=["access requests"])
router = APIRouter(prefix="/agreements", tags=["agreements"])

Direction = Literal["incoming", "outgoing", "all"]


def request_read(session: DbSession, request: AccessRequest) -> AccessRequestRead:
    read = AccessRequestRead.model_validate(request)
    agreement = requests.agreement_of(session, request)
    read.agreement_number = agreement.number if agreement else None
    return read


def agreement_read(agreement: Agreement) -> AgreementRead:
    read = AgreementRead.model_validate(agreement)
    read.in_force = agreements.in_force(agreement)
    return read


# --- access requests -------------------------------------------------------------------------


@requests_router.get("", response_model=list[AccessRequestRead])
def list_requests(
    session: DbSession,
    actor: CurrentActor,
    direction: Direction = "all",
    status: RequestStatus | None = None,
) -> list[AccessRequestRead]:
    found = requests.list_requests(session=session, actor=actor, direction=direction, status=status)
    return [request_read(session, r) for r in found]


@requests_router.post("", response_model=AccessRequestRead, status_code=status.HTTP_201_CREATED)
def submit_request(
    data: AccessRequestCreate,
    session: DbSession,
    actor: CurrentActor,
    settings: AppSettings,
    _mail: MailAfter,
) -> AccessRequestRead:
    request = requests.submit_request(
        session=session, actor=actor, data=data, secret=settings.effective_secret_key
    )
    return request_read(session, request)


@requests_router.get("/{number}", response_model=AccessRequestRead)
def get_request(number: str, session: DbSession, actor: CurrentActor) -> AccessRequestRead:
    return request_read(session, requests.get_request(session=session, actor=actor, number=number))


@requests_router.post(
    "/{number}/approval", response_model=AgreementRead, status_code=status.HTTP_201_CREATED
)
def approve_request(
    number: str,
    terms: Terms,
    session: DbSession,
    actor: CurrentActor,
    settings: AppSettings,
    _mail: MailAfter,
) -> AgreementRead:
    agreement = requests.approve_request(
        session=session,
        actor=actor,
        number=number,
        terms=terms,
        secret=settings.effective_secret_key,
    )
    return agreement_read(agreement)


@requests_router.post("/{number}/rejection", response_model=AccessRequestRead)
def reject_request(
    number: str,
    body: Reason,
    session: DbSession,
    actor: CurrentActor,
    settings: AppSettings,
    _mail: MailAfter,
) -> AccessRequestRead:
    request = requests.reject_request(
        session=session,
        actor=actor,
        number=number,
        reason=body.reason,
        secret=settings.effective_secret_key,
    )
    return request_read(session, request)


@requests_router.post("/{number}/withdrawal", response_model=AccessRequestRead)
def withdraw_request(
    number: str, session: DbSession, actor: CurrentActor, settings: AppSettings, _mail: MailAfter
) -> AccessRequestRead:
    request = requests.withdraw_request(
        session=session, actor=actor, number=number, secret=settings.effective_secret_key
    )
    return request_read(session, request)


# --- keys, notifications, verification (before /{number}, which would swallow them) -----------


@router.get("/keys/{org}", response_model=list[SigningKeyRead])
def list_keys(org: str, session: DbSession, actor: CurrentActor) -> list[SigningKeyRead]:
    found = keys.list_signing_keys(session=session, actor=actor, org=org)
    return [_key_read(k) for k in found]


@router.post("/keys/{org}", response_model=SigningKeyRead, status_code=status.HTTP_201_CREATED)
def create_key(
    org: str, session: DbSession, actor: CurrentActor, settings: AppSettings
) -> SigningKeyRead:
    key = keys.create_signing_key(
        session=session, actor=actor, org=org, secret=settings.effective_secret_key
    )
    return _key_read(key)


@router.post(
    "/keys/{org}/rotation", response_model=SigningKeyRead, status_code=status.HTTP_201_CREATED
)
def rotate_key(
    org: str, session: DbSession, actor: CurrentActor, settings: AppSettings
) -> SigningKeyRead:
    key = keys.rotate_signing_key(
        session=session, actor=actor, org=org, secret=settings.effective_secret_key
    )
    return _key_read(key)


def _key_read(key: Any) -> SigningKeyRead:
    return SigningKeyRead(
        org=key.organisation.short_name,
        fingerprint=key.fingerprint,
        public_key=key.public_key,
        created_at=key.created_at,
        retired_at=key.retired_at,
    )


@router.get("/notifications", response_model=list[NotificationRead])
def list_notifications(
    session: DbSession, actor: CurrentActor, unread_only: bool = False
) -> list[NotificationRead]:
    found = notifications.list_notifications(session=session, actor=actor, unread_only=unread_only)
    return [
        NotificationRead(
            id=n.id,
            at=n.at,
            text=notifications.render(n.kind, n.params),
            url=n.url,
            read=n.read_at is not None,
        )
        for n in found
    ]


@router.post("/notifications/read", response_model=int)
def mark_notifications_read(
    session: DbSession, actor: CurrentActor, notification_id: int | None = None
) -> int:
    return notifications.mark_read(session=session, actor=actor, notification_id=notification_id)


@router.post("/verification", response_model=VerificationRead)
def verify_signed(
    session: DbSession,
    actor: CurrentActor,
    data: Annotated[dict[str, Any], Body(description="A signed export, as downloaded.")],
) -> VerificationRead:
    result = agreements.verify_signed(session=session, actor=actor, data=data)
    return _verification_read(result)


def _verification_read(result: document.Verification) -> VerificationRead:
    return VerificationRead.model_validate(
        {
            "ok": result.ok,
            "fully_signed": result.fully_signed,
            "document_sha256": result.document_sha256,
            "problems": result.problems,
            "warnings": result.warnings,
            "signed_by": result.signed_by,
        }
    )


# --- agreements -------------------------------------------------------------------------------


@router.get("", response_model=list[AgreementRead])
def list_agreements(
    session: DbSession,
    actor: CurrentActor,
    direction: Direction = "all",
    status: AgreementStatus | None = None,
) -> list[AgreementRead]:
    found = agreements.list_agreements(
        session=session, actor=actor, direction=direction, status=status
    )
    return [agreement_read(a) for a in found]


@router.get("/{number}", response_model=AgreementRead)
def get_agreement(number: str, session: DbSession, actor: CurrentActor) -> AgreementRead:
    return agreement_read(agreements.get_agreement(session=session, actor=actor, number=number))


@router.get("/{number}/versions/{version}", response_model=AgreementRead)
def get_version(
    number: str, version: int, session: DbSession, actor: CurrentActor
) -> AgreementRead:
    found = agreements.get_agreement(session=session, actor=actor, number=number, version=version)
    return agreement_read(found)


@router.get(
    "/{number}/versions/{version}/document",
    responses={200: {"content": {"application/json": {}}, "description": "Canonical JSON."}},
)
def get_document(number: str, version: int, session: DbSession, actor: CurrentActor) -> Response:
    found = agreements.get_agreement(session=session, actor=actor, number=number, version=version)
    return Response(document.document_bytes(found.document), media_type="application/json")


@router.get(
    "/{number}/versions/{version}/signed",
    responses={200: {"content": {"application/json": {}}, "description": "Signed export."}},
)
def get_signed(number: str, version: int, session: DbSession, actor: CurrentActor) -> Response:
    exported = agreements.export_signed(
        session=session, actor=actor, number=number, version=version
    )
    return Response(
        document.export_text(exported).encode("utf-8"),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{number}-v{version}.signed.json"'},
    )


@router.get(
    "/{number}/versions/{version}/pdf",
    responses={200: {"content": {"application/pdf": {}}, "description": "The agreement as PDF."}},
)
def get_pdf(number: str, version: int, session: DbSession, actor: CurrentActor) -> Response:
    found = agreements.get_agreement(session=session, actor=actor, number=number, version=version)
    return Response(
        rendering.agreement_pdf(found),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{number}-v{version}.pdf"'},
    )


@router.post("/{number}/versions/{version}/signatures", response_model=AgreementRead)
def sign_agreement(
    number: str,
    version: int,
    body: SignBody,
    session: DbSession,
    actor: CurrentActor,
    settings: AppSettings,
    _mail: MailAfter,
) -> AgreementRead:
    signed = agreements.sign_agreement(
        session=session,
        actor=actor,
        number=number,
        version=version,
        document_sha256=body.document_sha256,
        secret=settings.effective_secret_key,
    )
    return agreement_read(signed)


@router.post("/{number}/amendments", response_model=AgreementRead, status_code=201)
def amend_agreement(
    number: str,
    terms: AmendTerms,
    session: DbSession,
    actor: CurrentActor,
    settings: AppSettings,
    _mail: MailAfter,
) -> AgreementRead:
    amended = changes.amend_agreement(
        session=session,
        actor=actor,
        number=number,
        terms=terms,
        secret=settings.effective_secret_key,
    )
    return agreement_read(amended)


@router.post("/{number}/suspension", response_model=AgreementRead)
def suspend_agreement(
    number: str,
    body: Reason,
    session: DbSession,
    actor: CurrentActor,
    settings: AppSettings,
    _mail: MailAfter,
) -> AgreementRead:
    found = changes.suspend_agreement(
        session=session,
        actor=actor,
        number=number,
        reason=body.reason,
        secret=settings.effective_secret_key,
    )
    return agreement_read(found)


@router.post("/{number}/resumption", response_model=AgreementRead)
def resume_agreement(
    number: str, session: DbSession, actor: CurrentActor, settings: AppSettings, _mail: MailAfter
) -> AgreementRead:
    found = changes.resume_agreement(
        session=session, actor=actor, number=number, secret=settings.effective_secret_key
    )
    return agreement_read(found)


@router.post("/{number}/revocation", response_model=AgreementRead)
def revoke_agreement(
    number: str,
    body: Reason,
    session: DbSession,
    actor: CurrentActor,
    settings: AppSettings,
    _mail: MailAfter,
) -> AgreementRead:
    found = changes.revoke_agreement(
        session=session,
        actor=actor,
        number=number,
        reason=body.reason,
        secret=settings.effective_secret_key,
    )
    return agreement_read(found)
