"""AI Act obligations of each system: kept in step with its classification, with a status and
evidence (an uploaded file or a link), and the dashboard of what is overdue."""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from dati import clock
from dati.ai.classifier import classify
from dati.ai.models import (
    AiAssessment,
    AiEvidence,
    AiObligation,
    AiSystem,
    Lifecycle,
    ObligationStatus,
)
from dati.ai.obligations import CATALOGUE, Obligation, obligations_for
from dati.ai.permissions import LIST_SYSTEMS, MANAGE_SYSTEM, VIEW_SYSTEM
from dati.ai.schemas import EvidenceLinkCreate, ObligationUpdate
from dati.ai.services.access import find_system, visible
from dati.ai.services.history import record_change
from dati.ai.verdict import Classification
from dati.auth.actor import Actor
from dati.auth.permissions import require
from dati.errors import Invalid, NotFound, PayloadTooLarge
from dati.i18n import gettext as _
from dati.orgs.models import Organisation, OrgKind

# Document and image formats accepted as evidence; anything else is refused.
EVIDENCE_TYPES = {
    ".pdf": "application/pdf",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".csv": "text/csv",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".edoc": "application/vnd.etsi.asic-e+zip",
    ".asice": "application/vnd.etsi.asic-e+zip",
}
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
IN_USE = (Lifecycle.PILOT, Lifecycle.PRODUCTION)
UPCOMING_DAYS = 365
PUBLIC_BODIES = (OrgKind.MINISTRY, OrgKind.AGENCY, OrgKind.MUNICIPALITY)


@dataclass(frozen=True)
class ObligationView:
    row: AiObligation
    obligation: Obligation
    overdue: bool

    @property
    def system(self) -> AiSystem:
        return self.row.system


def is_overdue(row: AiObligation, today: date) -> bool:
    """Past its date, not done, and the system is in use (plans are not yet late)."""
    return (
        row.applicable
        and row.status is not ObligationStatus.DONE
        and row.applies_from < today
        and row.system.lifecycle in IN_USE
    )


def _view(row: AiObligation, today: date) -> ObligationView:
    return ObligationView(row, CATALOGUE[row.code], is_overdue(row, today))


# --- keeping obligations in step with the classification -----------------------------------------


def sync_obligations(
    session: Session, system: AiSystem, classification: Classification, *, by: str
) -> None:
    """Add the obligations the classification and role trigger; withdraw those it no longer does.

    Withdrawn rows are kept (not applicable), because their status and evidence are history.
    """
    due = obligations_for(classification, system.role, public_body=system.org.kind in PUBLIC_BODIES)
    wanted = {d.obligation.code: d for d in due}
    existing = {row.code: row for row in system.obligations}
    added, withdrawn = [], []
    for code, d in wanted.items():
        row = existing.get(code)
        if row is None:
            system.obligations.append(
                AiObligation(code=code, applies_from=d.applies_from, updated_by=by)
            )
            added.append(code)
        else:
            if not row.applicable:
                added.append(code)
            row.applicable, row.applies_from = True, d.applies_from
    for code, row in existing.items():
        if code not in wanted and row.applicable:
            row.applicable = False
            withdrawn.append(code)
    if added or withdrawn:
        record_change(
            session,
            system,
            by=by,
            action="obligations",
            changes=[["added", "", ", ".join(added)], ["withdrawn", "", ", ".join(withdrawn)]],
        )
    session.flush()


def latest_assessment(session: Session, system_id: int) -> AiAssessment | None:
    stmt = (
        select(AiAssessment)
        .where(AiAssessment.system_id == system_id)
        .order_by(AiAssessment.created_at.desc(), AiAssessment.id.desc())
    )
    return session.scalars(stmt).first()


def refresh_obligations(session: Session, system: AiSystem, *, by: str) -> None:
    """Re-derive the obligations from the newest assessment (after the role changed)."""
    assessment = latest_assessment(session, system.id)
    if assessment is not None:
        sync_obligations(session, system, classify(assessment.answers), by=by)


