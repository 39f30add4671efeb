"""`dtrack report send`: a rendered report into the outbox, with a covering message.

The report travels as an attachment of one message per recipient; the
outbox (notifications.outbox) delivers it like a digest, with retries and a
stable Message-ID. Its key (recipient, "report", day) allows one report
email per person and day, so sending twice the same day queues nothing new.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dtrack.errors import InvalidInput
from dtrack.notifications.outbox import enqueue
from dtrack.persistence.models import User
from dtrack.reports.covering import covering_message
from dtrack.reports.document import Report
from dtrack.reports.render import render_file
from dtrack.workflow.users import find_user
from dtrack.workflow.vocabulary import OutboxKind, Role

DEPARTMENT = "department"


@dataclass(frozen=True)
class Queued:
    recipient: str
    outbox_id: int
    created: bool  # False: this recipient already had a report queued for that day


def recipients(session: Session, to: str) -> list[User]:
    """`department` (every overseer) or registered users' emails separated by commas."""
    if to.strip() == DEPARTMENT:
        found = list(session.scalars(select(User).where(User.role == Role.OVERSEER).order_by(User.email)))
        if not found:
            raise InvalidInput("recipients", "no_overseer")
        return found
    emails = [e for e in (part.strip() for part in to.split(",")) if e]
    if not emails:
        raise InvalidInput("recipients", "names_nobody")
    return [find_user(session, email) for email in emails]


def queue_report(session: Session, report: Report, fmt: str, to: str, *, mail_from: str, now: datetime,
                 rendered: tuple[str, str, bytes] | None = None) -> list[Queued]:
    """Render `report` once and put one message per recipient into the outbox.

    `rendered`: the file already made by a floor above (documents/: DOCX and PDF).
    """
    people = recipients(session, to)
    filename, mimetype, content = rendered or render_file(report, fmt)
    subject, body = covering_message(report, filename)
    queued = []
    for person in people:
        row, created = enqueue(session, person.email, OutboxKind.REPORT, report.as_of, subject, body,
                               attachments=[(filename, mimetype, content)], recipient_name=person.name,
                               mail_from=mail_from, now=now)
        queued.append(Queued(person.email, row.id, created))
    return queued
