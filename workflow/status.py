"""The national picture: the provinces x task groups matrix and counts per region."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from directives.loader import find_directive
from workflow.models import Province, Task, TaskGroup
from workflow.vocabulary import Region


@dataclass
class StatusMatrix:
    directive: str
    groups: list[int]
    provinces: list[Province]
    # (province id, group ordinal) -> state; periodic groups show their latest period.
    cells: dict[tuple[int, int], str] = field(default_factory=dict)

    def state_counts(self, region: str | None = None) -> Counter:
        wanted = {p.id for p in self.provinces if region is None or p.region == region}
        return Counter(state for (pid, _), state in self.cells.items() if pid in wanted)

    def regions(self) -> list[str]:
        present = {p.region for p in self.provinces}
        return [r.value for r in Region if r.value in present]


def status_matrix(session: Session, directive_code: str, region: str | None = None) -> StatusMatrix:
    directive = find_directive(session, directive_code)
    provinces_query = select(Province).order_by(Province.ordinal)
    if region:
        provinces_query = provinces_query.where(Province.region == region)
    provinces = list(session.scalars(provinces_query))
    matrix = StatusMatrix(directive.code, [g.ordinal for g in directive.groups], provinces)
    ids = {p.id for p in provinces}
    rows = session.execute(
        select(Task.province_id, TaskGroup.ordinal, Task.state)
        .join(TaskGroup)
        .where(TaskGroup.directive_id == directive.id)
        .order_by(Task.period)
    )
    for province_id, ordinal, state in rows:
        if province_id in ids:
            matrix.cells[(province_id, ordinal)] = state
    return matrix


