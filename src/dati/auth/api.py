"""JSON routes for the caller's own account and tokens, and user administration."""

from __future__ import annotations

from fastapi import APIRouter, status

from dati.auth import service
from dati.auth.schemas import (
    GrantRead,
    MeRead,
    TokenCreate,
    TokenCreated,
    TokenRead,
    UserCreate,
    UserRead,
)
from dati.web.deps import CurrentActor, DbSession

router = APIRouter(tags=["accounts"])


@router.get("/me", response_model=MeRead)
def me(session: DbSession, actor: CurrentActor) -> MeRead:
    user = service.get_me(session=session, actor=actor)
    grants = [
        GrantRead(
            role=m.role,
            org_id=m.org_id,
            org_short_name=m.organisation.short_name if m.organisation else None,
        )
        for m in user.memberships
        if actor.token_id is None
        or (m.role, m.org_id) in {(g.role, g.org_id) for g in actor.grants}
    ]
    return MeRead(kind=actor.kind.value, name=actor.name, user_id=actor.user_id, grants=grants)


@router.get("/tokens", response_model=list[TokenRead])
def list_tokens(session: DbSession, actor: CurrentActor) -> list[TokenRead]:
    return [TokenRead.model_validate(t) for t in service.list_tokens(session=session, actor=actor)]


@router.post("/tokens", response_model=TokenCreated, status_code=status.HTTP_201_CREATED)
def create_token(data: TokenCreate, session: DbSession, actor: CurrentActor) -> TokenCreated:
    token, secret = service.create_token(session=session, actor=actor, data=data)
    return TokenCreated(**TokenRead.model_validate(token).model_dump(), token=secret)


@router.delete("/tokens/{token_id}", response_model=TokenRead)
def revoke_token(token_id: int, session: DbSession, actor: CurrentActor) -> TokenRead:
    return TokenRead.model_validate(
        service.revoke_token(session=session, actor=actor, token_id=token_id)
    )


@router.get("/users", response_model=list[UserRead])
def list_users(session: DbSession, actor: CurrentActor) -> list[UserRead]:
    return [UserRead.model_validate(u) for u in service.list_users(session=session, actor=actor)]


@router.post("/users", response_model=UserRead, status_code=status.HTTP_201_CREATED)
def create_user(data: UserCreate, session: DbSession, actor: CurrentActor) -> UserRead:
    return UserRead.model_validate(service.create_user(session=session, actor=actor, data=data))
