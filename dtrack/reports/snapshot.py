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
`workflow.timeliness.classify`, never recomputed here. A province's report
keeps each task's events (notes, evidence, block reasons), so it replays them all.

The national report (Directive 20: 3,355 units, ~37,000 tasks, ~240,000
events at a million tasks) reads far less: `standing_snapshot` takes each
task's standing from its row, replaying only the tasks changed after the day
(`workflow.history.standing_rows`, the rule of every other view), reads tasks
as plain rows (`TaskRow`), and keeps only the events the report shows: those
after `since`, and the block, submission and not-applicable marks of the
tasks blocked, submitted or marked on the day. Its figures are the full
replay's (tests/reports/test_fast_national.py compares the two reports).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Row, select
from sqlalchemy.orm import Session, contains_eager

from dtrack.config.today import Today
from dtrack.persistence.models import Event, Province, Task, TaskGroup, task_key
from dtrack.workflow.assignments import find_directive
from dtrack.workflow.history import (
    IDS_PER_QUERY,
    STANDING_COLUMNS,
    assigned_by,
    fold,
    standing_rows,
)
from dtrack.workflow.timeliness import Timeliness, classify
from dtrack.workflow.vocabulary import DEPARTMENT_KIND, ApplicabilityTrigger, Owner, State, Trigger


@dataclass(frozen=True, slots=True)
class UnitRow:
    """What the national report reads of a unit (a province or commune, or the Department's unit)."""

    id: int
    slug: str
    name: str
    name_en: str
    region: str
    ordinal: int
    kind: str


@dataclass(frozen=True, slots=True)
class GroupRow:
    """What the national report reads of a task group."""

    id: int
    ordinal: int
    owner: str
    title_vi: str
    title_en: str


@dataclass(slots=True)
class TaskRow:
    """What the national report reads of a task, without the ORM (plain attributes: read ~500,000 times)."""

    id: int
    key: str
    group: GroupRow
    province: UnitRow
    province_id: int
    period: str
    due_on: date | None


@dataclass(slots=True)  # 37,000 of them in a national report: no __dict__ each for the collector to walk
class TaskSnapshot:
    task: Task | TaskRow
    state: str
    progress: int
    submitted_at: datetime | None
    completed_at: datetime | None
    # Up to the day, oldest first (Events, or rows of their columns: see `standing_snapshot` for which).
    events: Sequence[Event | Row] = field(default_factory=list)
    # Judged once the rest is known: `snapshot` and `standing_snapshot` set it before they return.
    timeliness: Timeliness = field(init=False)
    not_applicable_reason: str | None = None  # set while marked not applicable (as of the day)

    # Read once from the task: the national report asks for them some 150,000 times.
    ordinal: int = field(init=False)  # the group's
    department: bool = field(init=False)  # the Department's own task (a Department-owned group's one task)
    provinces_own: bool = field(init=False)  # a province's task of a province-owned group

    def __post_init__(self) -> None:
        self.ordinal = self.task.group.ordinal
        self.department = self.task.province.kind == DEPARTMENT_KIND
        self.provinces_own = not self.department and self.task.group.owner != Owner.DEPARTMENT

    @property
    def not_applicable(self) -> bool:
        return self.not_applicable_reason is not None

    @property
    def in_province_figures(self) -> bool:
        """Counted in the provinces' figures: the same rule as workflow.applicability.in_province_figures."""
        return self.not_applicable_reason is None and self.provinces_own

    def last_with(self, trigger: str) -> Event | None:
        return next((e for e in reversed(self.events) if e.trigger == trigger), None)


def snapshot(
    session: Session,
    directive_code: str,
    today: Today,
    *,
    province_id: int | None = None,
) -> list[TaskSnapshot]:
    """Every task assigned by `today`, as it stood at the end of it, ordered by province, group and period."""
    directive = find_directive(session, directive_code)
    query = (
        select(Task).join(Task.group).join(Task.province)
        .options(contains_eager(Task.group), contains_eager(Task.province))
        .where(TaskGroup.directive_id == directive.id, *assigned_by(today.day))
    )
    if province_id is not None:
        query = query.where(Task.province_id == province_id)
    tasks = list(session.scalars(query))
    until = today.ends_at()
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
        snap.timeliness = classify(snap.state, task.due_on, today, submitted_at=snap.submitted_at,
                                   completed_at=snap.completed_at, not_applicable=snap.not_applicable)
        result.append(snap)
    result.sort(key=lambda s: (s.task.province.ordinal, s.task.group.ordinal, s.task.period))
    return result