# --- status and evidence -------------------------------------------------------------------------


def list_obligations(
    *, session: Session, actor: Actor, system_id: int, include_withdrawn: bool = False
) -> list[ObligationView]:
    """A system's obligations in date order, each flagged when overdue."""
    system = session.get(AiSystem, system_id)
    require(actor, VIEW_SYSTEM, system if system is not None else -1)
    if system is None:
        raise NotFound(_("There is no AI system {id}.", id=system_id))
    today = clock.today()
    rows = [r for r in system.obligations if include_withdrawn or r.applicable]
    return [_view(r, today) for r in sorted(rows, key=lambda r: (r.applies_from, r.id))]


def _obligation(session: Session, obligation_id: int, actor: Actor) -> AiObligation:
    row = session.get(AiObligation, obligation_id)
    if row is None:
        raise NotFound(_("There is no obligation {id}.", id=obligation_id))
    find_system(session, row.system_id, actor)
    return row


def update_obligation(
    *, session: Session, actor: Actor, obligation_id: int, data: ObligationUpdate
) -> ObligationView:
    """Change an obligation's status or note; 'done' needs evidence first."""
    row = _obligation(session, obligation_id, actor)
    require(actor, MANAGE_SYSTEM, row.system)
    changes = []
    if data.status is not None and data.status is not row.status:
        if data.status is ObligationStatus.DONE and not row.evidence:
            raise Invalid(
                _("Add evidence (a file or a link) before marking the obligation done."),
                errors={"status": _("Evidence is needed first.")},
            )
        changes.append(["status", row.status.value, data.status.value])
        row.status = data.status
    if data.note is not None and data.note != row.note:
        changes.append(["note", row.note, data.note])
        row.note = data.note
    if changes:
        row.updated_at, row.updated_by = clock.now(), actor.name
        record_change(
            session,
            row.system,
            by=actor.name,
            action="obligation",
            summary=row.code,
            changes=changes,
        )
    session.flush()
    return _view(row, clock.today())


def add_evidence_link(
    *, session: Session, actor: Actor, obligation_id: int, data: EvidenceLinkCreate
) -> AiEvidence:
    """Attach a link (to the document management system, a publication...) as evidence."""
    row = _obligation(session, obligation_id, actor)
    require(actor, MANAGE_SYSTEM, row.system)
    evidence = AiEvidence(title=data.title, url=str(data.url), created_by=actor.name)
    row.evidence.append(evidence)
    record_change(
        session, row.system, by=actor.name, action="evidence", summary=f"{row.code}: {data.title}"
    )
    session.flush()
    return evidence


def add_evidence_file(
    *,
    session: Session,
    actor: Actor,
    obligation_id: int,
    title: str,
    filename: str,
    content: bytes,
    data_dir: Path,
) -> AiEvidence:
    """Store an uploaded document under a generated name; the uploaded name is only displayed."""
    row = _obligation(session, obligation_id, actor)
    require(actor, MANAGE_SYSTEM, row.system)
    display = _display_name(filename)
    suffix = Path(display).suffix.lower()
    if suffix not in EVIDENCE_TYPES:
        raise Invalid(
            _("This file type is not accepted as evidence."),
            errors={"file": _("Use one of: {types}.", types=", ".join(sorted(EVIDENCE_TYPES)))},
        )
    if len(content) > MAX_EVIDENCE_BYTES:
        raise PayloadTooLarge(_("The file is larger than 20 MB."), errors={"file": _("Too large.")})
    if not content:
        raise Invalid(_("The file is empty."), errors={"file": _("Choose a file.")})
    stored = f"{uuid.uuid4().hex}{suffix}"
    folder = evidence_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{stored}.part"
    partial.write_bytes(content)
    os.replace(partial, folder / stored)  # a reader never sees a half-written file
    evidence = AiEvidence(
        title=(title.strip() or display)[:300],
        file_name=display,
        stored_name=stored,
        media_type=EVIDENCE_TYPES[suffix],
        size_bytes=len(content),
        created_by=actor.name,
    )
    row.evidence.append(evidence)
    record_change(
        session, row.system, by=actor.name, action="evidence", summary=f"{row.code}: {display}"
    )
    session.flush()
    return evidence


