"""The one-time link by mail: queued in the outbox (delivered by `dtrack outbox send`) when SMTP is set.

The outbox allows one account message per person and day. A new link ends
the earlier ones, so a second link the same day replaces the text of a
message not yet sent (it would carry a dead link); once one has been sent,
the second is not mailed and the command or page that made it shows it.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from dtrack.config.settings import Settings
from dtrack.i18n.catalog import text
from dtrack.notifications.outbox import enqueue
from dtrack.persistence.models import User
from dtrack.workflow.vocabulary import LANGUAGES, OutboxKind, OutboxState


def queue_link_mail(session: Session, user: User, link: str, settings: Settings, now: datetime, today: date,
                    purpose: str = "link") -> bool:
    """Queue the link for `user` when a mail server is configured; True when a message was queued.

    `purpose` "reset" words it as a password reset the user asked for, "link" as a new account's first password.
    """
    if settings.smtp_url is None:
        return False
    lang = user.locale if user.locale in LANGUAGES else "vi"
    subject = text(lang, f"account.{purpose}_subject")
    body = text(lang, f"account.{purpose}_body", name=user.name, email=user.email, link=link,
                hours=settings.invite_valid_hours)
    row, created = enqueue(session, user.email, OutboxKind.ACCOUNT, today, subject, body, recipient_name=user.name,
                           mail_from=settings.mail_from, now=now)
    if not created and row.state == OutboxState.PENDING.value:
        row.subject, row.body_text = subject, body
        return True
    return created
