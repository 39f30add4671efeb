"""Server-side web sessions: a random token in the cookie, only its SHA-256 in the database.

A session ends at logout, after `session_idle_minutes` without a request,
`session_absolute_hours` after login whatever the activity, and at once when
the user is disabled or their password changes (`revoke_user_sessions`; a new
password also revokes the user's API tokens, `api_tokens.revoke_user_tokens`).
Each session also holds the CSRF synchronizer token its forms must carry.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from sqlalchemy import Column, Row, bindparam, select, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from dtrack.config.settings import Settings
from dtrack.errors import NotAuthenticated, because
from dtrack.persistence.account_models import WebSession
from dtrack.persistence.database import Database, rows_matched
from dtrack.persistence.models import Province, User
from dtrack.persistence.snapshot_memo import SNAPSHOT_COLUMN, seen_by

COOKIE = "dtrack_session"
# last_seen_at is written at most this often (a page view is a read, not a write each time), and
# never less often than a twelfth of the idle limit: a session ends between 55 and 60 minutes
# after its last request with the default hour. Every write also makes the web's page memo
# (`web.page_memo`) render its pages afresh, so a hundred people reading write once in 3 s, not
# once in 0.6 s as with a touch a minute.
TOUCH_EVERY = timedelta(minutes=5)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta
    absolute: timedelta

    @property
    def touch_every(self) -> timedelta:
        """How stale last_seen_at may get: the idle limit ends a session at most this much early."""
        return min(TOUCH_EVERY, self.idle / 12)

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
    # What the lookup saw of the database (PostgreSQL's snapshot, read in the same statement; SQLite's
    # commit count in a server): a page rendered after it shows at least this state (`web.page_memo`).
    # None after a write, and on SQLite outside a server.
    snapshot: str | None
    _row: Row = field(repr=False)

    @property
    def user_id(self) -> int:
        return self._row[_FIRST_USER_COLUMN + _USER_ID]

    @property
    def locale(self) -> str:
        return self._row[_FIRST_USER_COLUMN + _USER_LOCALE]

    @property
    def email(self) -> str:
        """The user's email, what the core's functions take as the actor (no mapped object built)."""
        return self._row[_FIRST_USER_COLUMN + _USER_EMAIL]

    @cached_property
    def user(self) -> User:
        """The user with their province, detached (read-only), made from the lookup's row when first asked.

        A page answered from the page memo never asks: building the two mapped
        objects costs more than the rest of such a request.
        """
        user = _detached(User, _USER_COLUMNS, self._row, _FIRST_USER_COLUMN)
        province = (_detached(Province, _PROVINCE_COLUMNS, self._row, _FIRST_PROVINCE_COLUMN)
                    if user.province_id is not None else None)
        set_committed_value(user, "province", province)
        return user


def _detached(model: type, columns: tuple[Column, ...], row: Row, first: int) -> Any:
    """A mapped object from columns of a row, as if loaded by a session that has ended since."""
    instance = model(**{column.key: row[first + i] for i, column in enumerate(columns)})
    make_transient_to_detached(instance)
    return instance


# Built once: the same on every request, only the hash differs. Core, not the ORM: the columns of the
# session, then the user's, then the province's (none for an overseer), by position.
_SESSION_COLUMNS = (WebSession.id, WebSession.csrf_token, WebSession.revoked_at, WebSession.expires_at,
                    WebSession.last_seen_at)
_REVOKED_AT = 2
# What a request's actor needs; the password hash, the feed's and the login counters never travel
# with a request (reading them from this object raises: they are read where they are used).
_USER_NAMES = ("id", "email", "name", "role", "province_id", "locale", "disabled_at", "commune_id")
_USER_COLUMNS = tuple(User.__table__.c[name] for name in _USER_NAMES)
_USER_ID, _USER_EMAIL, _USER_LOCALE, _USER_DISABLED = map(_USER_NAMES.index, ("id", "email", "locale", "disabled_at"))
_PROVINCE_COLUMNS = tuple(Province.__table__.columns)
_FIRST_USER_COLUMN = len(_SESSION_COLUMNS)
_FIRST_PROVINCE_COLUMN = _FIRST_USER_COLUMN + len(_USER_COLUMNS)
_LOOKUP = (select(*_SESSION_COLUMNS, *_USER_COLUMNS, *_PROVINCE_COLUMNS)
           .join(User, User.id == WebSession.user_id).outerjoin(Province, Province.id == User.province_id)
           .where(WebSession.token_hash == bindparam("token_hash")))
_LOOKUP_SEEING = _LOOKUP.add_columns(SNAPSHOT_COLUMN)  # PostgreSQL: and what the statement saw, last
_SESSION_BY_ID = WebSession.__table__.c.id == bindparam("session_id")
_REVOKE = update(WebSession.__table__).where(_SESSION_BY_ID).values(revoked_at=bindparam("now"))
_TOUCH = update(WebSession.__table__).where(_SESSION_BY_ID).values(last_seen_at=bindparam("now"))


def current(db: Database, token: str | None, now: datetime, policy: SessionPolicy) -> Current:
    """The session the cookie names, if it is still valid; NotAuthenticated otherwise."""
    if not token:
        raise NotAuthenticated()
    # One SELECT (session, user and province joined), and at most one UPDATE, each its own statement:
    # on every request, so no BEGIN/COMMIT round trips around them (`statement_connection`). A disable
    # or a password change commits its revocation before it answers, so the next SELECT sees it.
    with db.statement_connection() as connection:
        seeing = not db.is_sqlite
        row = connection.execute(_LOOKUP_SEEING if seeing else _LOOKUP, {"token_hash": digest(token)}).first()
        if row is None or row[_REVOKED_AT] is not None:
            raise NotAuthenticated(because("session_ended"))
        session_id, csrf_token, _, expires_at, last_seen_at = row[:_FIRST_USER_COLUMN]
        if row[_FIRST_USER_COLUMN + _USER_DISABLED] is not None:
            raise NotAuthenticated(because("account_disabled"))
        if now >= expires_at or now - last_seen_at >= policy.idle:
            connection.execute(_REVOKE, {"session_id": session_id, "now": now})
            connection.commit()
            raise NotAuthenticated(because("session_expired"))
        if now - last_seen_at >= policy.touch_every:
            connection.execute(_TOUCH, {"session_id": session_id, "now": now})
            connection.commit()
            return Current(session_id, csrf_token, None, row)  # that write is in no snapshot read so far
        # PostgreSQL: read by the lookup itself; SQLite: the server's commit count (None without one).
        return Current(session_id, csrf_token, row[-1] if seeing else seen_by(db, connection), row)


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
    return rows_matched(result) or 0
