"""The overdue review: who is late, on what, by how much (the four-cell matrix, `reading.four_cells`, is re-exported).

Every judgement comes from `workflow.timeliness.classify`, against the
deadline in force (after extensions); the original deadline is shown beside
it. A submission waiting for review is the Department's delay, so it is
listed apart with the days it has waited. Queries select plain columns (no
ORM objects) so a nationwide list over a million tasks stays fast.

A day means the state at its end (`workflow.history`): for today (no event
after it) the database counts the stored states on the deadline index; for
a past day the tasks that changed since are replayed, and the review is
made in Python from every task in scope (slower, but the same figures the
report for that day shows). Only tasks `workflow.history.countable` admits
are counted or listed.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from dtrack.config.today import Today
from dtrack.errors import InvalidInput
from dtrack.persistence.models import Directive, Event, Province, Task, TaskGroup, task_key
from dtrack.persistence.sql_types import AnyRow, AnySelect
from dtrack.reading.four_cells import CELLS, CellCounts, TimelinessMatrix, timeliness_matrix
from dtrack.reading.overdue_counts import (
    MEMO,
    awaiting_conditions,
    awaiting_count_query,
    first_overdue,
    joined,
    late_conditions,
    overdue_counts,
)
from dtrack.reading.scope import EVERYWHERE, Scope
from dtrack.workflow.applicability import department_tasks
from dtrack.workflow.deadlines import task_titles
from dtrack.workflow.history import MARKED, Standing, countable, nothing_after, standing_rows
from dtrack.workflow.timeliness import classify
from dtrack.workflow.vocabulary import OWED_BY_PROVINCE, DeadlineStatus, Region, State

_COLUMNS = (
    Task.id, Directive.code, TaskGroup.ordinal, Province.slug, Task.period, Province.name, Province.region,
    TaskGroup.title_vi, TaskGroup.title_en, TaskGroup.deadline_rule, Task.state, Task.progress,
    Task.original_due_on, Task.due_on, Task.submitted_at, Task.completed_at, MARKED,
)  # holds the STANDING_COLUMNS


@dataclass(frozen=True)
class LateTask:
    """An overdue task, or a submission waiting for review (days = days waited)."""

    key: str
    province: str
    province_name: str
    region: str
    group: int
    period: str
    title_vi: str
    title_en: str
    state: str
    progress: int
    original_due_on: date | None
    due_on: date | None
    status: str
    days: int
    task_id: int = 0  # for links (the web's /tasks/ID); not part of the JSON shape

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("task_id")
        for name in ("original_due_on", "due_on"):
            data[name] = data[name].isoformat() if data[name] else None
        return data


@dataclass
class OverdueReview:
    as_of: date
    overdue: list[LateTask]  # most days late first; the first `limit` when one was given
    awaiting_review: list[LateTask]  # longest wait first; the first `limit` likewise
    per_province: Counter[str]  # overdue tasks per province slug (all of them, whatever the limit)
    per_region: Counter[str]
    province_names: dict[str, str]
    awaiting_total: int  # submissions waiting for review, all of them whatever the limit
    # The Department's own overdue tasks (Department-owned groups): never in a province's or region's count.
    department: list[LateTask] = field(default_factory=list)
    directive: str | None = None  # the one directive it covers; None: every directive

    @property
    def total(self) -> int:
        return sum(self.per_province.values())

    def counts(self, attribute: str) -> Counter[str]:
        """Overdue tasks per province slug ('province') or per region ('region')."""
        return self.per_province if attribute == "province" else self.per_region

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "directive": self.directive,
            # A limit cuts the lists, never the totals: both are given, so a script can tell.
            "total_overdue": self.total,
            "listed_overdue": len(self.overdue),
            "overdue": [t.to_json() for t in self.overdue],
            "total_awaiting_review": self.awaiting_total,
            "listed_awaiting_review": len(self.awaiting_review),
            "awaiting_review": [t.to_json() for t in self.awaiting_review],
            "per_province": dict(sorted(self.per_province.items())),
            "per_region": {r.value: self.per_region.get(r.value, 0) for r in Region},
            "department_overdue": [t.to_json() for t in self.department],
        }


def _context() -> AnySelect:
    return joined(select(*_COLUMNS))


def _late(row: AnyRow, status: DeadlineStatus, days: int, standing: Standing | None = None) -> LateTask:
    (task_id, code, ordinal, slug, period, name, region, title_vi, title_en, rule, state, progress,
     original, due_on, *_) = row
    if standing is not None:  # as the task stood on a past day
        state, progress = standing.state, standing.progress
    title_vi, title_en = task_titles(rule, period, title_vi, title_en)
    return LateTask(task_key(code, ordinal, slug, period), slug, name, region, ordinal, period, title_vi, title_en,
                    state, progress, original, due_on, status.value, days, task_id)


def check_min_days(min_days: int) -> int:
    if min_days < 0:
        raise InvalidInput("min_days", "negative", value=min_days)
    if min_days > MAX_MIN_DAYS:  # no task is a century late; a bigger number would overflow date arithmetic
        raise InvalidInput("min_days", "too_large", value=min_days, max=MAX_MIN_DAYS)
    return min_days


MAX_MIN_DAYS = 36500


def overdue_review(
    session: Session, today: Today, scope: Scope = EVERYWHERE, *, min_days: int = 0, limit: int | None = None,
) -> OverdueReview:
    """Overdue tasks (most days late first) and submissions waiting for review (longest wait first).

    The counts per province and region, and the number waiting for review,
    are counted by the database over all matching tasks; with `limit`, each
    list holds its first `limit` tasks (the same as the first `limit` of the
    full list) and little more is loaded, so a nationwide review over a
    million tasks stays fast.
    """
    check_min_days(min_days)
    if not nothing_after(session, today):
        return _replayed_review(session, today, scope, min_days, limit)
    # Overdue by at least max(1, min_days) days: due on or before this day.
    latest_due = today.day - timedelta(days=max(1, min_days))
    with MEMO.reading(session):  # one snapshot for the figures of the review
        return _review(session, today, scope, latest_due, limit)


def _review(session: Session, today: Today, scope: Scope, latest_due: date, limit: int | None) -> OverdueReview:
    as_of = today.day
    counts = MEMO.get(session, ("overdue", as_of, scope.key(), latest_due),
                       lambda: overdue_counts(session, as_of, scope, latest_due))
    per_province, per_region, names = Counter(dict(counts[0])), Counter(dict(counts[1])), dict(counts[2])
    overdue = _overdue_list(session, today, scope, latest_due, limit)
    waiting, awaiting_total = _awaiting(session, today, scope, limit)  # inside this review's reading
    department = []
    if scope.region is None and scope.province is None:
        own = scope.apply(_context().where(Task.state.in_(OWED_BY_PROVINCE), Task.due_on <= latest_due,
                                           *countable(as_of), department_tasks()))
        for row in session.execute(own):
            verdict = classify(row.state, row.due_on, today)
            assert verdict.days is not None, "an owed task past its deadline is overdue by some days"
            department.append(_late(row, verdict.status, verdict.days))
        department.sort(key=lambda t: (-t.days, t.key))
    return OverdueReview(as_of, overdue, waiting, per_province, per_region, names, awaiting_total, department,
                         scope.directive)


def awaiting_review(session: Session, today: Today, scope: Scope = EVERYWHERE, *,
                    limit: int | None = None) -> tuple[list[LateTask], int]:
    """Submissions waiting for the Department, longest waiting first (days = days waited), and how many in all."""
    if not nothing_after(session, today):
        _, waiting, _ = _replayed_lists(session, today, scope, 1)
        return (waiting if limit is None else waiting[:limit]), len(waiting)
    with MEMO.reading(session):  # one snapshot for its two figures (the review's, within a review)
        return _awaiting(session, today, scope, limit)


def _awaiting(session: Session, today: Today, scope: Scope, limit: int | None) -> tuple[list[LateTask], int]:
    as_of = today.day
    order = (Directive.code, TaskGroup.ordinal, Province.slug, Task.period)
    waiting = []
    awaiting = awaiting_conditions(as_of)
    awaiting_total = MEMO.get(session, ("awaiting", as_of, scope.key()),
                               lambda: session.scalar(awaiting_count_query(as_of, scope)))
    if limit is not None and MEMO.remembers(session):
        # The first `limit` (their order is a sort of every waiting submission) are chosen
        # and remembered as the count is, then loaded in full in that order.
        first = joined(select(Task.id)).where(*awaiting, *scope.task_filters()).order_by(
            Task.submitted_at, *order).limit(limit)
        chosen = MEMO.get(session, ("awaiting first", as_of, scope.key(), limit),
                           lambda: tuple(session.scalars(first)))
        place = {task_id: i for i, task_id in enumerate(chosen)}
        found = sorted(session.execute(_context().where(Task.id.in_(chosen))), key=lambda r: place[r.id])
    else:  # nothing would be remembered: one ordered query
        rows = _context().where(*awaiting, *scope.task_filters()).order_by(Task.submitted_at, *order)  # review index
        found = list(session.execute(rows if limit is None else rows.limit(limit)))
    for row in found:
        verdict = classify(row.state, row.due_on, today, submitted_at=row.submitted_at)
        waiting.append(_late(row, verdict.status, verdict.days or 0))
    return waiting, awaiting_total or 0


def _overdue_list(session: Session, today: Today, scope: Scope, latest_due: date,
                  limit: int | None) -> list[LateTask]:
    """The overdue tasks, most days late first then by key; the first `limit` of them when one is given."""
    if limit is not None and limit <= 0:
        return []
    as_of = today.day
    late = late_conditions(as_of, latest_due)
    rows = scope.apply(_context().where(*late))
    if limit is not None:
        # Chosen as the counts are counted, and remembered likewise; only those are loaded in full.
        chosen = MEMO.get(session, ("overdue first", as_of, scope.key(), latest_due, limit),
                           lambda: first_overdue(session, scope, late, limit))
        if chosen is not None:
            rows = _context().where(Task.id.in_(chosen))
    overdue = []
    for row in session.execute(rows):
        verdict = classify(row.state, row.due_on, today)
        assert verdict.days is not None, "an owed task past its deadline is overdue by some days"
        overdue.append(_late(row, verdict.status, verdict.days))
    overdue.sort(key=lambda t: (-t.days, t.key))
    return overdue if limit is None else overdue[:limit]


def _replayed_lists(session: Session, today: Today, scope: Scope,
                    min_days: int) -> tuple[list[LateTask], list[LateTask], dict[str, tuple[str, str]]]:
    """Every overdue task (most days late first) and every waiting submission (longest first), as of a past day.

    Also each listed province's (name, region), for the counts.
    """
    # Only the tasks that can be overdue or waiting on the day: those changed since (replayed below) and, of the
    # rest (standing as their row says), the owed ones past their deadline and the submitted ones. Every task
    # of a million went through Python before: 30-50 s a page (issue 25).
    since = select(Event.task_id).where(Event.at >= today.ends_at())
    could = or_(Task.id.in_(since), Task.state == State.SUBMITTED.value,
                and_(Task.state.in_(OWED_BY_PROVINCE), Task.due_on < today.day))
    query = scope.apply(_context().where(could))
    overdue, waiting, where = [], [], {}
    for context, standing in standing_rows(session, query, today):
        verdict = classify(standing.state, context.due_on, today, submitted_at=standing.submitted_at,
                           completed_at=standing.completed_at)
        owed = standing.state in OWED_BY_PROVINCE  # as the fast path's query asks
        if verdict.status == DeadlineStatus.OVERDUE and owed and verdict.days is not None and verdict.days >= min_days:
            overdue.append(_late(context, verdict.status, verdict.days, standing))
            where[context.slug] = (context.name, context.region)
        elif verdict.status == DeadlineStatus.AWAITING_REVIEW:
            order = (standing.submitted_at, context.code, context.ordinal, context.slug, context.period)
            waiting.append((order, _late(context, verdict.status, verdict.days or 0, standing)))
    overdue.sort(key=lambda t: (-t.days, t.key))
    waiting.sort(key=lambda pair: pair[0])  # as the database orders them for today
    return overdue, [late for _, late in waiting], where


def _replayed_review(session: Session, today: Today, scope: Scope, min_days: int,
                     limit: int | None) -> OverdueReview:
    every, waiting, where = _replayed_lists(session, today, scope, min_days)
    # The Department's own tasks are listed apart, never in a province's or region's count (as the fast path).
    department = [t for t in every if not t.region]  # an overseer's unit has no region, whatever its slug
    overdue = [t for t in every if t.region]
    per_province: Counter[str] = Counter(t.province for t in overdue)
    per_region: Counter[str] = Counter(t.region for t in overdue)
    names = {slug: name for slug, (name, _) in where.items()}

    def cut(items: list[LateTask]) -> list[LateTask]:
        return items if limit is None else items[:limit]

    return OverdueReview(today.day, cut(overdue), cut(waiting), per_province, per_region, names, len(waiting),
                         department, scope.directive)


# For the lists sorted by another column (reading.list_order): the same rows, made into the same LateTask.
context_rows, late_task = _context, _late

__all__ = ["CELLS", "CellCounts", "LateTask", "OverdueReview", "Scope", "TimelinessMatrix", "awaiting_review",
           "check_min_days", "overdue_review", "timeliness_matrix"]
