"""Extension requests: a province asks for a later deadline, the Department grants or refuses.

A province officer asks for one of their own province's open tasks, with a
reason and a proposed date after the deadline in force; a task has at most
one pending request. An overseer grants it, to the proposed date or
another one, or refuses it with a reason. Each step is one transaction with
its audit event (`vocabulary.RequestTrigger`); a grant moves the deadline
through the extension core (`extension.apply_extension`) in the same
transaction, so it obeys the same rule as a direct extension (later than
the deadline in force, never on a completed task) and writes the usual
`extend` event. A decision is taken once: two overseers deciding at the
same moment get one decision and one `RequestAlreadyDecided`.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import Select, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.exc import StaleDataError

from dtrack.config.clock import Clock
from dtrack.errors import (
    ConcurrentUpdate,
    DeadlineFinal,
    ExtensionAlreadyRequested,
    InvalidInput,
    PermissionDenied,
    RequestAlreadyDecided,
    UnknownExtensionRequest,
    because,
)
from dtrack.persistence.database import Database, row_id, rows_matched
from dtrack.persistence.models import Event, ExtensionRequest, Province, Task, User
from dtrack.workflow.access import check_active, check_province, check_task
from dtrack.workflow.calendar_days import calendar_in_force
from dtrack.workflow.deadlines import WorkCalendar
from dtrack.workflow.extension import Extended, apply_extension, check_may_extend, check_reason
from dtrack.workflow.service import check_text, owns
from dtrack.workflow.tasks import TaskView, find_task
from dtrack.workflow.users import find_user
from dtrack.workflow.views import View
from dtrack.workflow.vocabulary import RequestStatus, RequestTrigger, Role, State


@dataclass(frozen=True)
class RequestView(View):
    """An extension request as lists, pages, digests and JSON show it."""

    id: int
    task_id: int
    task_key: str
    title_vi: str
    title_en: str
    province: str
    province_name: str
    status: str
    requested_by: str
    requested_by_name: str
    requested_at: datetime
    current_due_on: date | None
    proposed_due_on: date
    reason: str
    decided_by: str | None
    decided_at: datetime | None
    granted_due_on: date | None
    decision_note: str | None

    @classmethod
    def of(cls, row: ExtensionRequest) -> RequestView:
        task = TaskView.of(row.task)
        return cls(
            id=row.id, task_id=row.task_id, task_key=task.key, title_vi=task.title_vi, title_en=task.title_en,
            province=task.province, province_name=task.province_name, status=row.status,
            requested_by=row.requested_by.email, requested_by_name=row.requested_by.name,
            requested_at=row.requested_at, current_due_on=row.current_due_on, proposed_due_on=row.proposed_due_on,
            reason=row.reason, decided_by=row.decided_by.email if row.decided_by else None,
            decided_at=row.decided_at, granted_due_on=row.granted_due_on, decision_note=row.decision_note,
        )


@dataclass(frozen=True)
class Decision(View):
    """A decided request, and the extension a grant applied (None for a refusal)."""

    request: RequestView
    extended: Extended | None = None


def _event(task: Task, actor: User, trigger: RequestTrigger, note: str | None, now: datetime) -> Event:
    return Event(task=task, actor=actor, trigger=trigger.value, from_state=task.state, to_state=task.state,
                 progress=task.progress, note=note, at=now)


def check_may_request(actor: User, task: Task) -> None:
    """Only the officers who carry the task out ask for more time: its province's, on an active account."""
    action = RequestTrigger.REQUEST_EXTENSION
    check_active(actor, action, task.key)
    if actor.role != Role.PROVINCE:
        raise PermissionDenied(actor.email, action, task.key, because("owner_requests"))
    if not owns(actor, task):
        raise PermissionDenied(actor.email, action, task.key, because("own_province_tasks_only"))


def may_request(actor: User, task: Task) -> bool:
    try:
        check_may_request(actor, task)
    except PermissionDenied:
        return False
    return task.state != State.COMPLETED


