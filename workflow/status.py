"""The national picture: the provinces x task groups matrix and counts per region."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dtrack.workflow.assignments import find_directive
from dtrack.workflow.models import Province, Task, TaskGroup, task_key
from dtrack.workflow.timeliness import classify
from dtrack.workflow.views import plain
from dtrack.workflow.vocabulary import DeadlineStatus, Region


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

    def state_counts(self, region: str | None = None) -> Counter:
        wanted = {p.id for p in self.provinces if region is None or p.region == region}
        return Counter(state for (pid, _), state in self.cells.items() if pid in wanted)

    def timeliness_counts(self, region: str | None = None) -> Counter:
        wanted = {p.id for p in self.provinces if region is None or p.region == region}
        return Counter(status for (pid, _), status in self.timeliness.items() if pid in wanted)

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
    provinces_query = select(Province).order_by(Province.ordinal)
    if region:
        provinces_query = provinces_query.where(Province.region == region)
    provinces = list(session.scalars(provinces_query))
    matrix = StatusMatrix(directive.code, [g.ordinal for g in directive.groups], provinces, as_of=as_of)
    ids = {p.id for p in provinces}
    rows = session.execute(
        select(Task.province_id, TaskGroup.ordinal, Task.state, Task.due_on, Task.submitted_at, Task.completed_at,
               Task.id, Task.period)
        .join(TaskGroup)
        .where(TaskGroup.directive_id == directive.id)
        .order_by(Task.period)
    )
    slugs = {p.id: p.slug for p in provinces}
    for province_id, ordinal, state, due_on, submitted_at, completed_at, task_id, period in rows:
        if province_id in ids:
            matrix.cells[(province_id, ordinal)] = state
            matrix.tasks[(province_id, ordinal)] = (task_id, task_key(directive.code, ordinal, slugs[province_id], period))
            if as_of is not None:
                matrix.timeliness[(province_id, ordinal)] = classify(
                    state, due_on, as_of, due_soon_days=due_soon_days, submitted_at=submitted_at,
                    completed_at=completed_at).status
    return matrix