# The states whose last mark (the block's reason, the submission's evidence) the national report shows.
_SHOWN_WITH_MARK = (State.BLOCKED.value, State.SUBMITTED.value)
# The events `standing_snapshot` reads besides those after `since`: a task's last mark of each kind it shows.
_MARKS = (Trigger.BLOCK.value, Trigger.SUBMIT.value, ApplicabilityTrigger.EXEMPT.value)
_EVENT_COLUMNS = (Event.id, Event.task_id, Event.trigger, Event.from_state, Event.to_state, Event.progress,
                  Event.note, Event.evidence, Event.at)


def standing_snapshot(
    session: Session,
    directive_code: str,
    today: Today,
    *,
    since: datetime | None = None,
) -> list[TaskSnapshot]:
    """`snapshot` for the national report: the same tasks, states and timeliness, from rows, with fewer events.

    `events` holds every event from `since` to the end of the day, and all the
    block, submission and not-applicable events of the tasks blocked,
    submitted or marked not applicable on the day (so `last_with` finds the
    reason, the evidence and the mark the report shows); nothing else.
    """
    directive = find_directive(session, directive_code)
    # Plain Core on the session's connection (as `_shown_events`): rows without the ORM's loading machinery.
    connection = session.connection()
    groups = {g.id: GroupRow(*g) for g in connection.execute(
        select(TaskGroup.id, TaskGroup.ordinal, TaskGroup.owner, TaskGroup.title_vi, TaskGroup.title_en)
        .where(TaskGroup.directive_id == directive.id))}
    units = {p.id: UnitRow(*p) for p in connection.execute(
        select(Province.id, Province.slug, Province.name, Province.name_en, Province.region, Province.ordinal,
               Province.kind))}
    query = (select(*STANDING_COLUMNS, Task.group_id, Task.province_id, Task.period, Task.due_on)
             .join(TaskGroup, Task.group_id == TaskGroup.id).where(TaskGroup.directive_id == directive.id))
    until = today.ends_at()
    result, marked = [], []
    for row, standing in standing_rows(session, query, today, counting=False):
        group, unit = groups[row.group_id], units[row.province_id]
        task = TaskRow(row.id, task_key(directive.code, group.ordinal, unit.slug, row.period), group, unit,
                       row.province_id, row.period, row.due_on)
        snap = TaskSnapshot(task, standing.state, standing.progress, standing.submitted_at, standing.completed_at)
        if standing.not_applicable:
            snap.not_applicable_reason = ""  # its mark's note, read below
        if standing.not_applicable or standing.state in _SHOWN_WITH_MARK:
            marked.append(row.id)
        result.append(snap)
    by_task = _shown_events(session, directive.id, marked, since, until)
    for snap in result:
        snap.events = by_task.get(snap.task.id, ())  # most have none shown: one shared empty tuple
        if snap.not_applicable:  # as in `snapshot`: the reason is the last mark's note
            mark = snap.last_with(ApplicabilityTrigger.EXEMPT)
            snap.not_applicable_reason = (mark.note if mark else None) or ""
        snap.timeliness = classify(snap.state, snap.task.due_on, today, submitted_at=snap.submitted_at,
                                   completed_at=snap.completed_at, not_applicable=snap.not_applicable)
    result.sort(key=lambda s: (s.task.province.ordinal, s.task.group.ordinal, s.task.period))
    return result


def _shown_events(session: Session, directive_id: int, marked: list[int], since: datetime | None,
                  until: datetime) -> dict[int, list[Row]]:
    """Task id -> its events after `since`, and the marks (`_MARKS`) of the `marked` tasks; oldest first."""
    found: dict[int, Row] = {}
    connection = session.connection()
    if since is not None and since < until:
        for event in connection.execute(select(*_EVENT_COLUMNS).join(Task, Event.task_id == Task.id)
                                     .join(TaskGroup, Task.group_id == TaskGroup.id)
                                     .where(TaskGroup.directive_id == directive_id, Event.at >= since,
                                            Event.at < until)):
            found[event.id] = event
    ids = sorted(marked)
    for start in range(0, len(ids), IDS_PER_QUERY):
        for event in connection.execute(select(*_EVENT_COLUMNS).where(
                Event.task_id.in_(ids[start:start + IDS_PER_QUERY]), Event.trigger.in_(_MARKS), Event.at < until)):
            found[event.id] = event
    by_task: dict[int, list[Row]] = {}
    for event in sorted(found.values(), key=lambda e: (e.at, e.id)):
        by_task.setdefault(event.task_id, []).append(event)
    return by_task


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
