"""Issuing a document: its number from the register, its row, an audit row on each task it names.

All in the caller's one transaction (`issue_urge` flushes, the caller commits): if anything
fails, the number goes back to the register with the rollback and no task shows a letter that
was never sent. Only overseers and admins issue (workflow.access.check_oversight).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from dtrack.documents.model import OfficialDocument
from dtrack.documents.register import take_number
from dtrack.documents.task_documents import record_issued
from dtrack.documents.urge import UrgeLetter
from dtrack.persistence.document_models import IssuedDocument
from dtrack.persistence.models import Event, User
from dtrack.workflow.access import check_oversight
from dtrack.workflow.vocabulary import DocumentTrigger

URGE_KIND = "urge"


@dataclass(frozen=True)
class Issued:
    document: OfficialDocument  # with its number
    row: IssuedDocument
    reference: str  # "12/KC": what the tasks' history shows


def issue_urge(session: Session, letter: UrgeLetter, actor: User, now: datetime) -> Issued:
    """Number the letter and record it, with one `urge` event and its number on each task it names."""
    check_oversight(actor, "urge_letter")
    number = take_number(session, letter.issuer, letter.day.year)
    reference = f"{number}{letter.symbol}"
    row = IssuedDocument(issuer=letter.issuer, year=letter.day.year, number=number, symbol=letter.symbol,
                         kind=URGE_KIND, directive_id=letter.directive.id, province_id=letter.province.id,
                         issued_on=letter.day, issued_at=now, issued_by=actor.id,
                         addressee=letter.document.recipient, summary=letter.document.title, tasks=len(letter.tasks))
    session.add(row)
    session.flush()  # the row's id, for the tasks' document numbers
    record_issued(session, row, letter.sender, (t.task_id for t in letter.tasks), actor, now)
    for task in letter.tasks:
        session.add(Event(task_id=task.task_id, actor_id=actor.id, trigger=DocumentTrigger.URGE.value,
                          from_state=task.state, to_state=task.state, progress=task.progress, note=reference, at=now))
    session.flush()
    return Issued(letter.numbered(number), row, reference)
