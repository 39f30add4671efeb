"""The accounts audit trail: who logged in, failed, logged out, was invited, disabled, changed."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from dtrack.persistence.account_models import AuthEvent


class AuthKind(StrEnum):
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGIN_THROTTLED = "login_throttled"  # refused by the login throttle, no password checked
    LOGOUT = "logout"
    INVITED = "invited"
    RESET_ISSUED = "reset_issued"
    RESET_REQUESTED = "reset_requested"  # "Quên mật khẩu?" on the login page (accounts.forgot)
    PASSWORD_SET = "password_set"
    DISABLED = "disabled"
    ROLE_CHANGED = "role_changed"
    TOKEN_CREATED = "token_created"
    TOKEN_REVOKED = "token_revoked"
    MAIL_CHOSEN = "mail_chosen"  # the user chose what mail they get (accounts.preferences)
    FEED_RESET = "feed_reset"  # a new calendar-feed address; the old one stopped working


def record(session: Session, kind: AuthKind, now: datetime, *, actor_id: int | None = None,
           user_id: int | None = None, email: str | None = None, ip: str | None = None,
           detail: str | None = None) -> AuthEvent:
    """Add one audit row to the caller's transaction (it commits or rolls back with the change)."""
    row = AuthEvent(kind=kind.value, actor_id=actor_id, user_id=user_id, email=(email or None) and email[:254],
                    at=now, ip=ip, detail=detail)
    session.add(row)
    return row
