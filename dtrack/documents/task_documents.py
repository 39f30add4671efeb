"""The numbers and dates of documents exchanged about a task ("Số 123/BC-SCT ngày 10/11/2026").

A văn thư files every document by its number: the province's report to the Ministry, the Ministry's
letter back. `record_document` keeps one on a task (the province's officers for their own tasks,
overseers for any: `record_for` checks it; `may_record` asks the same so that a page offers its form
only then, and `form_defaults` fills that form as the CLI's example reads: the officer's Department,
or the overseeing body). The letters dtrack issues record theirs on each task they name
(`record_issued`, from documents/issuing.py, in the issuing transaction). The task's history and the
province report show them (`documents_of`).
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dtrack.errors import InvalidInput, NotFound, PermissionDenied
from dtrack.persistence.document_models import IssuedDocument, TaskDocument
from dtrack.persistence.models import Event, Task, User
from dtrack.reports.wording import directive_wording, province_in_text
from dtrack.workflow.access import check_active, check_task
from dtrack.workflow.inputs import check_text
from dtrack.workflow.tasks import find_task
from dtrack.workflow.vocabulary import DocumentTrigger, Role

IN, OUT = "in", "out"  # to the Ministry (a province's report), from it (a letter)
# "123/BC-SCT", "45/UBND-KT", "12/2026/TT-BCT": digits, then "/"-separated symbols of letters, digits and "-".
NUMBER = re.compile(r"^\d{1,6}(/[0-9A-ZĐ][0-9A-ZĐa-z.\-]{0,24}){1,3}$")
MAX_ISSUER = 200  # the column's width: a longer name is refused, not cut


@dataclass(frozen=True)
class DocumentLine:
    """A task's document as the history and the reports show it."""

    number: str
    issued_on: date
    issuer: str
    summary: str
    direction: str
    recorded_at: datetime


@dataclass(frozen=True)
class FormDefaults:
    """What the task page's form starts from: who issued the document, and which way it went."""

    issuer: str
    direction: str


def check_may_record(actor: User, task: Task, ref: str | None = None) -> None:
    """`actor` may record on `task`: who may read it (another province's task is unknown to an officer),
    with an active account that acts on province work."""
    check_task(actor, task, ref)
    check_active(actor, "record_document", task.key)


def may_record(actor: User, task: Task) -> bool:
    """Whether `record_for` lets `actor` record on `task` (its very check), so a page offers the form only then."""
    try:
        check_may_record(actor, task)
    except (NotFound, PermissionDenied):
        return False
    return True


def form_defaults(actor: User, task: Task) -> FormDefaults | None:
    """The form's start for `actor` on `task`, or None when they may not record there.

    A province officer most often records their Department's report to the Ministry ("Sở Công
    Thương tỉnh Cà Mau", going in); an overseer the overseeing body's letter (going out). The names
    are the directive's own, in Vietnamese as the document bears them, whatever the page's language.
    """
    if not may_record(actor, task):
        return None
    words = directive_wording(task.group.directive, "vi")
    if actor.role == Role.PROVINCE:
        return FormDefaults(f"{words.province.body} {province_in_text(task.province, 'vi')}", IN)
    return FormDefaults(words.national.body, OUT)


def check_number(number: str) -> str:
    text = " ".join(number.split()).removeprefix("Số").removeprefix("số").strip(" :")
    if not text:
        raise InvalidInput("number", "document_number_required")
    if not NUMBER.match(text):
        raise InvalidInput("number", "not_a_document_number", value=number)
    return text


def record_document(session: Session, task: Task, actor: User, number: str, issued_on: date, issuer: str,
                    summary: str, direction: str, now: datetime) -> TaskDocument:
    """Record a document on `task` (the caller has checked the actor may act on it and commits).

    Checked in the form's order (number, issuer, summary, direction), so a page says the first mistake.
    """
    checked = check_number(number)
    if not issuer.strip():
        raise InvalidInput("issuer", "issuer_required")
    if len(issuer.strip()) > MAX_ISSUER:
        raise InvalidInput("issuer", "too_long", length=len(issuer.strip()), max=MAX_ISSUER)
    check_text("issuer", issuer)
    check_text("summary", summary)
    if direction not in (IN, OUT):
        raise InvalidInput("direction", "not_a_direction", value=direction)
    row = TaskDocument(task_id=task.id, number=checked, issued_on=issued_on, issuer=issuer.strip(),
                       summary=summary.strip(), direction=direction, recorded_by=actor.id, recorded_at=now)
    session.add(row)
    # The task's audit trail says who recorded which number, in the same transaction (state unchanged).
    session.add(Event(task_id=task.id, actor_id=actor.id, trigger=DocumentTrigger.RECORD.value, from_state=task.state,
                      to_state=task.state, progress=task.progress, note=checked, at=now))
    session.flush()
    return row


def record_for(session: Session, actor: User, ref: str, number: str, issued_on: date, issuer: str, summary: str,
               direction: str, now: datetime) -> TaskDocument:
    """Record a document on the task `ref` names: its province's officers, or overseers and admins for any."""
    task, _ = find_task(session, ref)
    check_may_record(actor, task, ref)
    return record_document(session, task, actor, number, issued_on, issuer, summary, direction, now)


def record_issued(session: Session, issued: IssuedDocument, sender: str, task_ids: Iterable[int], actor: User,
                  now: datetime) -> None:
    """An issued letter's number on each task it names."""
    number = f"{issued.number}{issued.symbol}"
    for task_id in task_ids:
        session.add(TaskDocument(task_id=task_id, number=number, issued_on=issued.issued_on,
                                 issuer=sender[:200], summary=issued.summary, direction=OUT,
                                 issued_document_id=issued.id, recorded_by=actor.id, recorded_at=now))


def documents_of(session: Session, task_ids: Iterable[int]) -> dict[int, list[DocumentLine]]:
    """Each task's documents, oldest first."""
    ids = list(task_ids)
    found: dict[int, list[DocumentLine]] = defaultdict(list)
    for chunk in (ids[i:i + 5000] for i in range(0, len(ids), 5000)):
        for r in session.scalars(select(TaskDocument).where(TaskDocument.task_id.in_(chunk))
                                 .order_by(TaskDocument.issued_on, TaskDocument.id)):
            found[r.task_id].append(DocumentLine(r.number, r.issued_on, r.issuer, r.summary, r.direction,
                                                 r.recorded_at))
    return dict(found)
