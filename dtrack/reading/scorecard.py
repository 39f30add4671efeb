"""The provinces' scorecard and ranking for one directive and one year.

Of the tasks whose deadline in force falls in the year, as they stood at the
end of the year (or today, while the year runs), each province's:

* on-time rate: completed on time / due by the day (the Government Office's rule,
  `workflow.timeliness.rate_share`), with its two figures;
* days late: the days past the deadline added up over its late tasks (open
  overdue ones to the day, completed late ones to their submission), divided
  by how many late tasks there are (average days late per late task);
* tasks blocked on the day;
* results against plan: tasks completed / tasks of the year.

The ranking (`RANKING_RULE`) orders by the on-time rate (higher first; a
province with nothing due yet after every one with a rate), then by the
average days late (fewer first), then by the tasks blocked (fewer first);
provinces equal on all three share a rank (1, 2, 2, 4). Disbursement against
plan comes from the reported figures (a feature: the page adds it beside,
it does not rank).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dtrack.config.today import Today
from dtrack.persistence.models import Province
from dtrack.reading.dashboard import Counts
from dtrack.reading.dashboard_sql import province_counts
from dtrack.reading.overdue_counts import MEMO
from dtrack.reading.scope import Scope
from dtrack.workflow.applicability import province_units
from dtrack.workflow.history import nothing_after

RANKING_RULE = ("on_time_rate", "average_days_late", "blocked")


@dataclass(frozen=True)
class ScoreRow:
    rank: int
    slug: str
    name: str
    name_en: str
    region: str
    counts: Counts

    @property
    def late_tasks(self) -> int:
        return self.counts.overdue + self.counts.completed_late

    @property
    def average_days_late(self) -> float | None:
        """Days past the deadline per late task (None: no task late)."""
        days = self.counts.overdue_days + self.counts.late_days
        return None if not self.late_tasks else days / self.late_tasks

    @property
    def results(self) -> float | None:
        """Tasks completed over the tasks of the year (None: none)."""
        return None if not self.counts.tasks else self.counts.completed / self.counts.tasks

    def to_json(self) -> dict[str, Any]:
        return {"rank": self.rank, "slug": self.slug, "name": self.name, "region": self.region,
                "on_time": self.counts.on_time, "due": self.counts.due, "on_time_rate": self.counts.on_time_rate,
                "late_tasks": self.late_tasks, "average_days_late": self.average_days_late,
                "blocked": self.counts.blocked, "completed": self.counts.completed, "tasks": self.counts.tasks,
                "results": self.results}


@dataclass
class Scorecard:
    directive: str | None
    year: int
    as_of: date
    rows: list[ScoreRow]  # by rank

    def row(self, slug: str) -> ScoreRow | None:
        return next((r for r in self.rows if r.slug == slug), None)

    def to_json(self) -> dict[str, Any]:
        return {"directive": self.directive, "year": self.year, "as_of": self.as_of.isoformat(),
                "ranking_rule": list(RANKING_RULE), "rows": [r.to_json() for r in self.rows]}


def scorecard(session: Session, today: Today, year: int, scope: Scope) -> Scorecard:
    """Every province's scorecard for the tasks due in `year`, ranked (see the module's rule)."""
    as_of = min(today.day, date(year, 12, 31))
    day = today.on(as_of)
    with MEMO.reading(session):
        current = nothing_after(session, day)
        found = MEMO.get(session, ("scorecard", as_of, today.zone, year, scope.key(), current),
                         lambda: tuple((slug, tuple(c.items())) for slug, c in province_counts(
                             session, day, scope, current=current, year=year).items()))
    counts = {slug: Counts(dict(figures)) for slug, figures in found}
    units = select(Province.slug, Province.name, Province.name_en, Province.region).where(province_units())
    if scope.region:
        units = units.where(Province.region == scope.region)
    rows = [ScoreRow(0, slug, name, name_en, region, counts.get(slug, Counts()))
            for slug, name, name_en, region in session.execute(units.order_by(Province.ordinal))]
    return Scorecard(scope.directive, year, as_of, ranked(rows))


def _key(row: ScoreRow) -> tuple[float, float, int]:
    rate = row.counts.on_time_rate
    days = row.average_days_late
    return (-(rate if rate is not None else -1.0), days if days is not None else 0.0, row.counts.blocked)


def ranked(rows: list[ScoreRow]) -> list[ScoreRow]:
    """The rows by `RANKING_RULE`, each with its rank; equal rows share one (1, 2, 2, 4)."""
    ordered = sorted(rows, key=lambda r: (_key(r), r.slug))
    out: list[ScoreRow] = []
    for place, row in enumerate(ordered, start=1):
        rank = out[-1].rank if out and _key(out[-1]) == _key(row) else place
        out.append(ScoreRow(rank, row.slug, row.name, row.name_en, row.region, row.counts))
    return out


__all__ = ["RANKING_RULE", "ScoreRow", "Scorecard", "ranked", "scorecard"]
