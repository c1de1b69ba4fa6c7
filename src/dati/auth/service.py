"""Accounts: users and roles, password and citizen login, web sessions, API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from dati import clock
from dati.auth.actor import Actor, ActorKind, Grant, Role
from dati.auth.models import ApiToken, LoginAttempt, Membership, User, WebSession
from dati.auth.passwords import hash_password, verify_password
from dati.auth.permissions import LOG_IN, MANAGE_OWN_TOKENS, MANAGE_USERS, VIEW_SELF, require
from dati.auth.schemas import TokenCreate, UserCreate
from dati.db.hot import HotCache
from dati.errors import Conflict, Invalid, NotAuthenticated, NotFound, TooManyRequests
from dati.i18n import gettext as _
from dati.lv_codes import is_valid_personal_code, normalise_personal_code
from dati.orgs import service as orgs_service

TOKEN_PREFIX = "dati_"  # noqa: S105 - a public prefix, not a secret


class LoginFailed(NotAuthenticated):
    type, title = "login-failed", "Login failed"
    # The failed attempt must be stored even though the request fails.
    keeps_changes = True


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int = 5
    lockout_seconds: int = 900
    session_hours: int = 12


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- users and roles -------------------------------------------------------------------------


def create_user(*, session: Session, actor: Actor, data: UserCreate) -> User:
    """Create an account; citizens are identified by a valid personal code instead of a password."""
    require(actor, MANAGE_USERS)
    if session.scalar(select(User.id).where(func.lower(User.username) == data.username.lower())):
        raise Conflict(
            _("User {name} already exists.", name=data.username),
            errors={"username": _("Already taken.")},
        )
    code = None
    if data.personal_code:
        code = normalise_personal_code(data.personal_code)
        if not is_valid_personal_code(code):
            raise Invalid(
                _("Not a valid personal code."), errors={"personal_code": _("Check the digits.")}
            )
        if session.scalar(select(User.id).where(User.personal_code == code)):
            raise Conflict(
                _("A citizen with this personal code exists."),
                errors={"personal_code": _("Already used.")},
            )
    elif not data.password:
        raise Invalid(_("A password is required."), errors={"password": _("Required.")})
    user = User(
        username=data.username,
        display_name=data.display_name,
        email=data.email,
        password_hash=hash_password(data.password) if data.password else None,
        personal_code=code,
    )
    session.add(user)
    session.flush()
    return user


def grant_role(
    *, session: Session, actor: Actor, username: str, role: Role, org: str | None
) -> Membership:
    """Give a user a role in an organisation (admin is platform-wide and takes no organisation)."""
    require(actor, MANAGE_USERS)
    user = _user_by_name(session, username)
    org_id = None
    if role is Role.ADMIN:
        if org:
            raise Invalid(
                _("The admin role is platform-wide."), errors={"org": _("Leave empty for admin.")}
            )
    else:
        if not org:
            raise Invalid(
                _("The {role} role needs an organisation.", role=role.value),
                errors={"org": _("Required.")},
            )
        found = orgs_service.find_by_short_name(session, org)
        if found is None:
            raise Invalid(
                _("Organisation {name} does not exist.", name=org),
                errors={"org": _("Unknown organisation.")},
            )
        org_id = found.id
    existing = session.scalars(
        select(Membership).where(
            Membership.user_id == user.id,
            Membership.role == role,
            Membership.org_id.is_(None) if org_id is None else Membership.org_id == org_id,
        )
    ).first()
    if existing:
        return existing
    membership = Membership(user_id=user.id, org_id=org_id, role=role)
    session.add(membership)
    session.flush()
    session.refresh(user)
    return membership


def list_users(*, session: Session, actor: Actor) -> list[User]:
    """Every account, for administrators."""
    require(actor, MANAGE_USERS)
    return list(session.scalars(select(User).order_by(User.username)))


def get_me(*, session: Session, actor: Actor) -> User:
    """The logged-in user's own account."""
    require(actor, VIEW_SELF)
    user = session.get(User, actor.user_id) if actor.user_id else None
    if user is None:
        raise NotFound(_("This actor has no user account."))
    return user


def _user_by_name(session: Session, username: str) -> User:
    user = session.scalars(
        select(User).where(func.lower(User.username) == username.lower())
    ).first()
    if user is None:
        raise NotFound(_("User {name} does not exist.", name=username))
    return user


