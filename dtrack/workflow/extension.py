"""Extending deadlines: one task, or a task group for many provinces, with a reason.

An extension is audited like a transition: in the same transaction as the
new `due_on` it writes an event with the trigger `extend` (a deadline
trigger, not a lifecycle one: from_state == to_state), the reason as its
note and the old and new deadline. `original_due_on` never changes, so
reports show both. The reminders for the old deadline are cancelled. A new
deadline that is not after the current one is refused, and nothing changes.

An asked day that is a day off (a weekend, a holiday, a declared day off) is
not a deadline: the deadline is the next working day (Civil Code 2015,
art. 148, as for a rule's deadline), and `Extended.asked_on` keeps the asked
day so the front ends can say "30/04/2027 là ngày nghỉ, hạn là 04/05/2027".

A completed task's deadline is final (`DeadlineFinal`): moving it after
the fact would turn "completed late" into "completed on time" and inflate
the on-time rate. Named tasks that are completed are refused; a group
extension leaves the group's completed tasks out (they are done) and is
refused only if nothing open is left. An overseer who wants the work done
again reopens the task first.

`apply_extension` is the step inside a caller's transaction: granting a
province's extension request (`workflow.extension_requests`) goes through
it, so a grant and a direct extension are one rule.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from dtrack.config.clock import Clock
from dtrack.errors import ConcurrentUpdate, DeadlineFinal, InvalidInput, PermissionDenied, because
from dtrack.persistence.database import Database
from dtrack.persistence.models import Directive, Event, Province, Task, TaskGroup, User
from dtrack.workflow.access import check_task
from dtrack.workflow.calendar_days import calendar_in_force
from dtrack.workflow.deadlines import WorkCalendar
from dtrack.workflow.reminders import cancel_stale
from dtrack.workflow.service import check_text, conflict
from dtrack.workflow.tasks import find_task
from dtrack.workflow.users import find_user
from dtrack.workflow.vocabulary import DeadlineTrigger, Role, State


@dataclass(frozen=True)
class Extended:
    task_key: str
    from_due_on: date | None
    to_due_on: date  # the deadline now: the asked day, or the working day after it
    original_due_on: date | None
    asked_on: date  # the day asked for (differs from to_due_on when it is a day off)

    @property
    def moved_off_day_off(self) -> bool:
        return self.asked_on != self.to_due_on


def check_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("reason", "extension_needs_reason")
    check_text("reason", reason)
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
    calendar: WorkCalendar | None = None,
) -> list[Extended]:
    """Move the deadline of the named tasks (or of a group for `provinces`) to `new_due_on`, all or nothing.

    With one named task, `expected_version` is the version the user saw: a
    task changed since is refused with `ConcurrentUpdate` (who, when).
    `calendar` is the settings' calendar; the declared days are read here.
    """
    reason = check_reason(reason)
    now = clock.now()
    done: list[Extended] = []
    key = ", ".join(task_refs or []) or f"{directive}:{group}"
    try:
        with db.session() as session:
            actor = find_user(session, actor_email)
            tasks: list[Task] = []
            if task_refs:
                tasks = [find_task(session, ref)[0] for ref in task_refs]
                # Another province's task is unknown to them, as a missing one.
                for ref, task in zip(task_refs, tasks, strict=True):
                    check_task(actor, task, ref)
            else:
                query = (select(Task).join(TaskGroup).join(Directive)
                         .where(Directive.code == directive, TaskGroup.ordinal == group))
                if provinces is not None:
                    query = query.where(Task.province_id.in_([p.id for p in provinces]))
                if period is not None:
                    query = query.where(Task.period == period)
                # A completed task's deadline is final; a group extension moves the open ones.
                query = query.where(Task.state != State.COMPLETED.value)
                tasks = list(session.scalars(query.order_by(Task.id)))
                if not tasks:
                    raise InvalidInput("group", "no_open_tasks_in_group", directive=directive, group=group)
            check_may_extend(actor, tasks[0].key)
            if expected_version is not None and len(tasks) == 1 \
                    and str(tasks[0].version) != str(expected_version).strip():
                raise conflict(session, tasks[0].id, tasks[0].key, clock.tz)
            done = apply_extension(session, actor, tasks, new_due_on, reason, now,
                                   calendar=calendar_in_force(session, calendar))
    except StaleDataError:
        raise ConcurrentUpdate(key) from None
    return done


def check_may_extend(actor: User, task_key: str) -> None:
    """Deadlines are the Department's to move: overseers and admins, on an active account."""
    if actor.disabled_at is not None or actor.role not in (Role.OVERSEER, Role.ADMIN):
        raise PermissionDenied(actor.email, DeadlineTrigger.EXTEND, task_key, because("overseers_extend"))


def apply_extension(session: Session, actor: User, tasks: list[Task], asked_on: date, reason: str,
                    now: datetime, *, calendar: WorkCalendar, field: str = "due_on") -> list[Extended]:
    """Extend `tasks` inside the caller's transaction, all or nothing: the one extension rule.

    `reason` must already be checked (`check_reason`); `field` names the
    domain field a refusal is about; `calendar` is the one in force
    (`calendar_in_force`): the deadline is the first working day from `asked_on`.
    """
    check_may_extend(actor, tasks[0].key)
    new_due_on = calendar.next_working_day(asked_on)
    for task in tasks:
        if task.state == State.COMPLETED:
            raise DeadlineFinal(task.key, field)
        if task.due_on is not None and new_due_on <= task.due_on:
            raise InvalidInput(field, "not_after_deadline", new_due_on=new_due_on, task_key=task.key,
                               due_on=task.due_on)
    done: list[Extended] = []
    for task in tasks:
        old = task.due_on
        task.due_on = new_due_on
        task.updated_at = now
        session.add(Event(
            task=task, actor=actor, trigger=DeadlineTrigger.EXTEND.value, from_state=task.state,
            to_state=task.state, progress=task.progress, note=reason, at=now,
            from_due_on=old, to_due_on=new_due_on,
        ))
        done.append(Extended(task.key, old, new_due_on, task.original_due_on, asked_on))
    session.flush()
    cancel_stale(session, now, [t.id for t in tasks])
    return done


__all__ = ["Extended", "apply_extension", "check_may_extend", "check_reason", "extend"]
