"""Delegating parts of a province task to its communes, and naming a part.

A province officer (or an admin) hands a part of their province's task to
one or more communes of that province, or to all of them: what each must
do and by when. The date is a deadline like every other: moved off a day
off by the calendar in force (`calendar_days.calendar_in_force`), and never
later than the task's own deadline. A commune that already has a part of the
task keeps it (delegating again to "all communes" adds the missing ones).
The parts and one `delegate` audit row each are written in one transaction.

A part is named by its id or by `TASKKEY/COMMUNE` (`20/CT-BCT:2:ha-noi/00004`),
the commune by its code or its name as everywhere (`workflow.communes`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import CursorResult, insert, select, update
from sqlalchemy.orm import Session

from dtrack.config.clock import Clock
from dtrack.errors import ConcurrentUpdate, InvalidInput, NotFound, PermissionDenied, because
from dtrack.persistence.commune_models import Commune
from dtrack.persistence.database import Database, row_id
from dtrack.persistence.models import Event, Task, User
from dtrack.persistence.part_models import PartEvent, TaskPart
from dtrack.workflow.access import check_task
from dtrack.workflow.actions import INITIAL
from dtrack.workflow.calendar_days import calendar_in_force
from dtrack.workflow.communes import resolve_commune
from dtrack.workflow.deadlines import WorkCalendar, legal_deadline
from dtrack.workflow.inputs import check_text
from dtrack.workflow.part_rollup import follow_parts
from dtrack.workflow.tasks import find_task
from dtrack.workflow.users import find_user
from dtrack.workflow.views import View
from dtrack.workflow.vocabulary import Owner, PartTrigger, Role, State

SEPARATOR = "/"  # TASKKEY/COMMUNE: a directive code has "/" too (20/CT-BCT), so the last one separates


class UnknownPart(NotFound):
    """No part has this id or key, or the caller may not see it (the same answer, as for tasks)."""

    error_code = "unknown_part"
    kind = "part"


def part_key(task_key: str, commune_code: str) -> str:
    return f"{task_key}{SEPARATOR}{commune_code}"


def find_part(session: Session, ref: str) -> TaskPart:
    """The part named by its id or `TASKKEY/COMMUNE`; `UnknownPart` if there is none."""
    text = (ref or "").strip()
    if "\x00" in text:
        raise UnknownPart(text)
    number = row_id(text)
    if number is not None:
        found = session.get(TaskPart, number)
    else:
        task_ref, separator, commune_ref = text.rpartition(SEPARATOR)
        if not separator or not task_ref or not commune_ref:
            raise UnknownPart(text)
        try:
            task, _ = find_task(session, task_ref)
            commune = resolve_commune(session, commune_ref, task.province, include_retired=True)
        except (NotFound, InvalidInput):
            raise UnknownPart(text) from None
        found = session.scalar(select(TaskPart).where(TaskPart.task_id == task.id,
                                                      TaskPart.commune_id == commune.id))
    if found is None:
        raise UnknownPart(text)
    return found


def may_read_part(actor: User, part: TaskPart) -> bool:
    """Who sees a part: its commune's officer, its task's province officer, overseers and admins (active)."""
    if actor.disabled_at is not None:
        return False
    if actor.role in (Role.OVERSEER, Role.ADMIN):
        return True
    if actor.role == Role.COMMUNE:
        return actor.commune_id == part.commune_id
    return actor.role == Role.PROVINCE and actor.province_id == part.task.province_id


def readable_part(session: Session, actor: User, ref: str) -> TaskPart:
    """The part named by `ref` if `actor` may see it; else `UnknownPart`, as for a part that does not exist."""
    part = find_part(session, ref)
    if not may_read_part(actor, part):
        raise UnknownPart(ref.strip())
    return part


@dataclass(frozen=True)
class Delegated(View):
    """What a delegation did: the parts made (their keys), the communes that had one already, the deadline."""

    task_key: str
    due_on: date
    added: list[str]
    already: list[str]


def check_may_delegate(actor: User, task: Task) -> None:
    """The task's own province officer, or an admin, on an active account; a task the province carries out."""
    if actor.disabled_at is not None:
        raise PermissionDenied(actor.email, PartTrigger.DELEGATE, task.key, because("account_disabled"))
    if task.group.owner == Owner.DEPARTMENT:
        raise PermissionDenied(actor.email, PartTrigger.DELEGATE, task.key, because("department_group"))
    if actor.role != Role.ADMIN and not (actor.role == Role.PROVINCE and actor.province_id == task.province_id):
        raise PermissionDenied(actor.email, PartTrigger.DELEGATE, task.key, because("province_delegates"))


