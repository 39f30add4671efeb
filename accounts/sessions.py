"""Server-side web sessions: a random token in the cookie, only its SHA-256 in the database.

A session ends at logout, after `session_idle_minutes` without a request,
`session_absolute_hours` after login whatever the activity, and at once when
the user is disabled or their password changes (`revoke_user_sessions`).
Each session also holds the CSRF synchronizer token its forms must carry.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, joinedload

from dtrack.workflow.account_models import WebSession
from dtrack.workflow.database import Database
from dtrack.workflow.errors import NotAuthenticated
from dtrack.workflow.models import User
from dtrack.workflow.settings import Settings

COOKIE = "dtrack_session"
# last_seen_at is written at most this often: a page view is a read, not a write each time.
TOUCH_EVERY = timedelta(seconds=60)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta
    absolute: timedelta

    @classmethod
    def of(cls, settings: Settings) -> SessionPolicy:
        return cls(timedelta(minutes=settings.session_idle_minutes), timedelta(hours=settings.session_absolute_hours))


def start_session(session: Session, user: User, now: datetime, policy: SessionPolicy, *, ip: str | None = None,
                  user_agent: str | None = None, old_token: str | None = None) -> str:
    """A new session for `user` (the token to put in the cookie); an earlier one of this browser ends."""
    if old_token:
        session.execute(update(WebSession).where(WebSession.token_hash == digest(old_token),
                                                 WebSession.revoked_at.is_(None)).values(revoked_at=now))
    token = new_token()
    session.add(WebSession(token_hash=digest(token), user_id=user.id, csrf_token=secrets.token_urlsafe(32),
                           created_at=now, last_seen_at=now, expires_at=now + policy.absolute, ip=ip,
                           user_agent=(user_agent or "")[:200] or None))
    return token


@dataclass(frozen=True)
class Current:
    """The logged-in user of a request."""

    session_id: int
    csrf_token: str
    user: User  # loaded with its province; detached (read-only) once the lookup's transaction ends


# Built once: the statement (and its loader options) is the same on every request, only the hash differs.
_LOOKUP = (select(WebSession).options(joinedload(WebSession.user).joinedload(User.province))
           .where(WebSession.token_hash == bindparam("token_hash")))


def current(db: Database, token: str | None, now: datetime, policy: SessionPolicy) -> Current:
    """The session the cookie names, if it is still valid; NotAuthenticated otherwise."""
    if not token:
        raise NotAuthenticated()
    # One SELECT (session, user and province joined), and at most one UPDATE, each its own statement:
    # on every request, so no BEGIN/COMMIT round trips around them (`statement_session`). A disable or
    # a password change commits its revocation before it answers, so the next SELECT sees it.
    with db.statement_session() as session:
        row = session.scalars(_LOOKUP, {"token_hash": digest(token)}).one_or_none()
        if row is None or row.revoked_at is not None:
            raise NotAuthenticated("the session has ended")
        if row.user.disabled_at is not None:
            raise NotAuthenticated("the account is disabled")
        if now >= row.expires_at or now - row.last_seen_at >= policy.idle:
            row.revoked_at = now
            session.commit()
            raise NotAuthenticated("the session has expired")
        if now - row.last_seen_at >= TOUCH_EVERY:
            row.last_seen_at = now
            session.commit()
        return Current(row.id, row.csrf_token, row.user)


def end_session(session: Session, token: str, now: datetime) -> WebSession | None:
    row = session.scalars(select(WebSession).where(WebSession.token_hash == digest(token),
                                                   WebSession.revoked_at.is_(None))).one_or_none()
    if row is not None:
        row.revoked_at = now
    return row


def revoke_user_sessions(session: Session, user_id: int, now: datetime) -> int:
    """End every open session of a user (disabled, password changed)."""
    result = session.execute(update(WebSession).where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
                             .values(revoked_at=now))
    return result.rowcount or 0