# --- login -----------------------------------------------------------------------------------


def login_with_password(
    *,
    session: Session,
    actor: Actor,
    username: str,
    password: str,
    client: str = "",
    policy: LoginPolicy = LoginPolicy(),
) -> tuple[User, str]:
    """Check a password and open a web session. Too many failures lock the name for a while."""
    require(actor, LOG_IN)
    username = username.strip().lower()
    since = clock.now() - timedelta(seconds=policy.lockout_seconds)
    failures = (
        session.scalar(
            select(func.count())
            .select_from(LoginAttempt)
            .where(LoginAttempt.username == username, LoginAttempt.at >= since)
        )
        or 0
    )
    if failures >= policy.max_failures:
        raise TooManyRequests(
            _(
                "Too many failed logins. Try again in {minutes} minutes.",
                minutes=max(1, policy.lockout_seconds // 60),
            ),
            retry_after=policy.lockout_seconds,
        )
    user = session.scalars(select(User).where(func.lower(User.username) == username)).first()
    ok = verify_password(user.password_hash if user else None, password)
    if not (ok and user and user.is_active):
        session.add(LoginAttempt(username=username, client=client[:64]))
        session.flush()
        raise LoginFailed(_("Wrong user name or password."))
    session.execute(delete(LoginAttempt).where(LoginAttempt.username == username))
    return user, _open_web_session(session, user, "password", policy)


def login_citizen(
    *, session: Session, actor: Actor, personal_code: str, policy: LoginPolicy = LoginPolicy()
) -> tuple[User, str]:
    """Demo citizen login by personal code. A real deployment plugs eID/OIDC in here instead."""
    require(actor, LOG_IN)
    code = normalise_personal_code(personal_code)
    if not is_valid_personal_code(code):
        raise Invalid(
            _("Not a valid personal code."),
            errors={"personal_code": _("Use the form DDMMYY-NNNNN.")},
        )
    user = session.scalars(select(User).where(User.personal_code == code)).first()
    if user is None:
        user = User(
            username=f"citizen-{code}",
            display_name=f"Iedzīvotājs {code[:6]}-*****",
            personal_code=code,
        )
        session.add(user)
        session.flush()
    return user, _open_web_session(session, user, "citizen-demo", policy)


def _open_web_session(session: Session, user: User, method: str, policy: LoginPolicy) -> str:
    secret = secrets.token_urlsafe(32)
    now = clock.now()
    session.add(
        WebSession(
            token_hash=_digest(secret),
            user_id=user.id,
            created_at=now,
            expires_at=now + timedelta(hours=policy.session_hours),
            login_method=method,
        )
    )
    user.last_login_at = now
    session.flush()
    return secret


def logout(*, session: Session, actor: Actor, session_secret: str | None) -> None:
    """End the web session whose cookie secret is given."""
    require(actor, LOG_IN)
    if session_secret:
        session.execute(delete(WebSession).where(WebSession.token_hash == _digest(session_secret)))


def actor_for_user(user: User) -> Actor:
    grants = frozenset(Grant(m.role, m.org_id) for m in user.memberships)
    return Actor(
        kind=ActorKind.CITIZEN if user.is_citizen else ActorKind.USER,
        name=user.display_name,
        user_id=user.id,
        grants=grants,
        personal_code=user.personal_code,
    )


def actor_from_session_secret(session: Session, secret: str) -> Actor | None:
    """The actor behind a session cookie, or None when it is unknown or expired."""
    web = session.scalars(
        select(WebSession).where(WebSession.token_hash == _digest(secret))
    ).first()
    if web is None or web.expires_at < clock.now() or not web.user.is_active:
        return None
    return actor_for_user(web.user)


@dataclass(frozen=True)
class _TokenHolder:
    actor: Actor
    expires_at: datetime | None
    last_used_at: datetime | None


# The actor behind a token, kept for a moment (db.hot): resolving it took three ORM queries,
# three quarters of an authenticated key lookup. Revoking the token, withdrawing the role or
# deactivating the user on this node takes effect on the next request; elsewhere within TTL.
TOKEN_TTL = 2.0
_token_holders: HotCache[_TokenHolder] = HotCache(ApiToken, User, Membership, ttl=TOKEN_TTL)


def actor_from_token(session: Session, token: str) -> Actor | None:
    """The actor behind a bearer token, limited to the token's one organisation and role."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    digest = _digest(token)
    now = clock.now()
    holder = _token_holders.get(session, digest)
    if holder is None:
        holder = _token_holder(session, digest)
        if holder is None:
            return None
        _token_holders.put(session, digest, holder)
    if holder.expires_at and holder.expires_at < now:
        return None
    # Written at most once a minute so that reads do not turn into writes on every call.
    if holder.last_used_at is None or now - holder.last_used_at > timedelta(minutes=1):
        _mark_used(session, holder.actor.token_id, now)
        _token_holders.put(session, digest, replace(holder, last_used_at=now))
    return holder.actor


def _token_holder(session: Session, digest: str) -> _TokenHolder | None:
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == digest)).first()
    if row is None or row.revoked_at or not row.user.is_active:
        return None
    grant = Grant(row.role, row.org_id)
    if grant not in {Grant(m.role, m.org_id) for m in row.user.memberships}:
        return None  # the role was withdrawn after the token was made
    user = row.user
    actor = Actor(
        kind=ActorKind.CITIZEN if user.is_citizen else ActorKind.USER,
        name=user.display_name,
        user_id=user.id,
        grants=frozenset({grant}),
        personal_code=user.personal_code,
        token_id=row.id,
    )
    return _TokenHolder(actor, row.expires_at, row.last_used_at)


def _mark_used(session: Session, token_id: int | None, now: datetime) -> None:
    """Record a token's use in a short transaction of its own, best effort. The request's own
    transaction has only read so far; on SQLite it cannot start writing once another process
    has written meanwhile ("database is locked"), which busy data APIs do all the time."""
    try:
        with Session(bind=session.get_bind(), join_transaction_mode="create_savepoint") as own:
            own.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
            own.commit()
    except OperationalError:
        return  # the mark is a convenience; the next use tries again


# --- API tokens ------------------------------------------------------------------------------


def create_token(*, session: Session, actor: Actor, data: TokenCreate) -> tuple[ApiToken, str]:
    """Make a bearer token for one of the actor's own roles; the secret is returned once."""
    require(actor, MANAGE_OWN_TOKENS)
    return _make_token(session, actor, data)


def issue_token_for(
    *, session: Session, actor: Actor, username: str, data: TokenCreate
) -> tuple[ApiToken, str]:
    """An administrator (or the CLI's system actor) makes a token for one of a user's roles."""
    require(actor, MANAGE_USERS)
    return _make_token(session, actor_for_user(_user_by_name(session, username)), data)


def _make_token(session: Session, actor: Actor, data: TokenCreate) -> tuple[ApiToken, str]:
    org_id = None
    if data.org:
        org = orgs_service.find_by_short_name(session, data.org)
        if org is None:
            raise Invalid(
                _("Organisation {name} does not exist.", name=data.org),
                errors={"org": _("Unknown organisation.")},
            )
        org_id = org.id
    if Grant(data.role, org_id) not in actor.grants:
        raise Invalid(
            _("You can only make a token for a role you hold in that organisation."),
            errors={"role": _("You do not hold this role there.")},
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=actor.user_id,
        org_id=org_id,
        role=data.role,
        name=data.name,
        prefix=secret[:12],
        token_hash=_digest(secret),
        expires_at=clock.now() + timedelta(days=data.expires_days) if data.expires_days else None,
    )
    session.add(token)
    session.flush()
    return token, secret


def list_tokens(*, session: Session, actor: Actor) -> list[ApiToken]:
    """The actor's own tokens, newest first (secrets are never shown again)."""
    require(actor, MANAGE_OWN_TOKENS)
    stmt = select(ApiToken).where(ApiToken.user_id == actor.user_id).order_by(ApiToken.id.desc())
    return list(session.scalars(stmt))


def revoke_token(*, session: Session, actor: Actor, token_id: int) -> ApiToken:
    """Revoke one of the actor's tokens; it stops working at once."""
    require(actor, MANAGE_OWN_TOKENS)
    token = session.get(ApiToken, token_id)
    # 404 for other people's tokens: their existence is not the actor's business.
    if token is None or (token.user_id != actor.user_id and not actor.is_admin):
        raise NotFound(_("No such token."))
    if token.revoked_at is None:
        token.revoked_at = clock.now()
    session.flush()
    return token
