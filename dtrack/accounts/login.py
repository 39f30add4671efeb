"""Logging in and out: checked, throttled and audited.

Throttling never lets a stranger lock someone else out, and never tells
which email addresses have accounts:

- One (email, network address) pair may fail `login_max_attempts` password
  checks within `login_lockout_minutes`; the failure that reaches the limit,
  and every attempt after it, is answered "too many attempts, wait N minutes"
  without a password check. The pair is the unit, so a stranger's failures
  from one address do not stop the owner logging in from another. A success
  of the pair, or a new password for the email, starts the count afresh.
- One address may fail `login_max_failures_per_address` times within the same
  window whatever the emails it tried (someone spraying a few passwords over
  many accounts); it is then refused without a password check.

Both counts come from the audit trail (`auth_events`, one row per attempt,
with its email as typed and its address), so they hold across server
processes and need no table of their own, and they are counted by the email
*as typed*: an unknown email, a disabled account and a known one get the same
answers after the same number of tries, and the same hashing work (a dummy
Argon2 verify), so the form cannot be used to probe which addresses exist.
An attempt refused by the throttle is audited as `login_throttled` and is not
itself counted: the throttle limits password checks, and a user who retries
early is not kept waiting longer. (`users.failed_logins` and `locked_until`,
the per-account lock this replaces, are no longer read.)

The Argon2 work runs outside any database transaction, so no connection is
held while a password is hashed. A successful login starts a new session (the
browser's earlier one ends): the session id is rotated at every login.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from dtrack.accounts import passwords
from dtrack.accounts.audit import AuthKind, record
from dtrack.accounts.sessions import SessionPolicy, end_session, start_session
from dtrack.config.clock import Clock
from dtrack.config.settings import Settings
from dtrack.errors import AddressThrottled, DtrackError, LoginFailed, LoginThrottled
from dtrack.persistence.account_models import AuthEvent
from dtrack.persistence.database import Database
from dtrack.persistence.models import User

MAX_EMAIL = 254


@dataclass(frozen=True)
class LoggedIn:
    token: str
    user_id: int
    role: str
    locale: str


@dataclass(frozen=True)
class _Candidate:
    """What the password is checked against: a usable account's id and hash, or nothing (dummy work)."""

    user_id: int | None
    password_hash: str | None
    reason: str | None  # why no check can succeed (audited, never shown)


def authenticate(db: Database, clock: Clock, settings: Settings, email: str, password: str, *,
                 ip: str | None = None, user_agent: str | None = None, old_token: str | None = None) -> LoggedIn:
    """Check the email and password; start a session or raise LoginFailed / LoginThrottled / AddressThrottled."""
    email = (email or "").strip().lower()[:MAX_EMAIL]
    password = (password or "")[:passwords.MAX_LENGTH + 1]
    now = clock.now()
    candidate = _Candidate(None, None, "not looked up")
    with db.session() as session:
        refusal = _throttled(session, email, ip, now, settings)
        if refusal is not None:
            record(session, AuthKind.LOGIN_THROTTLED, now, email=email, ip=ip,
                   detail="address throttled" if isinstance(refusal, AddressThrottled) else "pair throttled")
        else:
            candidate = _candidate(session, email)
    if refusal is not None:  # audited and committed before it is reported
        raise refusal
    # The slow part, outside any transaction; an unknown email costs the same as a wrong password.
    rehashed: str | None = None
    if candidate.password_hash is None:
        passwords.waste_time(password)
        matched = False
    else:
        matched = passwords.verify(candidate.password_hash, password)
        if matched and passwords.needs_rehash(candidate.password_hash):
            rehashed = passwords.hash_password(password)
    result: LoggedIn | None = None
    with db.session() as session:
        user = session.get(User, candidate.user_id) if matched else None
        if user is not None and user.password_hash == candidate.password_hash and user.disabled_at is None:
            if rehashed is not None:
                user.password_hash = rehashed
            token = start_session(session, user, now, SessionPolicy.of(settings), ip=ip, user_agent=user_agent,
                                  old_token=old_token)
            record(session, AuthKind.LOGIN, now, actor_id=user.id, user_id=user.id, email=email, ip=ip)
            result = LoggedIn(token, user.id, user.role, user.locale)
        else:
            # A password changed or an account disabled while this one was being checked fails too.
            reason = candidate.reason or ("wrong password" if not matched else "account changed meanwhile")
            record(session, AuthKind.LOGIN_FAILED, now, user_id=candidate.user_id, email=email, ip=ip,
                   detail=reason)
            wait = _pair_wait(session, email, ip, now, settings)  # this failure included (autoflush)
            refusal = LoginThrottled(email, wait) if wait is not None else LoginFailed()
    if refusal is not None:
        raise refusal
    assert result is not None
    return result


