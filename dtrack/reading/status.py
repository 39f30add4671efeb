"""The national picture: the provinces x task groups matrix and counts per region.

A cell is one (province, task group). A recurring group has a task per
period, so its cell SHOWS the latest period's state (and deadline status),
but it COUNTS every period: each cell carries how many tasks it holds and
how many of them are overdue, and every total is made of all the tasks
(`workflow.history.countable`), so the matrix agrees with `dtrack overdue`,
the four-cell matrix and the reports on the same day. A checkpoint a
continuous task has moved past counts as a completed task of its cell
(`workflow.checkpoints.judged_checkpoints`). States are those at
the end of the `Today` given (`workflow.history`), as in the reports.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from dtrack.config.today import Today
from dtrack.persistence.models import Province, Task, TaskGroup, task_key
from dtrack.workflow.applicability import department_tasks, province_units
from dtrack.workflow.assignments import find_directive
from dtrack.workflow.checkpoints import judged_checkpoints
from dtrack.workflow.history import STANDING_COLUMNS, standing_rows
from dtrack.workflow.timeliness import classify
from dtrack.workflow.views import plain
from dtrack.workflow.vocabulary import DeadlineStatus, Owner, Region, State

Cell = tuple[int, int]  # (province id, group ordinal)


@dataclass
class StatusMatrix:
    directive: str
    groups: list[int]
    provinces: list[Province]
    # cell -> state of the task it shows (a recurring group: its latest period).
    cells: dict[Cell, str] = field(default_factory=dict)
    # cell -> deadline status of that task as of `as_of`.
    timeliness: dict[Cell, DeadlineStatus] = field(default_factory=dict)
    as_of: date | None = None
    # cell -> (task id, task key) of the task the cell shows, for links.
    tasks: dict[Cell, tuple[int, str]] = field(default_factory=dict)
    # cell -> states of EVERY task of the cell; and their deadline statuses.
    all_states: dict[Cell, Counter[str]] = field(default_factory=dict)
    all_timeliness: dict[Cell, Counter[DeadlineStatus]] = field(default_factory=dict)
    # Cells whose shown task an overseer marked not applicable: shown as such. Not-applicable
    # tasks are in no count (all_states / all_timeliness leave them out).
    not_applicable: set[Cell] = field(default_factory=set)

    def _wanted(self, region: str | None) -> set[int]:
        return {p.id for p in self.provinces if region is None or p.region == region}

    def state_counts(self, region: str | None = None) -> Counter[str]:
        """States of every task (all periods) in the region or the country."""
        wanted = self._wanted(region)
        return sum((c for (pid, _), c in self.all_states.items() if pid in wanted), Counter())

    def timeliness_counts(self, region: str | None = None) -> Counter[DeadlineStatus]:
        """Deadline statuses of every task (all periods) in the region or the country."""
        wanted = self._wanted(region)
        return sum((c for (pid, _), c in self.all_timeliness.items() if pid in wanted), Counter())

    def task_count(self, cell: Cell) -> int:
        return sum(self.all_states.get(cell, Counter()).values())

    def overdue_count(self, cell: Cell) -> int:
        return self.all_timeliness.get(cell, Counter())[DeadlineStatus.OVERDUE]

    def to_json(self) -> dict[str, Any]:
        scopes = [*self.regions(), None]
        return plain({"directive": self.directive, "as_of": self.as_of, "provinces": [
            {"slug": p.slug, "region": p.region,
             "states": {str(g): self.cells.get((p.id, g)) for g in self.groups},
             "deadline": {str(g): self.timeliness.get((p.id, g)) for g in self.groups},
             # Every period of the cell, not only the one shown.
             "tasks": {str(g): self.task_count((p.id, g)) for g in self.groups},
             "overdue": {str(g): self.overdue_count((p.id, g)) for g in self.groups}}
            for p in self.provinces],
            "totals": {scope or "all": {
                "states": dict(sorted(self.state_counts(scope).items())),
                "deadline": {str(k): v for k, v in sorted(self.timeliness_counts(scope).items())}}
                for scope in scopes}})

    def regions(self) -> list[str]:
        present = {p.region for p in self.provinces}
        return [r.value for r in Region if r.value in present]


def status_units(region: str | None = None) -> Select[Province]:
    """The units the matrix has a row for (every province-level unit, or a region's), in display order."""
    query = select(Province).where(province_units()).order_by(Province.ordinal)
    return query if not region else query.where(Province.region == region)


def status_matrix(session: Session, directive_code: str, today: Today, region: str | None = None, *,
                  units: list[Province] | None = None) -> StatusMatrix:
    """The matrix as the tasks stood at the end of `today`, with their deadline statuses.

    `units`: the rows of these units only (a page of `status_units(region)`);
    its counts are then those units' alone.
    """
    directive = find_directive(session, directive_code)
    provinces = list(session.scalars(status_units(region))) if units is None else units
    # Department-owned groups have one task, the Department's (`department_work`): no province column.
    matrix = StatusMatrix(directive.code, [g.ordinal for g in directive.groups if g.owner != Owner.DEPARTMENT],
                          provinces, as_of=today.day)
    ids = {p.id for p in provinces}
    slugs = {p.id: p.slug for p in provinces}
    query = (select(*STANDING_COLUMNS, Task.province_id, TaskGroup.ordinal, Task.due_on, Task.period)
             .join(TaskGroup, Task.group_id == TaskGroup.id)
             .where(TaskGroup.directive_id == directive.id).order_by(Task.period))
    if region or units is not None:
        query = query.where(Task.province_id.in_(ids))
    # Not-applicable tasks too, to show their cell as such; they are left out of every count below.
    standings = list(standing_rows(session, query, today, counting=False))
    # The checkpoints these tasks have moved past (not every directive's: a million tasks' trails at scale).
    judged = judged_checkpoints(session, today, task_ids=[row[0] for row, _ in standings])
    for row, standing in standings:
        task_id, province_id, ordinal, due_on, period = row[0], row.province_id, row.ordinal, row.due_on, row.period
        if province_id not in ids:  # never the Department's unit: its tasks are `department_work`
            continue
        cell = (province_id, ordinal)
        exempt = standing.not_applicable  # as of the day
        # Ordered by period: the last one written is the latest period, the one the cell shows.
        matrix.cells[cell] = standing.state
        matrix.tasks[cell] = (task_id, task_key(directive.code, ordinal, slugs[province_id], period))
        if exempt:
            matrix.not_applicable.add(cell)
        else:
            matrix.not_applicable.discard(cell)
            matrix.all_states.setdefault(cell, Counter())[standing.state] += 1
        status = classify(standing.state, due_on, today, submitted_at=standing.submitted_at,
                          completed_at=standing.completed_at, not_applicable=exempt).status
        matrix.timeliness[cell] = status
        if not exempt:
            matrix.all_timeliness.setdefault(cell, Counter())[status] += 1
            for checkpoint in judged.get(task_id, ()):  # each a completed task of its period
                matrix.all_states[cell][State.COMPLETED.value] += 1
                matrix.all_timeliness[cell][checkpoint.timeliness(today).status] += 1
    return matrix


@dataclass(frozen=True)
class DepartmentTask:
    """One task of a Department-owned group: the Department's own work, apart from every province's."""

    task_id: int
    key: str
    group: int
    period: str
    title_vi: str
    title_en: str
    state: str
    due_on: date | None
    deadline_status: DeadlineStatus | None

    def to_json(self) -> dict[str, Any]:
        return plain({"key": self.key, "group": self.group, "period": self.period, "title_vi": self.title_vi,
                      "title_en": self.title_en, "state": self.state, "due_on": self.due_on,
                      "deadline_status": self.deadline_status})


def department_work(session: Session, directive_code: str, today: Today | None = None) -> list[DepartmentTask]:
    """The Department's own tasks of a directive (its overseers' views and the national report)."""
    directive = find_directive(session, directive_code)
    rows = session.execute(
        select(Task.id, TaskGroup.ordinal, Task.period, TaskGroup.title_vi, TaskGroup.title_en, Task.state,
               Task.due_on, Task.submitted_at, Task.completed_at, Task.not_applicable_since, Province.slug)
        .join(TaskGroup, Task.group_id == TaskGroup.id).join(Province, Task.province_id == Province.id)
        .where(TaskGroup.directive_id == directive.id, department_tasks())
        .order_by(TaskGroup.ordinal, Task.period))
    return [DepartmentTask(
        task_id, task_key(directive.code, ordinal, slug, period), ordinal, period, title_vi, title_en, state, due_on,
        None if today is None else classify(state, due_on, today, submitted_at=submitted_at,
                                            completed_at=completed_at, not_applicable=exempt is not None).status)
        for task_id, ordinal, period, title_vi, title_en, state, due_on, submitted_at, completed_at, exempt, slug
        in rows]