def request_extension(db: Database, clock: Clock, actor_email: str, task_ref: str, proposed: date,
                      reason: str | None) -> RequestView:
    """File a province's request to move `task_ref`'s deadline to `proposed` (one pending request per task)."""
    reason = check_reason(reason)
    now = clock.now()
    try:
        with db.session() as session:
            actor = find_user(session, actor_email)
            task, _ = find_task(session, task_ref)
            check_task(actor, task, task_ref)  # another province's task is unknown to them, as a missing one
            check_may_request(actor, task)
            if task.state == State.COMPLETED:
                raise DeadlineFinal(task.key)
            if task.due_on is not None and proposed <= task.due_on:
                raise InvalidInput("due_on", "proposed_not_after_deadline", new_due_on=proposed, task_key=task.key,
                                   due_on=task.due_on)
            pending = session.scalar(select(ExtensionRequest.id).where(ExtensionRequest.open_task_id == task.id))
            if pending is not None:
                raise ExtensionAlreadyRequested(task.key, pending)
            row = ExtensionRequest(task=task, open_task_id=task.id, status=RequestStatus.PENDING.value,
                                   requested_by=actor, requested_at=now, current_due_on=task.due_on,
                                   proposed_due_on=proposed, reason=reason)
            session.add(row)
            session.add(_event(task, actor, RequestTrigger.REQUEST_EXTENSION, f"→ {proposed:%d/%m/%Y}: {reason}", now))
            session.flush()
            return RequestView.of(row)
    except IntegrityError:
        # Another officer's request for the same task committed first (the unique open_task_id).
        with db.session() as session:
            task, _ = find_task(session, task_ref)
            pending = session.scalar(select(ExtensionRequest.id).where(ExtensionRequest.open_task_id == task.id))
            raise ExtensionAlreadyRequested(task.key, pending) from None


def _claim(session: Session, request_id: int, actor: User, status: RequestStatus, now: datetime,
           **values: object) -> ExtensionRequest:
    """Decide a pending request, once: a conditional UPDATE, so a concurrent decision finds it decided."""
    row = session.get(ExtensionRequest, request_id)
    if row is None:
        raise UnknownExtensionRequest(str(request_id))
    claimed = rows_matched(session.execute(
        update(ExtensionRequest)
        .where(ExtensionRequest.id == request_id, ExtensionRequest.status == RequestStatus.PENDING.value)
        .values(status=status.value, open_task_id=None, decided_by_id=actor.id, decided_at=now, **values)
        .execution_options(synchronize_session=False)
    ))
    if claimed != 1:
        session.refresh(row)
        raise RequestAlreadyDecided(request_id, row.status)
    session.refresh(row)
    return row


def _parse_id(ref: int | str) -> int:
    number = row_id(str(ref).strip().lstrip("#"))
    if number is None:
        raise UnknownExtensionRequest(str(ref))
    return number


def _pending_row(session: Session, request_id: int, task_id: int | None) -> ExtensionRequest:
    row = session.get(ExtensionRequest, request_id)
    if row is None or (task_id is not None and row.task_id != task_id):
        raise UnknownExtensionRequest(str(request_id))
    return row


def grant_request(db: Database, clock: Clock, actor_email: str, request_ref: int | str,
                  to: date | None = None, note: str | None = None, *, task_id: int | None = None,
                  calendar: WorkCalendar | None = None) -> Decision:
    """Grant a pending request: the deadline moves to `to` (default: the proposed date), audited twice.

    The `grant_extension` event records the decision; the `extend` event,
    written by the extension core, records the move with the request's reason.
    `task_id`, when given, must be the request's task (a page's form names both).
    A granted day that is a day off gives the next working day (`apply_extension`);
    `calendar` is the settings' calendar, the declared days are read here.
    """
    note = (note or "").strip() or None
    check_text("note", note)
    request_id = _parse_id(request_ref)
    now = clock.now()
    try:
        with db.session() as session:
            actor = find_user(session, actor_email)
            row = _pending_row(session, request_id, task_id)
            check_may_extend(actor, row.task.key)
            in_force = calendar_in_force(session, calendar)
            asked = to or row.proposed_due_on
            new_due = in_force.next_working_day(asked)
            row = _claim(session, request_id, actor, RequestStatus.GRANTED, now, granted_due_on=new_due,
                         decision_note=note)
            task = row.task
            words = f"→ {new_due:%d/%m/%Y}" + (f": {note}" if note else "")
            session.add(_event(task, actor, RequestTrigger.GRANT_EXTENSION, words, now))
            extended = apply_extension(session, actor, [task], asked, row.reason, now, calendar=in_force)[0]
            return Decision(RequestView.of(row), extended)
    except StaleDataError:
        raise ConcurrentUpdate(str(request_id), code="concurrent_request_update") from None


