"""The Government Office's four-cell matrix per province and region, with the on-time rate.

Completed on time, completed late, open within the deadline, open and
overdue (plus the submissions waiting for the Department's review), of every
countable task of every period, as the tasks stood at the end of the day
(`workflow.history.standing_rows`), and of every checkpoint a continuous task
has moved past, judged against it (`workflow.checkpoints.judged_checkpoints`). The on-time rate beside each row is the
Government Office's rule (`workflow.timeliness.rate_share`): tasks completed
on time over the tasks due by the day, open overdue tasks included, so a
province with overdue work never shows 100 %. The Department's own tasks
have their own row, never in a province's or region's.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dtrack.config.today import Today
from dtrack.persistence.models import Directive, Province, Task, TaskGroup
from dtrack.reading.scope import EVERYWHERE, Scope
from dtrack.workflow.applicability import province_units
from dtrack.workflow.checkpoints import judged_checkpoints
from dtrack.workflow.history import STANDING_COLUMNS, standing_rows
from dtrack.workflow.timeliness import OnTimeRate, classify, rate_share
from dtrack.workflow.vocabulary import DeadlineStatus, Region

# The Government Office's four cells, plus the Department's own delay.
CELLS = (
    DeadlineStatus.COMPLETED_ON_TIME,
    DeadlineStatus.COMPLETED_LATE,
    "open_within_deadline",
    DeadlineStatus.OVERDUE,
    DeadlineStatus.AWAITING_REVIEW,
)
_WITHIN = (DeadlineStatus.ON_TRACK, DeadlineStatus.DUE_SOON, DeadlineStatus.NO_DEADLINE)


@dataclass
class CellCounts:
    counts: Counter[str] = field(default_factory=Counter)
    rate: OnTimeRate = field(default_factory=OnTimeRate)  # on time / due by the day

    def add(self, status: DeadlineStatus, share: tuple[int, int] = (0, 0)) -> None:
        """Count one task, and its share of the on-time rate (`workflow.timeliness.rate_share`, worked out once)."""
        self.counts["open_within_deadline" if status in _WITHIN else status.value] += 1
        self.rate.on_time += share[0]
        self.rate.due += share[1]

    @property
    def on_time_rate(self) -> float | None:
        """Completed on time as a share of the tasks due by the day (None when none is due)."""
        return self.rate.value

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {str(c): self.counts[str(c)] for c in CELLS}
        data["on_time_rate"] = self.on_time_rate
        # The rate's two figures: completed on time / due by the day (completed ones due, open overdue ones).
        data["rate_on_time"] = self.rate.on_time
        data["rate_due"] = self.rate.due
        return data


@dataclass
class TimelinessMatrix:
    as_of: date
    provinces: list[tuple[str, str, str]]  # slug, name, region in display order
    by_province: dict[str, CellCounts]
    by_region: dict[str, CellCounts]
    total: CellCounts  # the provinces' (the Department's own tasks are apart)
    department: CellCounts = field(default_factory=CellCounts)  # Department-owned groups' tasks
    directive: str | None = None  # the one directive it counts; None: every directive

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "directive": self.directive,
            "provinces": {slug: self.by_province[slug].to_json() for slug, _, _ in self.provinces},
            "regions": {r: c.to_json() for r, c in self.by_region.items()},
            "total": self.total.to_json(),
            "department": self.department.to_json(),
        }


def timeliness_matrix(session: Session, today: Today, scope: Scope = EVERYWHERE) -> TimelinessMatrix:
    """The four-cell counts per province and per region, with the on-time rate.

    Of every countable task (all periods), as they stood at the end of `today`.
    """
    query = scope.apply(
        select(*STANDING_COLUMNS, Province.slug, Province.region, Task.due_on)
        .join(TaskGroup, Task.group_id == TaskGroup.id).join(Directive, TaskGroup.directive_id == Directive.id)
        .join(Province, Task.province_id == Province.id)
    )  # standing_rows keeps the countable tasks (workflow.history.countable)
    provinces_query = (select(Province.slug, Province.name, Province.region).where(province_units())
                       .order_by(Province.ordinal))
    if scope.region:
        provinces_query = provinces_query.where(Province.region == scope.region)
    if scope.province:
        provinces_query = provinces_query.where(Province.id == scope.province.id)
    provinces = [(slug, name, region) for slug, name, region in session.execute(provinces_query)]
    by_province = {slug: CellCounts() for slug, _, _ in provinces}
    by_region = {r.value: CellCounts() for r in Region if any(p[2] == r.value for p in provinces)}
    total, department = CellCounts(), CellCounts()
    as_of = today.day
    # A continuous task's checkpoints already judged: each a completed task of its period. A narrowed view
    # judges its own tasks' only (a million tasks' trails otherwise); the whole country streams its rows.
    standings: Iterable[tuple[Any, Any]] = standing_rows(session, query, today)
    if scope != EVERYWHERE:
        standings = list(standings)
        judged = judged_checkpoints(session, today, task_ids=[row.id for row, _ in standings])
    else:
        judged = judged_checkpoints(session, today)
    for row, standing in standings:
        status = classify(standing.state, row.due_on, today, submitted_at=standing.submitted_at,
                          completed_at=standing.completed_at).status
        # The Department's unit (no region): its own cell, never a province's.
        rows = (by_province[row.slug], by_region[row.region], total) if row.slug in by_province else (department,)
        share = rate_share(status, row.due_on, as_of)
        for counts in rows:
            counts.add(status, share)
        for checkpoint in judged.get(row.id, ()):
            judgement = checkpoint.timeliness(today).status
            for counts in rows:
                counts.add(judgement, rate_share(judgement, checkpoint.due_on, as_of))
    return TimelinessMatrix(as_of, provinces, by_province, by_region, total, department, scope.directive)


__all__ = ["CELLS", "CellCounts", "TimelinessMatrix", "timeliness_matrix"]
