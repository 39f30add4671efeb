"""The tasks as they stood at the end of a day, replayed from the audit trail.

A report as of a past day must show that day's states, not today's: each
task's state, progress and submission/acceptance times are replayed from
its events up to the end of the day (Asia/Ho_Chi_Minh) by
`workflow.history.fold`, the replay every other view uses, over the tasks
assigned by then (`workflow.history.assigned_by`); a task marked not
applicable on that day is kept, flagged, and left out of the counts by
`TaskSnapshot.in_province_figures` (the rule of `workflow.history.countable`
and `workflow.applicability.in_province_figures`). Deadlines are the ones in force now
(an extension is kept on the task); timeliness comes from
`workflow.timeliness.classify`, never recomputed here. The report keeps
each task's events (notes, evidence, block reasons), so it replays them all.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from dtrack.workflow.assignments import find_directive
from dtrack.workflow.clock import Clock
from dtrack.workflow.history import assigned_by, end_of_day, fold
from dtrack.workflow.models import Event, Task, TaskGroup
from dtrack.workflow.timeliness import Timeliness, classify
from dtrack.workflow.vocabulary import DEPARTMENT_KIND, ApplicabilityTrigger, Owner


@dataclass
class TaskSnapshot:
    task: Task
    state: str
    progress: int
    submitted_at: datetime | None
    completed_at: datetime | None
    events: list[Event] = field(default_factory=list)  # up to the day, oldest first
    timeliness: Timeliness | None = None
    not_applicable_reason: str | None = None  # set while marked not applicable (as of the day)

    @property
    def ordinal(self) -> int:
        return self.task.group.ordinal

    @property
    def not_applicable(self) -> bool:
        return self.not_applicable_reason is not None

    @property
    def department(self) -> bool:
        """The Department's own task (a Department-owned group's one task)."""
        return self.task.province.kind == DEPARTMENT_KIND

    @property
    def in_province_figures(self) -> bool:
        """Counted in the provinces' figures: the same rule as workflow.applicability.in_province_figures."""
        return not self.not_applicable and not self.department and self.task.group.owner != Owner.DEPARTMENT

    def last_with(self, trigger: str) -> Event | None:
        return next((e for e in reversed(self.events) if e.trigger == trigger), None)


def snapshot(
    session: Session,
    directive_code: str,
    as_of: date,
    clock: Clock,
    *,
    province_id: int | None = None,
    due_soon_days: int = 7,
) -> list[TaskSnapshot]:
    """Every task assigned by `as_of`, ordered by province, group and period."""
    directive = find_directive(session, directive_code)
    query = (
        select(Task).join(Task.group).join(Task.province)
        .options(contains_eager(Task.group), contains_eager(Task.province))
        .where(TaskGroup.directive_id == directive.id, *assigned_by(as_of))
    )
    if province_id is not None:
        query = query.where(Task.province_id == province_id)
    tasks = list(session.scalars(query))
    until = end_of_day(as_of, clock)
    events_query = (
        select(Event).join(Task).join(TaskGroup)
        .where(TaskGroup.directive_id == directive.id, Event.at < until).order_by(Event.at, Event.id)
    )
    if province_id is not None:
        events_query = events_query.where(Task.province_id == province_id)
    by_task: dict[int, list[Event]] = {}
    for event in session.scalars(events_query):
        by_task.setdefault(event.task_id, []).append(event)
    result = []
    for task in tasks:
        events = by_task.get(task.id, [])
        standing = fold(events)
        snap = TaskSnapshot(task, standing.state, standing.progress, standing.submitted_at, standing.completed_at,
                            events)
        if standing.not_applicable:  # as of the day (workflow.history.fold); its reason is the last mark's note
            mark = next(e for e in reversed(events) if e.trigger == ApplicabilityTrigger.EXEMPT)
            snap.not_applicable_reason = mark.note or ""
        snap.timeliness = classify(snap.state, task.due_on, as_of, due_soon_days=due_soon_days,
                                   submitted_at=snap.submitted_at, completed_at=snap.completed_at, clock=clock,
                                   not_applicable=snap.not_applicable)
        result.append(snap)
    result.sort(key=lambda s: (s.task.province.ordinal, s.task.group.ordinal, s.task.period))
    return result


def latest_per_cell(snaps: list[TaskSnapshot]) -> dict[tuple[int, int], TaskSnapshot]:
    """(province id, group ordinal) -> the task of the latest period (recurring groups have several).

    For showing a cell only: counts are made of every task (`per_cell`).
    """
    cells: dict[tuple[int, int], TaskSnapshot] = {}
    for snap in snaps:  # sorted by period within a cell, so the last one wins
        cells[(snap.task.province_id, snap.ordinal)] = snap
    return cells


def per_cell(snaps: list[TaskSnapshot]) -> dict[tuple[int, int], list[TaskSnapshot]]:
    """(province id, group ordinal) -> every task of the cell, oldest period first."""
    cells: dict[tuple[int, int], list[TaskSnapshot]] = {}
    for snap in snaps:
        cells.setdefault((snap.task.province_id, snap.ordinal), []).append(snap)
    return cells
