"""Logging in and out: checked, throttled and audited.

After `login_max_attempts` failed logins in a row an account waits
`login_lockout_minutes` (and is told so) before it may try again; a success
resets the count. One network address that fails `login_max_failures_per_address`
times within `login_lockout_minutes` (whatever accounts it tried) is refused
without a password check until its failures age out of that window; the
count comes from the audit trail, so it holds across server processes.
An unknown email costs the same hashing work as a wrong
password and gets the same answer, so the form cannot be used to probe
which addresses exist. A successful login starts a new session (the
browser's earlier one ends): the session id is rotated at every login.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from dtrack.accounts import passwords
from dtrack.accounts.audit import AuthKind, record
from dtrack.accounts.sessions import SessionPolicy, end_session, start_session
from dtrack.workflow.clock import Clock
from dtrack.workflow.database import Database
from dtrack.workflow.account_models import AuthEvent
from dtrack.workflow.errors import AddressThrottled, DtrackError, LoginFailed, LoginThrottled
from dtrack.workflow.models import User
from dtrack.workflow.settings import Settings

MAX_EMAIL = 254


@dataclass(frozen=True)
class LoggedIn:
    token: str
    user_id: int
    role: str
    locale: str


def authenticate(db: Database, clock: Clock, settings: Settings, email: str, password: str, *,
                 ip: str | None = None, user_agent: str | None = None, old_token: str | None = None) -> LoggedIn:
    """Check the email and password; start a session or raise LoginFailed / LoginThrottled."""
    email = (email or "").strip().lower()[:MAX_EMAIL]
    password = (password or "")[:passwords.MAX_LENGTH + 1]
    now = clock.now()
    refusal: DtrackError | None = None
    result: LoggedIn | None = None
    with db.session() as session:
        user = session.scalars(select(User).where(User.email == email).with_for_update()).one_or_none()
        if ip and _address_failures(session, ip, now, settings) >= settings.login_max_failures_per_address:
            record(session, AuthKind.LOGIN_FAILED, now, user_id=user.id if user else None, email=email, ip=ip,
                   detail="address throttled")
            refusal = AddressThrottled(ip, settings.login_lockout_minutes)
        elif user is None or user.password_hash is None or user.disabled_at is not None:
            passwords.waste_time(password)
            reason = "unknown email" if user is None else ("disabled" if user.disabled_at else "no password set")
            record(session, AuthKind.LOGIN_FAILED, now, user_id=user.id if user else None, email=email, ip=ip,
                   detail=reason)
            refusal = LoginFailed()
        elif user.locked_until is not None and user.locked_until > now:
            minutes = max(1, math.ceil((user.locked_until - now).total_seconds() / 60))
            record(session, AuthKind.LOGIN_FAILED, now, user_id=user.id, email=email, ip=ip, detail="locked")
            refusal = LoginThrottled(email, minutes)
        elif not passwords.verify(user.password_hash, password):
            user.failed_logins = (user.failed_logins or 0) + 1
            detail = f"wrong password ({user.failed_logins} in a row)"
            refusal = LoginFailed()
            if user.failed_logins >= settings.login_max_attempts:
                user.locked_until = now + timedelta(minutes=settings.login_lockout_minutes)
                user.failed_logins = 0
                detail += f"; locked for {settings.login_lockout_minutes} minutes"
                refusal = LoginThrottled(email, settings.login_lockout_minutes)
            record(session, AuthKind.LOGIN_FAILED, now, user_id=user.id, email=email, ip=ip, detail=detail)
        else:
            user.failed_logins = 0
            user.locked_until = None
            if passwords.needs_rehash(user.password_hash):
                user.password_hash = passwords.hash_password(password)
            token = start_session(session, user, now, SessionPolicy.of(settings), ip=ip, user_agent=user_agent,
                                  old_token=old_token)
            record(session, AuthKind.LOGIN, now, actor_id=user.id, user_id=user.id, email=email, ip=ip)
            result = LoggedIn(token, user.id, user.role, user.locale)
    # The failure is committed (count, lock, audit row) before it is reported.
    if refusal is not None:
        raise refusal
    assert result is not None
    return result


def _address_failures(session, ip: str, now, settings: Settings) -> int:
    """Failed logins from `ip` within the lockout window (read from the audit trail)."""
    since = now - timedelta(minutes=settings.login_lockout_minutes)
    return session.scalar(select(func.count()).select_from(AuthEvent).where(
        AuthEvent.kind == AuthKind.LOGIN_FAILED.value, AuthEvent.at > since, AuthEvent.ip == ip)) or 0


def logout(db: Database, clock: Clock, token: str, ip: str | None = None) -> None:
    now = clock.now()
    with db.session() as session:
        row = end_session(session, token, now)
        if row is not None:
            record(session, AuthKind.LOGOUT, now, actor_id=row.user_id, user_id=row.user_id, ip=ip)
