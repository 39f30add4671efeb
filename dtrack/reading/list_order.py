"""Sorting the review queue and the overdue list by a column (`?sort=province`, `?sort=-deadline`).

The default order is each list's own (longest wait first; most days late first) and goes the
lists' usual, remembered way. Another column is an ORDER BY in the database with LIMIT/OFFSET,
so a page of a million tasks is cut there; as of a past day (tasks replayed), the replayed list
is sorted as it stands. A name that is no column of the list is an `InvalidInput` on the field
`sort`, said beside the filter.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from dtrack.config.today import Today
from dtrack.errors import InvalidInput
from dtrack.persistence.models import Directive, Province, Task, TaskGroup
from dtrack.reading.overdue import LateTask, awaiting_review, context_rows, late_task, overdue_review
from dtrack.reading.overdue_counts import awaiting_conditions, late_conditions
from dtrack.reading.scope import Scope
from dtrack.workflow.history import nothing_after
from dtrack.workflow.timeliness import classify

# Each sortable column: (ORDER BY in the database, the same order for a list in hand).
_COLUMNS: dict[str, tuple[tuple[Any, ...], Any]] = {
    "province": ((Province.slug,), lambda t: t.province),
    "task": ((Directive.code, TaskGroup.ordinal, Task.period), lambda t: (t.key.rsplit(":", 2)[0], t.group, t.period)),
    "deadline": ((Task.due_on,), lambda t: t.due_on),
    "progress": ((Task.progress,), lambda t: t.progress),
    "state": ((Task.state,), lambda t: t.state),
    "waited": ((Task.submitted_at,), lambda t: -t.days),
    "days": ((Task.due_on,), lambda t: -t.days),
}
REVIEW_SORTS = ("waited", "province", "task", "deadline", "progress")
OVERDUE_SORTS = ("days", "province", "task", "deadline", "state")


@dataclass(frozen=True)
class SortOrder:
    """A list's order: a column and its direction (`descending`: "-" in front)."""

    column: str
    descending: bool = False

    @property
    def text(self) -> str:
        return f"-{self.column}" if self.descending else self.column


def sort_order(text: str | None, choices: tuple[str, ...]) -> SortOrder:
    """`?sort=` as typed ("province", "-deadline"); the list's first column when empty; else InvalidInput."""
    text = (text or "").strip()
    if not text:
        return SortOrder(choices[0])
    column = text.removeprefix("-")
    if column not in choices:
        raise InvalidInput("sort", "not_a_sort", value=text[:40], choices=list(choices))
    return SortOrder(column, text.startswith("-"))


def _order_by(order: SortOrder) -> list[ColumnElement[Any]]:
    columns = [c.desc() if order.descending else c.asc() for c in _COLUMNS[order.column][0]]
    return [*columns, Task.id]


def _in_hand(items: list[LateTask], order: SortOrder) -> list[LateTask]:
    key = _COLUMNS[order.column][1]
    return sorted(items, key=lambda t: (key(t) is None, key(t) or 0, t.key) if order.column == "deadline"
                  else (key(t), t.key), reverse=order.descending)


def sorted_awaiting(session: Session, today: Today, scope: Scope, order: SortOrder, limit: int) -> list[LateTask]:
    """The first `limit` submissions waiting for review, in `order`."""
    usual = order == SortOrder(REVIEW_SORTS[0])
    if usual or not nothing_after(session, today):  # the usual order, or a past day's replayed list sorted here
        waiting, _ = awaiting_review(session, today, scope, limit=limit if usual else None)
        return (waiting if usual else _in_hand(waiting, order))[:limit]
    rows = context_rows().where(*awaiting_conditions(today.day), *scope.task_filters())
    found = []
    for row in session.execute(rows.order_by(*_order_by(order)).limit(limit)):
        verdict = classify(row.state, row.due_on, today, submitted_at=row.submitted_at)
        found.append(late_task(row, verdict.status, verdict.days or 0))
    return found


def sorted_overdue(session: Session, today: Today, scope: Scope, order: SortOrder, min_days: int,
                   offset: int, limit: int) -> list[LateTask]:
    """The overdue tasks from `offset`, `limit` of them, in `order` (not the default: `overdue_review` gives that)."""
    if not nothing_after(session, today):
        every = overdue_review(session, today, scope, min_days=min_days).overdue
        return _in_hand(every, order)[offset:offset + limit]
    latest_due = today.day - timedelta(days=max(1, min_days))
    rows = context_rows().where(*late_conditions(today.day, latest_due), *scope.task_filters())
    found = []
    for row in session.execute(rows.order_by(*_order_by(order)).offset(offset).limit(limit)):
        verdict = classify(row.state, row.due_on, today)
        found.append(late_task(row, verdict.status, verdict.days or 0))
    return found


__all__ = ["OVERDUE_SORTS", "REVIEW_SORTS", "SortOrder", "sort_order", "sorted_awaiting", "sorted_overdue"]
