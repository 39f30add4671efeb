"""The national picture: the provinces x task groups matrix and counts per region."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dtrack.workflow.applicability import department_tasks, province_units
from dtrack.workflow.assignments import find_directive
from dtrack.workflow.models import Province, Task, TaskGroup, task_key
from dtrack.workflow.timeliness import classify
from dtrack.workflow.views import plain
from dtrack.workflow.vocabulary import DeadlineStatus, Owner, Region


@dataclass
class StatusMatrix:
    directive: str
    groups: list[int]
    provinces: list[Province]
    # (province id, group ordinal) -> state; periodic groups show their latest period.
    cells: dict[tuple[int, int], str] = field(default_factory=dict)
    # (province id, group ordinal) -> deadline status as of `as_of` (when given).
    timeliness: dict[tuple[int, int], DeadlineStatus] = field(default_factory=dict)
    as_of: date | None = None
    # (province id, group ordinal) -> (task id, task key) of the task the cell shows, for links.
    tasks: dict[tuple[int, int], tuple[int, str]] = field(default_factory=dict)
    # Cells whose task an overseer marked not applicable: shown as such, left out of every count.
    not_applicable: set[tuple[int, int]] = field(default_factory=set)

    def state_counts(self, region: str | None = None) -> Counter:
        wanted = {p.id for p in self.provinces if region is None or p.region == region}
        return Counter(state for (pid, g), state in self.cells.items()
                       if pid in wanted and (pid, g) not in self.not_applicable)

    def timeliness_counts(self, region: str | None = None) -> Counter:
        wanted = {p.id for p in self.provinces if region is None or p.region == region}
        return Counter(status for (pid, g), status in self.timeliness.items()
                       if pid in wanted and (pid, g) not in self.not_applicable)

    def to_json(self) -> dict[str, Any]:
        return plain({"directive": self.directive, "as_of": self.as_of, "provinces": [
            {"slug": p.slug, "region": p.region,
             "states": {str(g): self.cells.get((p.id, g)) for g in self.groups},
             "deadline": {str(g): self.timeliness.get((p.id, g)) for g in self.groups}}
            for p in self.provinces]})

    def regions(self) -> list[str]:
        present = {p.region for p in self.provinces}
        return [r.value for r in Region if r.value in present]


def status_matrix(session: Session, directive_code: str, region: str | None = None,
                  as_of: date | None = None, due_soon_days: int = 7) -> StatusMatrix:
    """The matrix; with `as_of`, each cell also carries its deadline status."""
    directive = find_directive(session, directive_code)
    provinces_query = select(Province).where(province_units()).order_by(Province.ordinal)
    if region:
        provinces_query = provinces_query.where(Province.region == region)
    provinces = list(session.scalars(provinces_query))
    # Department-owned groups have one task, the Department's (`department_work`): no province column.
    matrix = StatusMatrix(directive.code, [g.ordinal for g in directive.groups if g.owner != Owner.DEPARTMENT],
                          provinces, as_of=as_of)
    ids = {p.id for p in provinces}
    rows = session.execute(
        select(Task.province_id, TaskGroup.ordinal, Task.state, Task.due_on, Task.submitted_at, Task.completed_at,
               Task.id, Task.period, Task.not_applicable_since)
        .join(TaskGroup)
        .where(TaskGroup.directive_id == directive.id)
        .order_by(Task.period)
    )
    slugs = {p.id: p.slug for p in provinces}
    for province_id, ordinal, state, due_on, submitted_at, completed_at, task_id, period, exempt in rows:
        if province_id in ids:  # never the Department's unit: its tasks are `department_work`
            matrix.cells[(province_id, ordinal)] = state
            if exempt is not None:
                matrix.not_applicable.add((province_id, ordinal))
            else:
                matrix.not_applicable.discard((province_id, ordinal))
            matrix.tasks[(province_id, ordinal)] = (task_id, task_key(directive.code, ordinal, slugs[province_id], period))
            if as_of is not None:
                matrix.timeliness[(province_id, ordinal)] = classify(
                    state, due_on, as_of, due_soon_days=due_soon_days, submitted_at=submitted_at,
                    completed_at=completed_at, not_applicable=exempt is not None).status
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


def department_work(session: Session, directive_code: str, as_of: date | None = None,
                    due_soon_days: int = 7) -> list[DepartmentTask]:
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
        None if as_of is None else classify(state, due_on, as_of, due_soon_days=due_soon_days,
                                            submitted_at=submitted_at, completed_at=completed_at,
                                            not_applicable=exempt is not None).status)
        for task_id, ordinal, period, title_vi, title_en, state, due_on, submitted_at, completed_at, exempt, slug
        in rows]


