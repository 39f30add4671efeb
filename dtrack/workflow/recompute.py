"""Recomputing open tasks' deadlines under the working calendar in force.

The Government announces each year's Tết schedule, its make-up working days
(làm bù) and extra days off (nghỉ bù) after many deadlines are already set.
`recompute` applies the calendar in force (`WorkCalendar.of(settings)`) to every
open task whose deadline still comes from its group's rule, so a deadline
that now falls on a declared day off moves to the next working day (and a
"+N working days" count skips the new day off).

Left alone: completed tasks (their deadline is history, and moving it would
turn "done late" into "done on time"). A deadline an overseer set (an `extend`
event later than any `checkpoint` event) keeps its date unless that date has
become a day off: then it moves to the next working day, as the Civil Code
(art. 148) moves any deadline that ends on a day off. (A continuous task
extended for an earlier review checkpoint follows the rule again once it has
moved on.)

Each moved deadline gets one `recompute` event with the old and new deadline,
the person who caused it (the administrator who declared a day, the one who
ran the command; none when the scheduler does it) and their reason. `original_due_on`
moves with `due_on`: it is the directive's own legal deadline, the one
reports compare an extension with, and a correction of the calendar is not
an extension. Each task's UPDATE is guarded by the version read, so a task
changed meanwhile by someone else keeps that change and is reported as
skipped (run the command again to recompute it).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from dtrack.persistence.database import rows_matched
from dtrack.persistence.models import Directive, Event, Province, Task, TaskGroup, task_key
from dtrack.workflow.deadlines import (
    STATUTORY,
    Recurring,
    Rule,
    WorkCalendar,
    checkpoints,
    next_checkpoint,
    periods_open,
    rule_from_text,
)
from dtrack.workflow.reminders import cancel_stale
from dtrack.workflow.views import View
from dtrack.workflow.vocabulary import DeadlineTrigger, GroupKind, State


@dataclass(frozen=True)
class MovedDeadline(View):
    """One open task whose legal deadline differs under the calendar in force."""

    task_key: str
    from_due_on: date
    to_due_on: date
    province_name: str = ""  # how pages name the task: its province and its group's title
    title_vi: str = ""
    title_en: str = ""


@dataclass(frozen=True)
class Recomputation(View):
    """What `recompute` found (with `dry_run`, what it would change) as of a day."""

    as_of: date
    dry_run: bool
    examined: int  # open tasks with a deadline
    moved: list[MovedDeadline] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # task keys changed concurrently: left as they are


@dataclass(frozen=True)
class _Open:
    id: int
    version: int
    key: str
    state: str
    progress: int
    kind: str
    rule: Rule
    group_id: int
    province_id: int
    period: str
    assigned_on: date
    due_on: date
    original_due_on: date | None
    covers: str = "current"
    province_name: str = ""
    title_vi: str = ""
    title_en: str = ""

    def moved(self, to: date) -> MovedDeadline:
        return MovedDeadline(self.key, self.due_on, to, self.province_name, self.title_vi, self.title_en)


def _open_tasks(session: Session) -> list[_Open]:
    rows = session.execute(
        select(Task.id, Task.version, Directive.code, TaskGroup.ordinal, Province.slug, Task.period, Task.state,
               Task.progress, TaskGroup.kind, TaskGroup.deadline_rule, Task.group_id, Task.province_id,
               Task.assigned_on, Task.due_on, Task.original_due_on, TaskGroup.covers, Province.name,
               TaskGroup.title_vi, TaskGroup.title_en)
        .join(TaskGroup, Task.group_id == TaskGroup.id).join(Directive, TaskGroup.directive_id == Directive.id)
        .join(Province, Task.province_id == Province.id)
        .where(Task.state != State.COMPLETED.value, Task.due_on.is_not(None))
        .order_by(Task.id)
    ).all()
    return [_Open(r.id, r.version, task_key(r.code, r.ordinal, r.slug, r.period), r.state, r.progress, r.kind,
                  rule_from_text(r.deadline_rule), r.group_id, r.province_id, r.period, r.assigned_on, r.due_on,
                  r.original_due_on, r.covers, r.name, r.title_vi, r.title_en)
            for r in rows]


def _latest_deadline_events(session: Session, task_ids: list[int]) -> dict[int, tuple[str, date | None]]:
    """Task id -> (trigger, from_due_on) of its latest extend or checkpoint event."""
    triggers = (DeadlineTrigger.EXTEND.value, DeadlineTrigger.CHECKPOINT.value)
    latest: dict[int, tuple[str, date | None]] = {}
    # Chunked: a parameter list of every open task would pass SQLite's limit on large installations.
    for start in range(0, len(task_ids), 500):
        chunk = task_ids[start:start + 500]
        rows = session.execute(
            select(Event.task_id, Event.trigger, Event.from_due_on)
            .where(Event.task_id.in_(chunk), Event.trigger.in_(triggers)).order_by(Event.id)
        ).all()
        for task_id, trigger, from_due_on in rows:  # oldest first: the last one wins
            latest[task_id] = (trigger, from_due_on)
    return latest


class _Periods:
    """Recurring periods' legal deadlines, from each (group, province)'s first assignment as `open_periods` counts."""

    def __init__(self, session: Session, calendar: WorkCalendar | None) -> None:
        self.session = session
        self.calendar = calendar
        self._first: dict[int, dict[int, date]] = {}
        self._due: dict[tuple[int, date, date], dict[str, date]] = {}

    def due(self, task: _Open, rule: Recurring) -> date | None:
        if task.group_id not in self._first:
            self._first[task.group_id] = dict(self.session.execute(
                select(Task.province_id, func.min(Task.assigned_on)).where(Task.group_id == task.group_id)
                .group_by(Task.province_id)).all())
        first = self._first[task.group_id].get(task.province_id, task.assigned_on)
        # A period's task opens on the period's opening day, so the periods open
        # that day include it; the provinces assigned together share one computation.
        cache_key = (task.group_id, first, task.assigned_on)
        if cache_key not in self._due:
            periods = periods_open(rule, first, task.assigned_on, self.calendar, task.covers)
            self._due[cache_key] = {p.label: p.due_on for p in periods}
        return self._due[cache_key].get(task.period)


def _legal_due(task: _Open, latest: tuple[str, date | None] | None, periods: _Periods,
               calendar: WorkCalendar | None) -> date | None:
    """The task's deadline as its group's rule gives it on `calendar` (None: cannot tell, leave it)."""
    if task.kind == GroupKind.CONTINUOUS.value:
        # The checkpoint in force is the one after the review last accepted
        # (the checkpoint event's old deadline), as roll_checkpoints moved it;
        # before any review, the first checkpoint.
        previous = latest[1] if latest is not None else None
        if previous is None:
            return next(checkpoints(task.rule, task.assigned_on, calendar), None)
        return next_checkpoint(task.rule, task.assigned_on, previous, calendar)
    if isinstance(task.rule, Recurring):
        return periods.due(task, task.rule)
    return task.rule.due(task.assigned_on, calendar)


def recompute(session: Session, as_of: date, now: datetime, calendar: WorkCalendar | None = None,
              *, dry_run: bool = False, actor_id: int | None = None, note: str | None = None) -> Recomputation:
    """Move every open, rule-given deadline to the legal one on `calendar`; with `dry_run`, only say which.

    Runs in the caller's transaction (one for the batch); see the module
    docstring for which tasks it leaves alone and how a concurrent change wins.
    """
    tasks = _open_tasks(session)
    latest = _latest_deadline_events(session, [t.id for t in tasks])
    periods = _Periods(session, calendar)
    examined = 0
    planned: list[tuple[_Open, date]] = []
    for task in tasks:
        event = latest.get(task.id)
        examined += 1
        if event is not None and event[0] == DeadlineTrigger.EXTEND.value:
            # An overseer's date: not the rule's to change, only moved off a day off.
            new: date | None = (calendar or STATUTORY).next_working_day(task.due_on)
        else:
            new = _legal_due(task, event if task.kind == GroupKind.CONTINUOUS.value else None, periods, calendar)
        if new is not None and new != task.due_on:
            planned.append((task, new))
    if dry_run:
        return Recomputation(as_of, True, examined, [t.moved(new) for t, new in planned])
    moved: list[MovedDeadline] = []
    skipped: list[str] = []
    events: list[dict[str, Any]] = []
    for task, new in planned:
        original = new if task.original_due_on in (None, task.due_on) else task.original_due_on
        changed = rows_matched(session.execute(
            update(Task)
            .where(Task.id == task.id, Task.version == task.version)
            .values(due_on=new, original_due_on=original, updated_at=now, version=Task.version + 1)
            .execution_options(synchronize_session=False)
        ))
        if not changed:
            skipped.append(task.key)  # changed since we read it: that change stands
            continue
        moved.append(task.moved(new))
        events.append({
            "task_id": task.id, "actor_id": actor_id, "trigger": DeadlineTrigger.RECOMPUTE.value,
            "from_state": task.state, "to_state": task.state, "progress": task.progress,
            "note": note or f"Tính lại hạn theo lịch làm việc hiện hành: {task.due_on:%d/%m/%Y} -> {new:%d/%m/%Y}",
            "evidence": None, "at": now, "from_due_on": task.due_on, "to_due_on": new,
        })
    if events:
        session.connection().execute(insert(Event.__table__), events)
        # The reminders written for the old deadlines no longer apply.
        cancel_stale(session, now, [int(e["task_id"]) for e in events])
    return Recomputation(as_of, False, examined, moved, skipped)


__all__ = ["MovedDeadline", "Recomputation", "recompute"]
