"""Who may do what in the readiness self-assessment.

Respondents are the institution's data stewards and AI officers: the AI officer knows the
AI questions, the steward the data questions, and either may save and submit. Every member
of an institution may read its own assessment and results; auditors and administrators read
all institutions'. National averages and per-question distributions are open to all staff;
per-institution and per-ministry tables only to auditors and administrators, because a small
ministry group would reveal one institution's answers.
"""

from __future__ import annotations

from typing import Any

from dati.auth.actor import Actor, Role
from dati.auth.permissions import Permission, admin_only

RESPONDENT_ROLES = (Role.STEWARD, Role.AI_OFFICER)


def is_staff(actor: Actor, _target: Any = None) -> bool:
    """Holds any role in some organisation (institution staff, auditors)."""
    return bool(actor.org_ids())


def is_auditor(actor: Actor, _target: Any = None) -> bool:
    return actor.has_role(Role.AUDITOR)


def _org_id(target: Any) -> int | None:
    return getattr(target, "org_id", None)


def sees_assessment(actor: Actor, assessment: Any) -> bool:
    """Members of the institution and auditors see an assessment."""
    return is_auditor(actor) or _org_id(assessment) in actor.org_ids()


def answers_assessment(actor: Actor, assessment: Any) -> bool:
    org_id = _org_id(assessment)
    return org_id is not None and bool(actor.org_ids(*RESPONDENT_ROLES) & {org_id})


VIEW_READINESS = Permission("readiness.view", "Use the readiness self-assessment", is_staff)
VIEW_QUESTIONNAIRES = Permission(
    "readiness.questionnaire.view", "View readiness questionnaires", is_staff
)
MANAGE_QUESTIONNAIRES = Permission(
    "readiness.questionnaire.manage", "Edit and publish readiness questionnaires", admin_only
)
VIEW_ROUNDS = Permission("readiness.round.view", "View assessment rounds", is_staff)
MANAGE_ROUNDS = Permission(
    "readiness.round.manage", "Open, change and close assessment rounds", admin_only
)
VIEW_ASSESSMENT = Permission(
    "readiness.assessment.view", "View an institution's assessment", sees_assessment, hide=True
)
ANSWER_ASSESSMENT = Permission(
    "readiness.assessment.answer",
    "Answer and submit your institution's assessment",
    answers_assessment,
)
VIEW_NATIONAL = Permission("readiness.national.view", "View national readiness averages", is_staff)
VIEW_ALL_RESULTS = Permission(
    "readiness.results.all", "View every institution's readiness results", is_auditor
)
EXPORT_ANSWERS = Permission("readiness.answers.export", "Export all readiness answers", is_auditor)
VIEW_RECOMMENDATIONS = Permission(
    "readiness.recommendation.view", "View readiness recommendations", is_staff
)
MANAGE_RECOMMENDATIONS = Permission(
    "readiness.recommendation.manage", "Edit readiness recommendations", admin_only
)
