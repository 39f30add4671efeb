"""An issued urge letter into the outbox: one message per officer of the province, the letter attached.

Only an issued letter (with its number) travels: a draft is the clerk's. The outbox delivers it
like a report (retries, a stable Message-ID); its key (recipient, "letter", day) allows one letter
per person and day, so queuing the same day twice adds nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dtrack.documents.issuing import Issued
from dtrack.documents.urge import UrgeLetter
from dtrack.errors import InvalidInput
from dtrack.i18n.catalog import Words
from dtrack.notifications.outbox import enqueue
from dtrack.persistence.models import User
from dtrack.workflow.vocabulary import OutboxKind, Role


@dataclass(frozen=True)
class QueuedLetter:
    recipient: str
    outbox_id: int
    created: bool  # False: this person already had a letter queued that day


def province_officers(session: Session, letter: UrgeLetter) -> list[User]:
    """The province's active officers, who receive the letter by email."""
    people = list(session.scalars(select(User).where(User.role == Role.PROVINCE.value,
                                                     User.province_id == letter.province.id,
                                                     User.disabled_at.is_(None)).order_by(User.email)))
    if not people:
        name = letter.province.name if letter.document.lang == "vi" else letter.province.name_en
        raise InvalidInput("recipients", "no_province_officer", province=name)
    return people


def queue_letter(session: Session, letter: UrgeLetter, issued: Issued, file: tuple[str, str, bytes], *,
                 mail_from: str, now: datetime) -> list[QueuedLetter]:
    """Queue the issued letter (`file`: name, MIME type, bytes) to each officer, in the issuing transaction."""
    words = Words(letter.document.lang, "document")
    summary = issued.document.title
    subject = words["letter_subject"].format(number=issued.reference, summary=summary)
    body = words["letter_body"].format(recipient=issued.document.recipient, issuer=letter.sender,
                                       number=issued.reference,
                                       date=letter.day.strftime("%d/%m/%Y"),
                                       summary_lower=summary[:1].lower() + summary[1:], file=file[0],
                                       n=len(letter.tasks), reply_by=letter.reply_by.strftime("%d/%m/%Y"))
    queued = []
    for person in province_officers(session, letter):
        row, created = enqueue(session, person.email, OutboxKind.LETTER, letter.day, subject, body,
                               attachments=[file], recipient_name=person.name, mail_from=mail_from, now=now)
        queued.append(QueuedLetter(person.email, row.id, created))
    return queued
