"""Lists of communes' parts of tasks: a commune officer's home, a task's parts table, `dtrack part list`.

Who sees which parts is `workflow.parts.may_read_part`, said here as a
query: a commune officer their commune's, a province officer their
province's, overseers and admins all of them. One query per list, as plain
rows (the home of a Hà Nội officer may hold 126 parts per task).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dtrack.persistence.commune_models import Commune
from dtrack.persistence.models import Directive, Province, Task, TaskGroup, User, task_key
from dtrack.persistence.part_models import PartEvent, TaskPart
from dtrack.workflow import lifecycle
from dtrack.workflow.access import check_task, readable_task
from dtrack.workflow.part_rollup import Rollup, rollups
from dtrack.workflow.parts import part_key, readable_part
from dtrack.workflow.views import View
from dtrack.workflow.vocabulary import OWED_BY_PROVINCE, Owner, Role, State


@dataclass(frozen=True)
class PartView(View):
    """One part as lists show it."""

    id: int
    key: str
    task_key: str
    task_title: str
    commune: str  # official code
    commune_name: str
    instruction: str
    due_on: date
    state: str
    progress: int
    version: int
    overdue: bool
    updated_at: datetime


def list_parts(session: Session, actor: User, today: date, *, task: Task | None = None,
               state: str | None = None, part_id: int | None = None) -> list[PartView]:
    """The parts `actor` may see (of `task` when given: the caller checked it is readable), by deadline."""
    query = (select(TaskPart.id, TaskPart.instruction, TaskPart.due_on, TaskPart.state, TaskPart.progress,
                    TaskPart.version, TaskPart.updated_at, Commune.code.label("commune"),
                    Commune.name.label("commune_name"), Directive.code.label("directive"), TaskGroup.ordinal,
                    TaskGroup.title_vi, Province.slug, Task.period)
             .select_from(TaskPart).join(Commune, TaskPart.commune_id == Commune.id)
             .join(Task, TaskPart.task_id == Task.id).join(TaskGroup, Task.group_id == TaskGroup.id)
             .join(Directive, TaskGroup.directive_id == Directive.id).join(Province, Task.province_id == Province.id))
    if actor.disabled_at is not None:
        return []
    if actor.role == Role.COMMUNE:
        query = query.where(TaskPart.commune_id == actor.commune_id)
    elif actor.role == Role.PROVINCE:
        query = query.where(Task.province_id == actor.province_id)
    if task is not None:
        query = query.where(TaskPart.task_id == task.id)
    if state is not None:
        query = query.where(TaskPart.state == state)
    if part_id is not None:
        query = query.where(TaskPart.id == part_id)
    rows = session.execute(query.order_by(TaskPart.due_on, Commune.code, TaskPart.id))
    views = []
    for row in rows:
        key = task_key(row.directive, row.ordinal, row.slug, row.period)
        views.append(PartView(row.id, part_key(key, row.commune), key, row.title_vi, row.commune, row.commune_name,
                              row.instruction, row.due_on, row.state, row.progress, row.version,
                              row.state in OWED_BY_PROVINCE and row.due_on < today, row.updated_at))
    return views


@dataclass(frozen=True)
class PartLine(View):
    """One row of a part's history."""

    at: datetime
    actor: str | None
    trigger: str
    from_state: str
    to_state: str
    progress: int
    note: str | None
    evidence: str | None


def part_history(session: Session, part_id: int) -> list[PartLine]:
    """A part's audit trail, oldest first, with each actor's name."""
    rows = session.execute(select(PartEvent.at, User.name, PartEvent.trigger, PartEvent.from_state,
                                  PartEvent.to_state, PartEvent.progress, PartEvent.note, PartEvent.evidence)
                           .outerjoin(User, PartEvent.actor_id == User.id)
                           .where(PartEvent.part_id == part_id).order_by(PartEvent.id))
    return [PartLine(*row) for row in rows]


@dataclass(frozen=True)
class PartDetail(View):
    """One part with its history and the actions its reader may take (the API's part, `part show --json`)."""

    part: PartView
    allowed: list[str]
    history: list[PartLine]

    def to_json(self) -> dict[str, Any]:
        """The part's fields, flat as a task's detail is, with `allowed` and `history`."""
        return {**self.part.to_json(), "allowed": list(self.allowed), "history": [h.to_json() for h in self.history]}


def part_detail(session: Session, actor: User, ref: str, today: date) -> PartDetail:
    """The part named by `ref` if `actor` may see it (`UnknownPart` otherwise), as a reader sees it."""
    part = readable_part(session, actor, ref)
    task = part.task
    owns = actor.role == Role.COMMUNE and actor.commune_id == part.commune_id
    judges = actor.role == Role.PROVINCE and actor.province_id == task.province_id
    allowed = lifecycle.current().allowed_for(part.state, actor.role, owns, judges)
    view = list_parts(session, actor, today, part_id=part.id)[0]
    return PartDetail(view, allowed, part_history(session, part.id))


def task_parts(session: Session, actor: User, ref: str, today: date) -> list[PartView]:
    """The parts of the task named by `ref`, if `actor` may read the task (a commune officer may not: 404)."""
    task = readable_task(session, actor, ref)
    return list_parts(session, actor, today, task=task)


@dataclass(frozen=True)
class PartsBlock:
    """The task page's parts: the roll-up, the parts, and the delegation form's choices when the caller may."""

    rollup: Rollup
    parts: list[PartView]
    communes: list[tuple[str, str]]  # (code, name) of the province's communes: the picker's list
    may_delegate: bool
    follows_parts: bool


def may_delegate(user: User, task: Task) -> bool:
    """Whether to offer the delegation form (the core checks again: `workflow.parts.check_may_delegate`)."""
    if user.disabled_at is not None or task.group.owner == Owner.DEPARTMENT or task.state == State.COMPLETED:
        return False
    return user.role == Role.ADMIN or (user.role == Role.PROVINCE and user.province_id == task.province_id)


def parts_block(session: Session, user: User, task: Task, today: date) -> PartsBlock | None:
    """A readable task's parts for its page; None for a task the Department carries out (it has no communes)."""
    if task.group.owner == Owner.DEPARTMENT:
        return None
    check_task(user, task)
    parts = list_parts(session, user, today, task=task)
    rollup = rollups(session, [task.id], today).get(task.id, Rollup())
    allowed = may_delegate(user, task)
    communes = [(row.code, row.name) for row in session.execute(
        select(Commune.code, Commune.name).where(Commune.province_id == task.province_id,
                                                 Commune.retired_at.is_(None)).order_by(Commune.code))] \
        if allowed else []
    return PartsBlock(rollup, parts, communes, allowed, task.progress_from_parts)


__all__ = ["PartDetail", "PartLine", "PartView", "PartsBlock", "list_parts", "may_delegate", "part_detail",
           "part_history", "parts_block", "task_parts"]
