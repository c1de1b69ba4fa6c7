"""Account, role and token shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from dati.auth.actor import Role


class UserCreate(BaseModel):
    username: str = Field(min_length=3, max_length=120, pattern=r"^[A-Za-z0-9_.@\-]+$")
    display_name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=200)
    password: str | None = Field(default=None, min_length=10, max_length=200)
    personal_code: str | None = None


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    email: str | None
    is_active: bool


class GrantRead(BaseModel):
    role: Role
    org_id: int | None
    org_short_name: str | None = None


class MeRead(BaseModel):
    kind: str
    name: str
    user_id: int | None
    grants: list[GrantRead]


class TokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    org: str | None = Field(
        default=None, description="Short name of the organisation the token acts for."
    )
    role: Role
    expires_days: int | None = Field(default=None, ge=1, le=3650)


class TokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    role: Role
    org_id: int | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class TokenCreated(TokenRead):
    token: str = Field(description="Shown once; only its hash is stored.")