def refuse_request(db: Database, clock: Clock, actor_email: str, request_ref: int | str,
                   reason: str | None, *, task_id: int | None = None) -> Decision:
    """Refuse a pending request with a reason; the deadline stays as it is."""
    reason = check_reason(reason)
    request_id = _parse_id(request_ref)
    now = clock.now()
    with db.session() as session:
        actor = find_user(session, actor_email)
        row = _pending_row(session, request_id, task_id)
        check_may_extend(actor, row.task.key)
        row = _claim(session, request_id, actor, RequestStatus.REFUSED, now, decision_note=reason)
        session.add(_event(row.task, actor, RequestTrigger.REFUSE_EXTENSION, reason, now))
        session.flush()
        return Decision(RequestView.of(row))


def _query() -> Select[ExtensionRequest]:
    return select(ExtensionRequest).options(
        joinedload(ExtensionRequest.task), joinedload(ExtensionRequest.requested_by),
        joinedload(ExtensionRequest.decided_by))


def list_requests(session: Session, *, province: Province | None = None, pending_only: bool = False,
                  task_id: int | None = None, before: datetime | None = None) -> list[RequestView]:
    """Requests, pending first (oldest first: the longest waiting), then decisions (newest first).

    With `before` (the end of an --as-of day, `Today.ends_at`), as they stood then: the requests
    made before it, and a decision taken later not yet taken.
    """
    query = _query()
    if before is not None:
        query = query.where(ExtensionRequest.requested_at < before)
    if province is not None:
        query = query.join(Task, ExtensionRequest.task_id == Task.id).where(Task.province_id == province.id)
    if pending_only and before is None:
        query = query.where(ExtensionRequest.status == RequestStatus.PENDING.value)
    if task_id is not None:
        query = query.where(ExtensionRequest.task_id == task_id)
    views = [RequestView.of(r) for r in session.scalars(query.order_by(ExtensionRequest.id)).unique()]
    if before is not None:
        views = [_undecided(v) if v.decided_at is not None and v.decided_at >= before else v for v in views]
    pending = [v for v in views if v.status == RequestStatus.PENDING]
    if pending_only:
        return pending
    decided = sorted((v for v in views if v.status != RequestStatus.PENDING), key=lambda v: v.id, reverse=True)
    return pending + decided


def _undecided(view: RequestView) -> RequestView:
    """A request as it stood before its decision."""
    return replace(view, status=RequestStatus.PENDING.value, decided_by=None, decided_at=None, granted_due_on=None,
                   decision_note=None)


def visible_requests(session: Session, actor: User, *, province: Province | None = None,
                     pending_only: bool = False) -> list[RequestView]:
    """`list_requests` as `actor` may see it: a province officer their own province's only."""
    if actor.role == Role.PROVINCE:
        if actor.province is None:
            raise PermissionDenied(actor.email, "read", "extension_requests", because("no_province"))
        province = province or actor.province
    if province is not None:
        check_province(actor, province)
    else:
        check_active(actor, "read", "extension_requests")
    return list_requests(session, province=province, pending_only=pending_only)


__all__ = ["Decision", "RequestView", "check_may_request", "grant_request", "list_requests", "may_request",
           "refuse_request", "request_extension", "visible_requests"]
