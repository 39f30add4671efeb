"""The overseer's dashboard: the country at a glance, by province, by region and month by month.

A view model, not a page: the web's dashboard draws it, `?format=json` gives
it as data. Every figure is the Government Office's (`workflow.timeliness`):
the on-time rate is tasks completed on time over the tasks due by the day (the
completed ones whose deadline has come, and the open overdue ones), always
shown with that denominator; the four cells are `reading.four_cells`' cells.
The counts are grouped SQL queries (`reading.dashboard_sql`), one per day
asked, so a season of a million tasks is never looped over in Python; the
checkpoints continuous tasks have moved past are judged as the four-cell
matrix judges them, in one grouped query (`reading.dashboard_checkpoints`).

Share overdue is the open overdue tasks over the tasks due by the day (the
same denominator as the rate): of the work that has come due, how much is
still open past its deadline.

Who most needs a call (`call_list`): the provinces with open overdue tasks,
ranked by their overdue days added up (each overdue task's days past its
deadline: many tasks a little late and a few very late both weigh), then by
the number of overdue tasks, then by the lower on-time rate; the first ten.
"""
from __future__ import annotations

import calendar
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dtrack.config.today import Today
from dtrack.persistence.models import Province, Task
from dtrack.reading.dashboard_checkpoints import Judged, add_checkpoints, judged_in_scope
from dtrack.reading.dashboard_kept import CHECKPOINTS, MONTH, Figures, Marks, keep, kept, marks, scope_text
from dtrack.reading.dashboard_sql import FIELDS, province_counts
from dtrack.reading.overdue_counts import MEMO
from dtrack.reading.scope import EVERYWHERE, Scope
from dtrack.workflow.applicability import province_units
from dtrack.workflow.history import nothing_after
from dtrack.workflow.vocabulary import Region

CALL_LIST = 10  # provinces in "who most needs a call"
MAX_MONTHS = 36  # a trend longer than three years shows its last three
# Seconds a page spends working out months of the trend not kept yet (at a million tasks each takes seconds):
# the latest first; the rest show as not worked out yet, and the next pages fill them in (`reading.dashboard_kept`).
MONTH_BUDGET = 2.0
# (database, zone, scope) whose checkpoints took a page longer than MONTH_BUDGET to read: pages no longer try.
TOO_SLOW: set[tuple[str, str, str]] = set()


@dataclass(frozen=True)
class Counts:
    """One unit's counts as of a day (`reading.dashboard_sql.FIELDS`), with the rates drawn from them."""

    figures: dict[str, int] = field(default_factory=dict)

    def __getattr__(self, name: str) -> int:
        if name in FIELDS:
            return self.figures.get(name, 0)
        raise AttributeError(name)

    @property
    def on_time_rate(self) -> float | None:
        """Completed on time over the tasks due by the day; None when none is due."""
        return None if not self.due else self.on_time / self.due

    @property
    def share_overdue(self) -> float | None:
        """Open overdue tasks over the tasks due by the day; None when none is due."""
        return None if not self.due else self.overdue / self.due

    @staticmethod
    def sum(many: Iterable[Counts]) -> Counts:
        """Every count added up (one dict for 3,355 units, not one per addition)."""
        summed = dict.fromkeys(FIELDS, 0)
        for counts in many:
            for name, value in counts.figures.items():
                summed[name] += value
        return Counts(summed)

    def to_json(self) -> dict[str, Any]:
        return {**{k: self.figures.get(k, 0) for k in FIELDS}, "on_time_rate": self.on_time_rate,
                "share_overdue": self.share_overdue}


@dataclass(frozen=True)
class ProvinceFigures:
    slug: str
    name: str
    name_en: str
    region: str
    code: str | None
    counts: Counts

    def to_json(self) -> dict[str, Any]:
        return {"slug": self.slug, "name": self.name, "region": self.region, "code": self.code,
                **self.counts.to_json()}


@dataclass(frozen=True)
class MonthPoint:
    """The country (or the scope) at the end of a month; the last point is the day asked."""

    day: date
    counts: Counts | None  # None: not worked out yet (`MONTH_BUDGET`), a later page has it

    def to_json(self) -> dict[str, Any]:
        if self.counts is None:
            return {"day": self.day.isoformat(), "on_time": None, "due": None, "on_time_rate": None, "overdue": None}
        return {"day": self.day.isoformat(), "on_time": self.counts.on_time, "due": self.counts.due,
                "on_time_rate": self.counts.on_time_rate, "overdue": self.counts.overdue}


