"""One-time links: an invitation to set a first password, or a password reset.

The link carries a random token; only its SHA-256 is stored. A link works
once (the UPDATE that marks it used only matches an unused row, so two
clicks at once cannot both succeed) and expires after `invite_valid_hours`.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from dtrack.accounts import passwords
from dtrack.accounts.api_tokens import revoke_user_tokens
from dtrack.accounts.audit import AuthKind, record
from dtrack.accounts.sessions import digest, new_token, revoke_user_sessions
from dtrack.config.settings import Settings
from dtrack.errors import LinkInvalid, because
from dtrack.persistence.account_models import AuthToken
from dtrack.persistence.database import rows_matched
from dtrack.persistence.models import User

INVITE, RESET = "invite", "reset"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
MAX_TOKEN = 100


def base_url(settings: Settings) -> str:
    return (settings.base_url or DEFAULT_BASE_URL).rstrip("/")


def issue_link(session: Session, user: User, purpose: str, now: datetime, settings: Settings) -> str:
    """A new one-time link for `user`; earlier unused links of the user stop working."""
    session.execute(update(AuthToken).where(AuthToken.user_id == user.id, AuthToken.used_at.is_(None))
                    .values(used_at=now))
    token = new_token()
    session.add(AuthToken(token_hash=digest(token), user_id=user.id, purpose=purpose, created_at=now,
                          expires_at=now + timedelta(hours=settings.invite_valid_hours)))
    return f"{base_url(settings)}/invite/{token}"


def valid_link(session: Session, token: str, now: datetime) -> AuthToken:
    """The link's row if it can still be used; LinkInvalid otherwise."""
    if not token or len(token) > MAX_TOKEN:
        raise LinkInvalid(because("link_unknown"))
    row = session.scalars(select(AuthToken).options(joinedload(AuthToken.user))
                          .where(AuthToken.token_hash == digest(token))).one_or_none()
    if row is None:
        raise LinkInvalid(because("link_unknown"))
    if row.used_at is not None:
        raise LinkInvalid(because("link_used"))
    if now >= row.expires_at:
        raise LinkInvalid(because("link_expired"))
    if row.user.disabled_at is not None:
        raise LinkInvalid(because("account_disabled"))
    return row


def redeem(session: Session, token: str, password: str, confirm: str, now: datetime,
           ip: str | None = None) -> User:
    """Set the password through a link: the link is used up, the user's sessions end, audited."""
    row = valid_link(session, token, now)
    passwords.check_new_password(password, confirm, row.user.email)
    used = session.execute(update(AuthToken).where(AuthToken.id == row.id, AuthToken.used_at.is_(None))
                           .values(used_at=now))
    if rows_matched(used) != 1:
        raise LinkInvalid(because("link_used"))
    set_password_hash(session, row.user, password, now, actor_id=row.user.id, ip=ip, how=f"{row.purpose} link")
    return row.user


def set_password_hash(session: Session, user: User, password: str, now: datetime, *, actor_id: int | None,
                      ip: str | None = None, how: str = "") -> None:
    """Store a new (checked) password: the user's open sessions end, their API tokens are revoked."""
    user.password_hash = passwords.hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    ended = revoke_user_sessions(session, user.id, now)
    revoked = revoke_user_tokens(session, user.id, now, actor_id=actor_id, why="password changed")
    # The PASSWORD_SET row also restarts the login throttle's count for this email (`login`).
    record(session, AuthKind.PASSWORD_SET, now, actor_id=actor_id, user_id=user.id, email=user.email, ip=ip,
           detail=f"{how}; {ended} session(s) ended; {revoked} API token(s) revoked".strip("; "))
