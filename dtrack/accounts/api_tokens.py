"""Personal API tokens: made and revoked by their owner, hashed at rest, shown once, with an expiry.

A token is `dtk_` and 43 random URL-safe characters; the database keeps its
SHA-256 and its first characters (to tell tokens apart on the account
page). It acts as its owner, with exactly the owner's permissions: a
disabled owner's tokens stop working at once, and a new password (set by an
administrator, the command line or a one-time link) revokes them all, as it
ends the owner's web sessions (`revoke_user_tokens`): whoever knew the old
password may have made one. `last_used_at` is written at
most once a minute (a read should not be a write each time).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from dtrack.accounts.audit import AuthKind, record
from dtrack.accounts.sessions import digest, new_token
from dtrack.config.clock import Clock
from dtrack.errors import InvalidInput, NotAuthenticated, NotFound, because
from dtrack.persistence.account_models import ApiToken
from dtrack.persistence.database import Database, row_id
from dtrack.persistence.models import User
from dtrack.workflow.views import View

PREFIX = "dtk_"
MAX_DAYS = 366
MAX_NAME = 100
TOUCH_EVERY = timedelta(seconds=60)


class UnknownToken(NotFound):
    error_code = "unknown_token"
    kind = "token"


@dataclass(frozen=True)
class TokenView(View):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    active: bool


@dataclass(frozen=True)
class NewToken:
    token: str  # the secret, shown this once
    view: TokenView


def _view(row: ApiToken, now: datetime) -> TokenView:
    return TokenView(row.id, row.name, row.prefix, row.created_at, row.expires_at, row.last_used_at,
                     row.revoked_at is None and row.expires_at > now)


def check_token_request(name: str | None, days: str | int | None) -> tuple[str, int]:
    """The name and lifetime asked for, or InvalidInput naming the field."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput("token_name", "token_needs_name")
    if len(name) > MAX_NAME or any(ord(c) < 32 for c in name):
        raise InvalidInput("token_name", "token_name_too_long", max=MAX_NAME)
    try:
        lifetime = int(str(days).strip()) if days not in (None, "") else 90
    except ValueError:
        raise InvalidInput("token_days", "not_whole_number", value=days) from None
    if not 1 <= lifetime <= MAX_DAYS:
        raise InvalidInput("token_days", "token_days_range", value=lifetime, max=MAX_DAYS)
    return name, lifetime


def create_token(db: Database, clock: Clock, user_id: int, name: str | None, days: str | int | None) -> NewToken:
    """A new token for `user_id`; audited. The secret is in the result only."""
    name, lifetime = check_token_request(name, days)
    now = clock.now()
    secret = PREFIX + new_token()
    with db.session() as session:
        user = session.get(User, user_id)
        if user is None or user.disabled_at is not None:
            raise NotAuthenticated(because("account_disabled"))
        row = ApiToken(token_hash=digest(secret), user_id=user.id, name=name, prefix=secret[:10], created_at=now,
                       expires_at=now + timedelta(days=lifetime))
        session.add(row)
        session.flush()
        record(session, AuthKind.TOKEN_CREATED, now, actor_id=user.id, user_id=user.id, email=user.email,
               detail=f"{row.prefix}… {name!r}, {lifetime} days")
        return NewToken(secret, _view(row, now))


def revoke_token(db: Database, clock: Clock, user_id: int, token_id: int | str) -> TokenView:
    """End one of the user's own tokens at once; audited. Another user's token is 'unknown'."""
    now = clock.now()
    with db.session() as session:
        number = row_id(token_id)
        row = session.get(ApiToken, number) if number is not None else None
        if row is None or row.user_id != user_id:
            raise UnknownToken(str(token_id))
        if row.revoked_at is None:
            row.revoked_at = now
            record(session, AuthKind.TOKEN_REVOKED, now, actor_id=user_id, user_id=user_id, detail=f"{row.prefix}…")
        return _view(row, now)


def revoke_user_tokens(session: Session, user_id: int, now: datetime, *, actor_id: int | None,
                       why: str) -> int:
    """Revoke every live token of a user in the caller's transaction, one audit row each; how many."""
    rows = session.scalars(select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None),
                                                  ApiToken.expires_at > now).with_for_update()).all()
    for row in rows:
        row.revoked_at = now
        record(session, AuthKind.TOKEN_REVOKED, now, actor_id=actor_id, user_id=user_id,
               detail=f"{row.prefix}… ({why})")
    return len(rows)


def list_tokens(session: Session, user_id: int, now: datetime) -> list[TokenView]:
    rows = session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc()))
    return [_view(row, now) for row in rows]


def bearer_user(db: Database, header: str | None, now: datetime) -> User:
    """The user an `Authorization: Bearer` header acts as; NotAuthenticated for anything else."""
    scheme, _, secret = (header or "").partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret.startswith(PREFIX) or len(secret) > 100:
        raise NotAuthenticated(because("no_token"))
    with db.session() as session:
        row = session.scalars(select(ApiToken).options(joinedload(ApiToken.user).joinedload(User.province))
                              .where(ApiToken.token_hash == digest(secret))).one_or_none()
        if row is None or row.revoked_at is not None:
            raise NotAuthenticated(because("token_unknown"))
        if now >= row.expires_at:
            raise NotAuthenticated(because("token_expired"))
        if row.user.disabled_at is not None:
            raise NotAuthenticated(because("account_disabled"))
        if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
            session.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
        return row.user


__all__ = ["NewToken", "TokenView", "UnknownToken", "bearer_user", "create_token", "list_tokens", "revoke_token",
           "revoke_user_tokens"]