def part_due(raw: date, task: Task, today: date, calendar: WorkCalendar) -> date:
    """The part's deadline: `raw` moved off a day off; refused after the task's deadline or before today."""
    due = legal_deadline(raw, calendar)
    if task.due_on is not None and due > task.due_on:
        raise InvalidInput("due_on", "part_due_after_task", due=due, task_due=task.due_on)
    if due < today:
        raise InvalidInput("due_on", "part_due_past", due=due, today=today)
    return due


def delegate(db: Database, clock: Clock, actor_email: str, task_ref: str, communes: list[str] | None,
             due_on: date, instruction: str | None, *, calendar: WorkCalendar | None = None,
             progress_from_parts: bool | None = None) -> Delegated:
    """Give a part of the task to each of `communes` (codes or names; None: every commune of its province)."""
    instruction = (instruction or "").strip()
    if not instruction:
        raise InvalidInput("note", "part_needs_instruction")
    check_text("note", instruction)
    now = clock.now()
    with db.session() as session:
        actor = find_user(session, actor_email)
        task, _ = find_task(session, task_ref)
        check_task(actor, task, task_ref)  # a commune officer, another province: the task is missing to them
        check_may_delegate(actor, task)
        if task.state == State.COMPLETED:
            raise InvalidInput("task", "delegate_completed_task", task=task.key)
        due = part_due(due_on, task, clock.today(), calendar_in_force(session, calendar))
        if communes is None:
            chosen = list(session.scalars(select(Commune).where(Commune.province_id == task.province_id,
                                                                Commune.retired_at.is_(None)).order_by(Commune.code)))
        else:
            chosen = list({c.id: c for c in (resolve_commune(session, ref, task.province) for ref in communes
                                               if ref.strip())}.values())
        if not chosen:
            raise InvalidInput("communes", "no_communes", province=task.province.name)
        have = set(session.scalars(select(TaskPart.commune_id).where(TaskPart.task_id == task.id)))
        new = [c for c in chosen if c.id not in have]
        parts = [TaskPart(task_id=task.id, commune_id=c.id, instruction=instruction, due_on=due, state=INITIAL,
                          progress=0, version=1, delegated_by=actor.id, created_at=now, updated_at=now) for c in new]
        session.add_all(parts)
        session.flush()
        if parts:
            session.execute(insert(PartEvent), [
                {"part_id": p.id, "actor_id": actor.id, "trigger": PartTrigger.DELEGATE.value, "from_state": INITIAL,
                 "to_state": INITIAL, "progress": 0, "note": instruction, "evidence": None, "at": now} for p in parts])
        if progress_from_parts is not None and progress_from_parts != task.progress_from_parts:
            record_progress_source(session, actor, task, progress_from_parts, now)
        follow_parts(session.connection(), task.id)
        key = task.key
        return Delegated(key, due, [part_key(key, c.code) for c in new],
                         [part_key(key, c.code) for c in chosen if c.id in have])


def record_progress_source(session: Session, actor: User, task: Task, from_parts: bool, now: datetime) -> None:
    """Set whether the task's progress follows its parts, with its audit row (the task's history says it)."""
    moved: CursorResult[Any] = session.execute(update(Task).where(Task.id == task.id, Task.version == task.version)
                            .values(progress_from_parts=from_parts, version=task.version + 1, updated_at=now)
                            .execution_options(synchronize_session=False))  # type: ignore[assignment]
    if moved.rowcount != 1:
        raise ConcurrentUpdate(task.key)
    trigger = PartTrigger.FOLLOW_PARTS if from_parts else PartTrigger.TYPED_PROGRESS
    session.add(Event(task_id=task.id, actor_id=actor.id, trigger=trigger.value, from_state=task.state,
                      to_state=task.state, progress=task.progress, at=now))
    session.flush()
    session.expire(task)


def set_progress_source(db: Database, clock: Clock, actor_email: str, task_ref: str, from_parts: bool) -> str:
    """`record_progress_source` in its own transaction, by the task's province officer (or an admin); its key."""
    with db.session() as session:
        actor = find_user(session, actor_email)
        task, _ = find_task(session, task_ref)
        check_task(actor, task, task_ref)
        check_may_delegate(actor, task)
        key = task.key
        if from_parts != task.progress_from_parts:
            record_progress_source(session, actor, task, from_parts, clock.now())
            follow_parts(session.connection(), task.id)
    return key


__all__ = ["SEPARATOR", "Delegated", "UnknownPart", "check_may_delegate", "delegate", "find_part", "may_read_part",
           "part_due", "part_key", "readable_part", "record_progress_source", "set_progress_source"]
