"""Who is acting: a user (through a web session or an API token), a citizen, a system job or nobody."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Role(enum.StrEnum):
    ADMIN = "admin"
    STEWARD = "steward"
    PUBLISHER = "publisher"
    SIGNATORY = "signatory"
    RECIPIENT = "recipient"
    AUDITOR = "auditor"
    AI_OFFICER = "ai_officer"


ROLE_LABELS = {
    Role.ADMIN: "Platform administrator",
    Role.STEWARD: "Data steward",
    Role.PUBLISHER: "Publisher",
    Role.SIGNATORY: "Signatory",
    Role.RECIPIENT: "Recipient (API consumer)",
    Role.AUDITOR: "Auditor",
    Role.AI_OFFICER: "AI officer",
}


class ActorKind(enum.StrEnum):
    ANONYMOUS = "anonymous"
    USER = "user"
    CITIZEN = "citizen"
    SYSTEM = "system"


@dataclass(frozen=True)
class Grant:
    """A role held in an organisation (``org_id`` None for the platform-wide admin role)."""

    role: Role
    org_id: int | None


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    name: str = ""
    user_id: int | None = None
    grants: frozenset[Grant] = field(default_factory=frozenset)
    personal_code: str | None = None
    token_id: int | None = None

    @classmethod
    def anonymous(cls) -> Actor:
        return cls(kind=ActorKind.ANONYMOUS, name="anonymous")

    @classmethod
    def system(cls, name: str) -> Actor:
        """A named job or script acting with the platform admin role (there is no auth bypass)."""
        return cls(
            kind=ActorKind.SYSTEM,
            name=f"system:{name}",
            grants=frozenset({Grant(Role.ADMIN, None)}),
        )

    @property
    def is_authenticated(self) -> bool:
        return self.kind is not ActorKind.ANONYMOUS

    @property
    def is_admin(self) -> bool:
        return Grant(Role.ADMIN, None) in self.grants

    @property
    def is_citizen(self) -> bool:
        return self.kind is ActorKind.CITIZEN

    def has_role(self, role: Role, org_id: int | None = None) -> bool:
        """True if the actor holds ``role`` in ``org_id`` (any organisation when None)."""
        if org_id is None:
            return any(g.role is role for g in self.grants)
        return Grant(role, org_id) in self.grants

    def org_ids(self, *roles: Role) -> set[int]:
        """Organisations in which the actor holds any of ``roles`` (any role when none given)."""
        return {
            g.org_id for g in self.grants if g.org_id is not None and (not roles or g.role in roles)
        }

    @property
    def roles(self) -> set[Role]:
        return {g.role for g in self.grants}