def _candidate(session: Session, email: str) -> _Candidate:
    user = session.scalars(select(User).where(User.email == email)).one_or_none()
    if user is None:
        return _Candidate(None, None, "unknown email")
    if user.disabled_at is not None:
        return _Candidate(user.id, None, "disabled")
    if user.password_hash is None:
        return _Candidate(user.id, None, "no password set")
    return _Candidate(user.id, user.password_hash, None)


def _throttled(session: Session, email: str, ip: str | None, now: datetime, settings: Settings) -> DtrackError | None:
    """The refusal an attempt gets without a password check, or None if its password may be checked."""
    if ip:
        oldest = _kth_latest_failure(session, settings.login_max_failures_per_address, now, settings,
                                     AuthEvent.ip == ip)
        if oldest is not None:
            return AddressThrottled(ip, _minutes_until(oldest, now, settings))
    wait = _pair_wait(session, email, ip, now, settings)
    return LoginThrottled(email, wait) if wait is not None else None


def _pair_wait(session: Session, email: str, ip: str | None, now: datetime, settings: Settings) -> int | None:
    """Minutes the (email, address) pair must wait, or None while it has failures to spare."""
    same_ip = AuthEvent.ip == ip if ip else AuthEvent.ip.is_(None)
    # A success from this address, or a new password, starts the count afresh. Ids, not times: the
    # clock may show the same instant for the reset and the failures around it. Only a reset within
    # the window matters (older failures do not count anyway): the `at` index bounds the search.
    since = now - timedelta(minutes=settings.login_lockout_minutes)
    reset = session.scalar(select(func.max(AuthEvent.id)).where(
        AuthEvent.at > since, AuthEvent.email == email,
        or_(AuthEvent.kind == AuthKind.PASSWORD_SET.value, (AuthEvent.kind == AuthKind.LOGIN.value) & same_ip)))
    oldest = _kth_latest_failure(session, settings.login_max_attempts, now, settings,
                                 AuthEvent.email == email, same_ip, AuthEvent.id > (reset or 0))
    return _minutes_until(oldest, now, settings) if oldest is not None else None


def _kth_latest_failure(session: Session, k: int, now: datetime, settings: Settings, *where) -> datetime | None:
    """When the k-th most recent failed password check matching `where` within the window happened.

    None if there are fewer than k: the limit is not reached. Otherwise the
    throttle lasts until that failure leaves the window (then one is spare).
    """
    since = now - timedelta(minutes=settings.login_lockout_minutes)
    return session.scalar(select(AuthEvent.at).where(AuthEvent.kind == AuthKind.LOGIN_FAILED.value,
                                                     AuthEvent.at > since, *where)
                          .order_by(AuthEvent.at.desc(), AuthEvent.id.desc()).offset(k - 1).limit(1))


def _minutes_until(failed_at: datetime, now: datetime, settings: Settings) -> int:
    ends = failed_at + timedelta(minutes=settings.login_lockout_minutes)
    return max(1, math.ceil((ends - now).total_seconds() / 60))


def logout(db: Database, clock: Clock, token: str, ip: str | None = None) -> None:
    now = clock.now()
    with db.session() as session:
        row = end_session(session, token, now)
        if row is not None:
            record(session, AuthKind.LOGOUT, now, actor_id=row.user_id, user_id=row.user_id, ip=ip)
