"""Tables of the accounts feature (issue 10): web sessions, one-time links, the login audit.

They sit on the engine's metadata (`models.Base`) so the migrations and the
schema test cover them; the rules that use them live in `dtrack.accounts`.
Secrets are never stored: a session cookie or a link carries a random token
and only its SHA-256 is kept, so a copy of the database opens no account.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dtrack.persistence.models import Base, User, UTCDateTime


class WebSession(Base):
    """One logged-in browser: ends at logout, after idle or absolute expiry, or when revoked."""

    __tablename__ = "web_sessions"
    __table_args__ = (Index("ix_web_sessions_user", "user_id", "revoked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Synchronizer token: every POST of this session must carry it.
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)  # absolute end, whatever the activity
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship()


class AuthToken(Base):
    """A one-time link: an invitation (first password) or a password reset."""

    __tablename__ = "auth_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(10))  # invite | reset
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class AuthEvent(Base):
    """The accounts audit trail: append-only, like `events` for tasks."""

    __tablename__ = "auth_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # an accounts.audit.AuthKind
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # who did it (None: anonymous, the CLI)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)  # whose account
    email: Mapped[str | None] = mapped_column(String(254))  # as typed, for failed logins of unknown emails
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ip: Mapped[str | None] = mapped_column(String(45))
    detail: Mapped[str | None] = mapped_column(Text)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])


class ApiToken(Base):
    """A personal API token (`Authorization: Bearer`): only its SHA-256 is kept; shown once when made."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))  # what the user called it ("báo cáo tuần", "Power BI")
    prefix: Mapped[str] = mapped_column(String(12))  # the first characters, to tell tokens apart on the page
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