@dataclass
class Dashboard:
    as_of: date
    directive: str | None
    provinces: list[ProvinceFigures]  # in display order (north to south)
    regions: dict[str, Counts]
    total: Counts
    trend: list[MonthPoint]
    call_list: list[ProvinceFigures]

    def province(self, slug: str) -> ProvinceFigures | None:
        return next((p for p in self.provinces if p.slug == slug), None)

    def to_json(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "directive": self.directive,
                "provinces": [p.to_json() for p in self.provinces],
                "regions": {r: c.to_json() for r, c in self.regions.items()}, "total": self.total.to_json(),
                "trend": [m.to_json() for m in self.trend], "call_list": [p.slug for p in self.call_list]}


def day_counts(session: Session, today: Today, scope: Scope = EVERYWHERE, *,
               checkpoints: Mapping[str, Figures] | None = None, judged: list[Judged] | None = None,
               as_of: date | None = None, trend: bool = False) -> dict[str, Counts]:
    """Province slug -> its counts at the end of `today` (tasks and the checkpoints they moved past).

    `trend`: only the tasks due by the day (all that the on-time rate and the overdue count
    read; the other cells then count only those), so an early month reads few tasks.
    The checkpoints: `checkpoints` (slug -> figures, already judged for the day), or `judged`,
    read once for every month up to `as_of` (`reading.dashboard_checkpoints`), or read here.
    """
    current = nothing_after(session, today)
    due_by = (Task.due_on <= today.day,) if trend else ()
    found = MEMO.get(session, ("dashboard day", today.day, today.zone, scope.key(), current, trend),
                     lambda: tuple((slug, tuple(c.items())) for slug, c in
                                   province_counts(session, today, scope, current=current, where=due_by).items()))
    counts = {slug: dict(figures) for slug, figures in found}
    if checkpoints is not None:
        for slug, figures in checkpoints.items():
            mine = counts.setdefault(slug, dict.fromkeys(FIELDS, 0))
            for name, value in figures.items():
                mine[name] += value
    else:
        if judged is None:
            judged, as_of = judged_in_scope(session, today, scope), today.day
        add_checkpoints(counts, judged, today.day, as_of or today.day, dict.fromkeys(FIELDS, 0))
    return {slug: Counts(figures) for slug, figures in counts.items()}


def month_ends(began: date, as_of: date) -> list[date]:
    """The last day of each month from `began`'s to the month before `as_of`'s, then `as_of` itself."""
    days, year, month = [], began.year, began.month
    while (year, month) < (as_of.year, as_of.month):
        days.append(date(year, month, calendar.monthrange(year, month)[1]))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return [*days[-(MAX_MONTHS - 1):], as_of]


def began_on(session: Session, scope: Scope) -> date | None:
    """When the work in scope began: the first day a task in it was assigned (None: no task).

    On task columns alone, so the whole country's first day is one end of `ix_tasks_assigned_on`
    (joined to the units and directives it read every task: 150 ms at 955,244, after every commit).
    """
    return session.scalar(select(func.min(Task.assigned_on)).where(*scope.task_filters()))


def dashboard(session: Session, today: Today, scope: Scope = EVERYWHERE) -> Dashboard:
    """The dashboard as of the end of `today`, narrowed by `scope` (a directive, a region)."""
    with MEMO.reading(session):
        return _dashboard(session, today, scope)


def _dashboard(session: Session, today: Today, scope: Scope) -> Dashboard:
    units = select(Province.slug, Province.name, Province.name_en, Province.region, Province.code).where(
        province_units()).order_by(Province.ordinal)
    if scope.region:
        units = units.where(Province.region == scope.region)
    now = marks(session)
    counts = day_counts(session, today, scope, checkpoints=checkpoints_by(session, today, scope, now))
    provinces = [ProvinceFigures(slug, name, name_en, region, code, counts.get(slug, Counts()))
                 for slug, name, name_en, region, code in session.execute(units)]
    regions = {r.value: Counts.sum(p.counts for p in provinces if p.region == r.value)
               for r in Region if any(p.region == r.value for p in provinces)}
    total = Counts.sum(p.counts for p in provinces)
    began = MEMO.get(session, ("dashboard began", scope.key()), lambda: began_on(session, scope))
    trend: list[MonthPoint] = []
    if began is not None and began <= today.day:
        trend = _trend(session, today, scope, began, counts, now, MONTH_BUDGET)
    return Dashboard(today.day, scope.directive, provinces, regions, total, trend, call_list(provinces))


def last_closed(day: date) -> date:
    """The last day of the month before `day`'s."""
    return day.replace(day=1) - timedelta(days=1)


