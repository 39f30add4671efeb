"""Extending deadlines: one task, or a task group for many provinces, with a reason.

An extension is audited like a transition: in the same transaction as the
new `due_on` it writes an event with the trigger `extend` (a deadline
trigger, not a lifecycle one: from_state == to_state), the reason as its
note and the old and new deadline. `original_due_on` never changes, so
reports show both. The reminders for the old deadline are cancelled. A new
deadline that is not after the current one is refused, and nothing changes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from dtrack.workflow.clock import Clock
from dtrack.workflow.database import Database
from dtrack.workflow.errors import ConcurrentUpdate, InvalidInput, PermissionDenied
from dtrack.workflow.models import Directive, Event, Province, Task, TaskGroup
from dtrack.workflow.reminders import cancel_stale
from dtrack.workflow.service import check_text, conflict
from dtrack.workflow.tasks import find_task
from dtrack.workflow.users import find_user
from dtrack.workflow.vocabulary import DeadlineTrigger, Role


@dataclass(frozen=True)
class Extended:
    task_key: str
    from_due_on: date | None
    to_due_on: date
    original_due_on: date | None


def _check_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("--reason", "an extension needs a reason", 'add --reason "..." (it is kept in the audit trail)')
    check_text("--reason", reason)
    return reason


def extend(
    db: Database,
    clock: Clock,
    actor_email: str,
    new_due_on: date,
    reason: str | None,
    *,
    task_refs: list[str] | None = None,
    directive: str | None = None,
    group: int | None = None,
    provinces: list[Province] | None = None,
    period: str | None = None,
    expected_version: int | str | None = None,
) -> list[Extended]:
    """Move the deadline of the named tasks (or of a group for `provinces`) to `new_due_on`, all or nothing.

    With one named task, `expected_version` is the version the user saw: a
    task changed since is refused with `ConcurrentUpdate` (who, when).
    """
    reason = _check_reason(reason)
    now = clock.now()
    done: list[Extended] = []
    key = ", ".join(task_refs or []) or f"{directive}:{group}"
    try:
        with db.session() as session:
            actor = find_user(session, actor_email)
            tasks: list[Task] = []
            if task_refs:
                tasks = [find_task(session, ref)[0] for ref in task_refs]
            else:
                query = (select(Task).join(TaskGroup).join(Directive)
                         .where(Directive.code == directive, TaskGroup.ordinal == group))
                if provinces is not None:
                    query = query.where(Task.province_id.in_([p.id for p in provinces]))
                if period is not None:
                    query = query.where(Task.period == period)
                tasks = list(session.scalars(query.order_by(Task.id)))
                if not tasks:
                    raise InvalidInput("--group", f"no tasks of {directive} group {group} match",
                                       "see `dtrack tasks list --group N`")
            if actor.disabled_at is not None or actor.role not in (Role.OVERSEER, Role.ADMIN):
                raise PermissionDenied(actor.email, DeadlineTrigger.EXTEND, tasks[0].key,
                                       "only the Department's overseers may extend a deadline")
            if expected_version is not None and len(tasks) == 1 \
                    and str(tasks[0].version) != str(expected_version).strip():
                raise conflict(session, tasks[0].id, tasks[0].key, clock.tz)
            for task in tasks:
                if task.due_on is not None and new_due_on <= task.due_on:
                    raise InvalidInput(
                        "--to", f"{new_due_on:%d/%m/%Y} is not after the current deadline of {task.key} "
                        f"({task.due_on:%d/%m/%Y})", "an extension must move the deadline later",
                    )
            for task in tasks:
                old = task.due_on
                task.due_on = new_due_on
                task.updated_at = now
                session.add(Event(
                    task=task, actor=actor, trigger=DeadlineTrigger.EXTEND.value, from_state=task.state,
                    to_state=task.state, progress=task.progress, note=reason, at=now,
                    from_due_on=old, to_due_on=new_due_on,
                ))
                done.append(Extended(task.key, old, new_due_on, task.original_due_on))
            session.flush()
            cancel_stale(session, now, [t.id for t in tasks])
    except StaleDataError:
        raise ConcurrentUpdate(key) from None
    return done


__all__ = ["Extended", "extend"]
