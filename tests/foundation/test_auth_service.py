"""Accounts, login throttling and tokens at the service layer."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from dati.auth import service
from dati.auth.actor import Actor, Grant, Role
from dati.auth.schemas import TokenCreate, UserCreate
from dati.errors import Conflict, Forbidden, Invalid, NotAuthenticated, NotFound, TooManyRequests
from tests.conftest import TEST_PASSWORD, MakeUser


def test_password_is_hashed_with_argon2(session: Session, make_user: MakeUser) -> None:
    make_user("anna")
    user = service.list_users(session=session, actor=Actor.system("t"))[0]
    assert user.password_hash and user.password_hash.startswith("$argon2id$")
    assert TEST_PASSWORD not in user.password_hash


def test_duplicate_username_is_refused(
    session: Session, system: Actor, make_user: MakeUser
) -> None:
    make_user("anna")
    with pytest.raises(Conflict) as exc:
        service.create_user(
            session=session,
            actor=system,
            data=UserCreate(username="ANNA", display_name="Another", password=TEST_PASSWORD),
        )
    assert "username" in exc.value.errors


def test_only_admins_create_users(session: Session, make_user: MakeUser) -> None:
    steward = make_user("steward1", (Role.STEWARD, "VZD"))
    with pytest.raises(Forbidden):
        service.create_user(
            session=session,
            actor=steward,
            data=UserCreate(username="x-user", display_name="X", password=TEST_PASSWORD),
        )


def test_login_success_and_wrong_password(session: Session, make_user: MakeUser) -> None:
    make_user("anna", (Role.STEWARD, "VZD"))
    user, secret = service.login_with_password(
        session=session, actor=Actor.anonymous(), username="anna", password=TEST_PASSWORD
    )
    actor = service.actor_from_session_secret(session, secret)
    assert actor is not None and actor.has_role(Role.STEWARD)
    with pytest.raises(NotAuthenticated):
        service.login_with_password(
            session=session, actor=Actor.anonymous(), username="anna", password="wrong-password"
        )


def test_login_is_throttled_after_repeated_failures(session: Session, make_user: MakeUser) -> None:
    make_user("anna")
    policy = service.LoginPolicy(max_failures=3, lockout_seconds=600)
    for _ in range(3):
        with pytest.raises(NotAuthenticated):
            service.login_with_password(
                session=session,
                actor=Actor.anonymous(),
                username="anna",
                password="nope-nope-nope",
                policy=policy,
            )
    # Even the right password is refused while the name is locked.
    with pytest.raises(TooManyRequests) as exc:
        service.login_with_password(
            session=session,
            actor=Actor.anonymous(),
            username="anna",
            password=TEST_PASSWORD,
            policy=policy,
        )
    assert exc.value.extra["retry_after"] == 600


def test_logout_ends_the_session(session: Session, make_user: MakeUser) -> None:
    make_user("anna")
    _, secret = service.login_with_password(
        session=session, actor=Actor.anonymous(), username="anna", password=TEST_PASSWORD
    )
    service.logout(session=session, actor=Actor.anonymous(), session_secret=secret)
    assert service.actor_from_session_secret(session, secret) is None


def test_citizen_login_needs_a_valid_personal_code(session: Session) -> None:
    with pytest.raises(Invalid) as exc:
        service.login_citizen(
            session=session, actor=Actor.anonymous(), personal_code="010190-12344"
        )
    assert "personal_code" in exc.value.errors
    user, _ = service.login_citizen(
        session=session, actor=Actor.anonymous(), personal_code="15038511116"
    )
    assert user.personal_code == "150385-11116"
    assert service.actor_for_user(user).is_citizen


def test_token_is_hashed_scoped_and_revocable(session: Session, make_user: MakeUser) -> None:
    actor = make_user("anna", (Role.STEWARD, "VZD"), (Role.PUBLISHER, "CSDD"))
    token, secret = service.create_token(
        session=session, actor=actor, data=TokenCreate(name="etl", role=Role.STEWARD, org="VZD")
    )
    assert secret not in token.token_hash and token.prefix == secret[:12]
    token_actor = service.actor_from_token(session, secret)
    assert token_actor is not None
    # The token carries only its own role, not the user's other roles.
    assert token_actor.grants == frozenset({Grant(Role.STEWARD, token.org_id)})
    assert not token_actor.has_role(Role.PUBLISHER)
    service.revoke_token(session=session, actor=actor, token_id=token.id)
    assert service.actor_from_token(session, secret) is None


def test_token_only_for_roles_the_user_holds(session: Session, make_user: MakeUser) -> None:
    actor = make_user("anna", (Role.STEWARD, "VZD"))
    with pytest.raises(Invalid):
        service.create_token(
            session=session, actor=actor, data=TokenCreate(name="x", role=Role.SIGNATORY, org="VZD")
        )
    with pytest.raises(Invalid):
        service.create_token(
            session=session, actor=actor, data=TokenCreate(name="x", role=Role.STEWARD, org="PMLP")
        )


def test_token_stops_working_when_role_is_withdrawn(session: Session, make_user: MakeUser) -> None:
    actor = make_user("anna", (Role.STEWARD, "VZD"))
    _, secret = service.create_token(
        session=session, actor=actor, data=TokenCreate(name="x", role=Role.STEWARD, org="VZD")
    )
    assert service.actor_from_token(session, secret) is not None  # now cached (db.hot)
    user = service.get_me(session=session, actor=actor)
    user.memberships.clear()
    session.flush()
    assert service.actor_from_token(session, secret) is None


def test_a_token_revoked_by_another_process_dies_within_the_ttl(
    session: Session, make_user: MakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from sqlalchemy import text

    actor = make_user("anna", (Role.STEWARD, "VZD"))
    token, secret = service.create_token(
        session=session, actor=actor, data=TokenCreate(name="x", role=Role.STEWARD, org="VZD")
    )
    session.commit()
    assert service.actor_from_token(session, secret) is not None
    # No ORM event reaches this process's cache from a write made elsewhere.
    session.execute(
        text("UPDATE api_token SET revoked_at = CURRENT_TIMESTAMP WHERE id = :id"), {"id": token.id}
    )
    session.commit()
    session.expire_all()  # as a new request's session would read it
    assert service.actor_from_token(session, secret) is not None
    later = time.monotonic() + service.TOKEN_TTL + 0.1
    monkeypatch.setattr(time, "monotonic", lambda: later)
    assert service.actor_from_token(session, secret) is None


def test_someone_elses_token_is_not_found(session: Session, make_user: MakeUser) -> None:
    anna = make_user("anna", (Role.STEWARD, "VZD"))
    bob = make_user("bob", (Role.STEWARD, "VZD"))
    token, _ = service.create_token(
        session=session, actor=anna, data=TokenCreate(name="x", role=Role.STEWARD, org="VZD")
    )
    with pytest.raises(NotFound):
        service.revoke_token(session=session, actor=bob, token_id=token.id)


def test_grant_role_validates_organisation(
    session: Session, system: Actor, make_user: MakeUser
) -> None:
    make_user("anna")
    with pytest.raises(Invalid) as exc:
        service.grant_role(
            session=session, actor=system, username="anna", role=Role.STEWARD, org="NOPE"
        )
    assert exc.value.errors == {"org": "Nezināma organizācija."}
    with pytest.raises(Invalid):
        service.grant_role(
            session=session, actor=system, username="anna", role=Role.ADMIN, org="VZD"
        )