def checkpoints_by(session: Session, today: Today, scope: Scope, now: Marks) -> dict[str, Figures]:
    """Slug -> the figures of the checkpoints its tasks moved past by the end of `today`.

    Those moved past by the end of last month are kept (`reading.dashboard_kept`); only the
    ones since are judged here, on their tasks' trails. Kept only when the split is exact:
    every checkpoint moved past by then was due by then (the sweep moves past a checkpoint
    on or after its day); otherwise every checkpoint is judged here.
    """
    closed = last_closed(today.day)
    key = scope_text(scope.key())
    before = kept(session, CHECKPOINTS, key, today, [closed], now).get(closed)
    if before is None:
        then = judged_in_scope(session, today.on(closed), scope)
        if not all(j.due_by_day for j in then):
            whole: dict[str, Figures] = {}
            add_checkpoints(whole, judged_in_scope(session, today, scope), today.day, today.day,
                            dict.fromkeys(FIELDS, 0))
            return whole
        before = {}
        add_checkpoints(before, then, closed, closed, dict.fromkeys(FIELDS, 0))
        keep(session, CHECKPOINTS, key, today, {closed: before or {"": dict.fromkeys(FIELDS, 0)}}, now)
    since = today.on(closed).ends_at()
    recent = MEMO.get(session, ("dashboard checkpoints since", today.day, today.zone, scope.key()),
                      lambda: tuple(judged_in_scope(session, today, scope, since=since)))
    figures = {slug: dict(f) for slug, f in before.items() if slug}
    add_checkpoints(figures, list(recent), today.day, today.day, dict.fromkeys(FIELDS, 0))
    return figures


def _trend(session: Session, today: Today, scope: Scope, began: date, counts: dict[str, Counts], now: Marks,
           budget: float | None) -> list[MonthPoint]:
    """Each month's end: the closed months kept (`reading.dashboard_kept`), the missing ones worked out
    latest first for up to `budget` seconds (None: all of them) and kept, the last point today's counts."""
    days = month_ends(began, today.day)
    closed = [d for d in days if d != today.day]
    key = scope_text(scope.key())
    months = {day: units[""] for day, units in kept(session, MONTH, key, today, closed, now).items() if "" in units}
    missing = [d for d in reversed(closed) if d not in months]
    slow = (session.get_bind().engine.url.render_as_string(), today.zone, key)
    if missing and (budget is None or (budget > 0 and slow not in TOO_SLOW)):
        start, fresh = time.monotonic(), {}
        judged = judged_in_scope(session, today, scope)  # read once for every month worked out
        if budget is not None and time.monotonic() - start >= budget:
            # Reading the checkpoints alone took longer than a page may spend (5 s at a million tasks): pages
            # of this process leave the months to the daily job (`keep_trend`), or the web's filler, from now.
            TOO_SLOW.add(slow)
        for day in missing:
            if budget is not None and time.monotonic() - start >= budget:
                break
            summed = Counts.sum(day_counts(session, today.on(day), scope, judged=judged, as_of=today.day,
                                           trend=True).values())
            months[day] = fresh[day] = dict(summed.figures) or dict.fromkeys(FIELDS, 0)
        keep(session, MONTH, key, today, {day: {"": figures} for day, figures in fresh.items()}, now)
    points = [MonthPoint(day, Counts(months[day]) if day in months else None) for day in closed]
    # A month not worked out yet: a later page shows it.
    return [*points, MonthPoint(today.day, Counts.sum(counts.values()))]


def keep_trend(session: Session, today: Today, scope: Scope = EVERYWHERE) -> int:
    """Work out and keep every month of the trend that is not kept, and last month's checkpoints
    (the scheduler's daily job, so that pages find them); returns how many months were worked out."""
    now = marks(session)
    checkpoints_by(session, today, scope, now)
    began = began_on(session, scope)
    if began is None or began > today.day:
        return 0
    before = sum(p.counts is not None for p in _trend(session, today, scope, began, {}, now, 0.0))
    after = sum(p.counts is not None for p in _trend(session, today, scope, began, {}, now, None))
    return after - before


def call_list(provinces: list[ProvinceFigures], size: int = CALL_LIST) -> list[ProvinceFigures]:
    """The provinces that most need a call: see the module's rule (overdue days, overdue tasks, lower rate)."""
    late = [p for p in provinces if p.counts.overdue]
    late.sort(key=lambda p: (-p.counts.overdue_days, -p.counts.overdue,
                             p.counts.on_time_rate if p.counts.on_time_rate is not None else 1.0, p.slug))
    return late[:size]


__all__ = ["CALL_LIST", "MONTH_BUDGET", "TOO_SLOW", "Counts", "Dashboard", "MonthPoint", "ProvinceFigures", "began_on",
           "call_list", "checkpoints_by", "dashboard", "day_counts", "keep_trend", "last_closed", "month_ends"]
