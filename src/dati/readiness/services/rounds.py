"""Assessment rounds: an administrator opens a round for chosen institutions with a deadline,
follows each institution's progress and closes the round when it is over."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dati import clock
from dati.auth.actor import Actor
from dati.auth.permissions import allowed, require
from dati.errors import Conflict, Invalid, NotFound
from dati.i18n import gettext as _
from dati.orgs import service as orgs_service
from dati.orgs.models import Organisation, OrgKind
from dati.readiness.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    QuestionnaireVersion,
    Round,
    RoundStatus,
)
from dati.readiness.permissions import MANAGE_ROUNDS, VIEW_ALL_RESULTS, VIEW_ROUNDS
from dati.readiness.schemas import RoundCreate, RoundUpdate
from dati.readiness.services import questionnaires as questionnaires_service

RESPONDENT_KINDS = (OrgKind.MINISTRY, OrgKind.AGENCY, OrgKind.MUNICIPALITY)


@dataclass(frozen=True)
class RoundSummary:
    round: Round
    total: int
    submitted: int
    draft: int
    not_started: int


@dataclass(frozen=True)
class Group:
    """Where an institution is counted in per-ministry aggregates."""

    key: str
    name_lv: str
    name_en: str


@dataclass(frozen=True)
class ProgressRow:
    assessment: Assessment
    group: Group
    answered: int
    questions: int

    @property
    def updated_at(self) -> datetime | None:
        return self.assessment.updated_at


def sort_key(text: str) -> str:
    """Alphabetical order that puts "Ārlietu" among the A's (databases sort Ā after Z)."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in plain if not unicodedata.combining(c))


def group_of(org: Organisation) -> Group:
    """A ministry with the institutions it supervises; municipalities and others apart."""
    if org.kind is OrgKind.MINISTRY:
        return Group(org.short_name, org.name_lv, org.name_en)
    parent = org.parent
    if parent is not None and parent.kind is OrgKind.MINISTRY:
        return Group(parent.short_name, parent.name_lv, parent.name_en)
    if org.kind is OrgKind.MUNICIPALITY:
        return Group("municipalities", "Pašvaldības", "Municipalities")
    return Group("other", "Neatkarīgās un citas iestādes", "Independent and other institutions")


def list_rounds(*, session: Session, actor: Actor) -> list[RoundSummary]:
    """Every round, newest first, with how many institutions have submitted."""
    require(actor, VIEW_ROUNDS)
    rounds = list(session.scalars(select(Round).order_by(Round.opens_on.desc(), Round.id.desc())))
    counts: dict[tuple[int, AssessmentStatus], int] = {
        (round_id, status): n
        for round_id, status, n in session.execute(
            select(Assessment.round_id, Assessment.status, func.count()).group_by(
                Assessment.round_id, Assessment.status
            )
        )
    }
    summaries = []
    for rnd in rounds:
        by = {s: counts.get((rnd.id, s), 0) for s in AssessmentStatus}
        summaries.append(
            RoundSummary(
                rnd,
                total=sum(by.values()),
                submitted=by[AssessmentStatus.SUBMITTED],
                draft=by[AssessmentStatus.DRAFT],
                not_started=by[AssessmentStatus.NOT_STARTED],
            )
        )
    return summaries


def get_round(*, session: Session, actor: Actor, round_id: int) -> Round:
    require(actor, VIEW_ROUNDS)
    return get_round_row(session, round_id)


def get_round_row(session: Session, round_id: int) -> Round:
    rnd = session.get(Round, round_id)
    if rnd is None:
        raise NotFound(_("No such assessment round."))
    return rnd