def evidence_dir(data_dir: Path) -> Path:
    return data_dir / "ai" / "evidence"


def _display_name(filename: str) -> str:
    # Only the last path component, without control characters; never used to build a path.
    name = re.split(r"[\\/]", filename or "")[-1]
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip()
    return name[:255] or "evidence"


def evidence_file(
    *, session: Session, actor: Actor, evidence_id: int, data_dir: Path
) -> tuple[Path, str, str]:
    """The stored file of an evidence item, its media type and its name for download."""
    evidence = session.get(AiEvidence, evidence_id)
    system = evidence.obligation.system if evidence is not None else None
    require(actor, VIEW_SYSTEM, system if system is not None else -1)
    if evidence is None or not evidence.stored_name:
        raise NotFound(_("There is no such evidence file."))
    path = evidence_dir(data_dir) / evidence.stored_name
    if not path.is_file():
        raise NotFound(_("The evidence file is missing from the data directory."))
    return path, evidence.media_type or "application/octet-stream", evidence.file_name or path.name


def remove_evidence(*, session: Session, actor: Actor, evidence_id: int, data_dir: Path) -> None:
    """Delete an evidence item (and its file); a 'done' obligation left without evidence reopens."""
    evidence = session.get(AiEvidence, evidence_id)
    if evidence is None:
        raise NotFound(_("There is no such evidence file."))
    row = _obligation(session, evidence.obligation_id, actor)
    require(actor, MANAGE_SYSTEM, row.system)
    row.evidence.remove(evidence)
    if not row.evidence and row.status is ObligationStatus.DONE:
        row.status = ObligationStatus.IN_PROGRESS
    record_change(
        session, row.system, by=actor.name, action="evidence_removed", summary=evidence.title
    )
    session.flush()
    if evidence.stored_name:
        (evidence_dir(data_dir) / evidence.stored_name).unlink(missing_ok=True)


# --- the dashboard -------------------------------------------------------------------------------


@dataclass
class OrgProgress:
    org: Organisation
    overdue: int = 0
    open: int = 0
    done: int = 0


@dataclass
class Dashboard:
    today: date
    overdue: list[ObligationView] = field(default_factory=list)
    upcoming: list[ObligationView] = field(default_factory=list)
    before_service: list[ObligationView] = field(default_factory=list)
    by_org: list[OrgProgress] = field(default_factory=list)


def obligations_dashboard(*, session: Session, actor: Actor, org: str | None = None) -> Dashboard:
    """Open obligations of the systems the actor may see: overdue, due within a year, and
    those of systems not yet in use; with counts per institution."""
    require(actor, LIST_SYSTEMS)
    today = clock.today()
    stmt = visible(select(AiObligation).join(AiObligation.system).join(AiSystem.org), actor).where(
        AiObligation.applicable.is_(True), AiSystem.lifecycle != Lifecycle.RETIRED
    )
    if org:
        stmt = stmt.where(Organisation.short_name == org)
    rows = list(session.scalars(stmt.order_by(AiObligation.applies_from, AiObligation.id)))
    board = Dashboard(today)
    progress: dict[int, OrgProgress] = {}
    soon = today + timedelta(days=UPCOMING_DAYS)
    for row in rows:
        view = _view(row, today)
        p = progress.setdefault(row.system.org_id, OrgProgress(row.system.org))
        if row.status is ObligationStatus.DONE:
            p.done += 1
            continue
        p.open += 1
        if view.overdue:
            p.overdue += 1
            board.overdue.append(view)
        elif row.system.lifecycle not in IN_USE:
            board.before_service.append(view)
        elif row.applies_from <= soon:
            board.upcoming.append(view)
    board.by_org = sorted(progress.values(), key=lambda p: (-p.overdue, -p.open, p.org.short_name))
    return board
