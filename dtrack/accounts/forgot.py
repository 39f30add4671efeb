"""A forgotten password: "Quên mật khẩu?" on the login page mails a one-time reset link.

The link is the same one-time link an administrator's reset gives
(accounts.links: random token, only its hash stored, works once, expires
after `invite_valid_hours`; setting the password through it ends the user's
sessions and revokes their API tokens). It goes out through the outbox, so
it is delivered (and retried) like every other mail.

The page answers the same whatever was typed: an unknown address, a disabled
account and a real one all get "if an account has this address, a link is on
its way", so the form cannot tell a stranger which addresses have accounts.
Two limits keep it from being used against people, both counted from the
audit trail (`auth_events`, one `reset_requested` row per request):

- one account gets at most one link per `SPACING` (a stranger cannot keep
  killing the link the owner is about to open, nor fill their mailbox);
- one network address may ask `PER_ADDRESS` times an hour, whatever it typed.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from dtrack.accounts.audit import AuthKind, record
from dtrack.accounts.links import RESET, issue_link
from dtrack.accounts.mail import queue_link_mail
from dtrack.config.clock import Clock
from dtrack.config.settings import Settings
from dtrack.persistence.account_models import AuthEvent
from dtrack.persistence.database import Database
from dtrack.persistence.models import User

MAX_EMAIL = 254
SPACING = timedelta(minutes=15)
PER_ADDRESS = 10
WINDOW = timedelta(hours=1)


def request_reset(db: Database, clock: Clock, settings: Settings, email: str, *, ip: str | None = None) -> bool:
    """Queue a reset link for the account with `email` when there is one that may have it.

    True when a link was issued (tests and the audit read it; the page never
    shows it). Every request is audited, whether or not it sent anything.
    """
    email = (email or "").strip().lower()[:MAX_EMAIL]
    now = clock.now()
    with db.session() as session:
        asked = select(func.count()).select_from(AuthEvent).where(
            AuthEvent.kind == AuthKind.RESET_REQUESTED.value, AuthEvent.at > now - WINDOW)
        from_address = session.scalar(asked.where(AuthEvent.ip == ip)) if ip else 0
        user = session.scalars(select(User).where(User.email == email)).one_or_none() if email else None
        why = None
        if from_address is not None and from_address >= PER_ADDRESS:
            why = "address limit"
        elif user is None:
            why = "unknown email"
        elif user.disabled_at is not None:
            why = "disabled"
        elif settings.smtp_url is None:
            why = "no mail server"  # a link nobody receives would only end the one the administrator gave
        elif session.scalar(asked.where(AuthEvent.user_id == user.id, AuthEvent.detail == "link issued",
                                        AuthEvent.at > now - SPACING)):
            why = "asked recently"
        issued = why is None and user is not None
        if issued and user is not None:
            link = issue_link(session, user, RESET, now, settings)
            queue_link_mail(session, user, link, settings, now, clock.today(), purpose="reset")
            why = "link issued"  # the detail the spacing counts
        record(session, AuthKind.RESET_REQUESTED, now, user_id=user.id if user else None, email=email or None,
               ip=ip, detail=why)
        return issued