def round_progress(*, session: Session, actor: Actor, round_id: int) -> list[ProgressRow]:
    """Each institution's status and number of answers; others' rows only for auditors."""
    require(actor, VIEW_ROUNDS)
    rnd = get_round_row(session, round_id)
    stmt = select(Assessment).where(Assessment.round_id == rnd.id)
    if not allowed(actor, VIEW_ALL_RESULTS):
        stmt = stmt.where(Assessment.org_id.in_(actor.org_ids()))
    assessments = list(session.scalars(stmt))
    answered = dict(
        session.execute(
            select(Answer.assessment_id, func.count())
            .join(Assessment, Answer.assessment_id == Assessment.id)
            .where(Assessment.round_id == rnd.id)
            .group_by(Answer.assessment_id)
        ).all()
    )
    total = len(rnd.version.questions)
    rows = [
        ProgressRow(a, group_of(a.organisation), answered.get(a.id, 0), total) for a in assessments
    ]
    return sorted(
        rows, key=lambda r: (sort_key(r.group.name_lv), sort_key(r.assessment.organisation.name_lv))
    )


def eligible_institutions(*, session: Session, actor: Actor) -> list[Organisation]:
    """Ministries, agencies and municipalities an administrator can invite to a round."""
    require(actor, MANAGE_ROUNDS)
    stmt = (
        select(Organisation)
        .where(Organisation.kind.in_(RESPONDENT_KINDS))
        .order_by(Organisation.kind, Organisation.name_lv)
    )
    return list(session.scalars(stmt))


def create_round(*, session: Session, actor: Actor, data: RoundCreate) -> Round:
    """Open a round on a published questionnaire for the chosen institutions.

    The deadline binds respondents; administrators may still record answers (for example
    collected on paper) until the round is closed.
    """
    require(actor, MANAGE_ROUNDS)
    errors: dict[str, str] = {}
    if data.deadline < data.opens_on:
        errors["deadline"] = _("The deadline cannot be before the opening date.")
    version = _published_version(session, data.version_id, errors)
    orgs: list[Organisation] = []
    unknown: list[str] = []
    for name in dict.fromkeys(data.institutions):
        org = orgs_service.find_by_short_name(session, name)
        if org is None or org.kind not in RESPONDENT_KINDS:
            unknown.append(name)
        else:
            orgs.append(org)
    if unknown:
        errors["institutions"] = _(
            "Not institutions that can be assessed: {names}.", names=", ".join(unknown)
        )
    if errors:
        raise Invalid(_("The round cannot be opened."), errors=errors)
    assert version is not None
    rnd = Round(
        version=version,
        title_lv=data.title_lv,
        title_en=data.title_en,
        opens_on=data.opens_on,
        deadline=data.deadline,
        status=RoundStatus.OPEN,
    )
    rnd.assessments = [Assessment(org_id=org.id, reopen_reason="") for org in orgs]
    session.add(rnd)
    session.flush()
    return rnd


def _published_version(
    session: Session, version_id: int | None, errors: dict[str, str]
) -> QuestionnaireVersion | None:
    if version_id is None:
        version = questionnaires_service.latest_published(session)
    else:
        version = session.get(QuestionnaireVersion, version_id)
    if version is None or not version.is_published:
        errors["version_id"] = _("Choose a published questionnaire version.")
        return None
    return version


def update_round(*, session: Session, actor: Actor, round_id: int, data: RoundUpdate) -> Round:
    """Rename a round or move its deadline (for example to give late institutions more time)."""
    require(actor, MANAGE_ROUNDS)
    rnd = get_round_row(session, round_id)
    if not rnd.is_open:
        raise Conflict(_("The round is closed."))
    if data.deadline is not None:
        if data.deadline < rnd.opens_on:
            raise Invalid(
                _("The deadline cannot be before the opening date."),
                errors={"deadline": _("The deadline cannot be before the opening date.")},
            )
        rnd.deadline = data.deadline
    if data.title_lv is not None:
        rnd.title_lv = data.title_lv
    if data.title_en is not None:
        rnd.title_en = data.title_en
    session.flush()
    return rnd


def close_round(*, session: Session, actor: Actor, round_id: int) -> Round:
    """Close a round: no more answers; its results become final."""
    require(actor, MANAGE_ROUNDS)
    rnd = get_round_row(session, round_id)
    if not rnd.is_open:
        raise Conflict(_("The round is already closed."))
    rnd.status = RoundStatus.CLOSED
    rnd.closed_at = clock.now()
    session.flush()
    return rnd


def deadline_passed(rnd: Round) -> bool:
    return clock.today() > rnd.deadline
