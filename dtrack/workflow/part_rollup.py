"""The roll-up: what a task's communes have done, counted, and the task's progress when it follows them.

A task shows its parts' total, completed, overdue and blocked counts. A part
is overdue as a task is: still owed by its commune (not started, in
progress, returned, blocked) after its deadline; a submitted part is the
province's turn and is not. `counts` says it on plain values (the property
tests compare it with `rollups`, the one SQL that counts many tasks at once).

A task whose progress follows its parts (`tasks.progress_from_parts`) takes
their average, rounded half up, each time a part moves (`follow_parts`, in
the part's transaction) and whenever the task's own action would write a
progress: what the province types is not used then.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Connection, case, func, select, update
from sqlalchemy.orm import Session

from dtrack.persistence.models import Task
from dtrack.persistence.part_models import TaskPart
from dtrack.workflow.views import View
from dtrack.workflow.vocabulary import OWED_BY_PROVINCE, State


@dataclass(frozen=True)
class Rollup(View):
    """A task's parts, counted."""

    total: int = 0
    completed: int = 0
    overdue: int = 0
    blocked: int = 0
    submitted: int = 0
    progress: int = 0  # the parts' average progress, rounded half up

    @property
    def open(self) -> int:
        return self.total - self.completed


def average(progresses: list[int]) -> int:
    """The mean of whole percentages, rounded half up (never the banker's rounding)."""
    return (2 * sum(progresses) + len(progresses)) // (2 * len(progresses)) if progresses else 0


def counts(parts: Iterable[tuple[str, date, int]], today: date) -> Rollup:
    """The roll-up of (state, due_on, progress) triples as of `today`."""
    rows = list(parts)
    return Rollup(
        total=len(rows),
        completed=sum(1 for state, _, _ in rows if state == State.COMPLETED),
        overdue=sum(1 for state, due, _ in rows if state in OWED_BY_PROVINCE and due < today),
        blocked=sum(1 for state, _, _ in rows if state == State.BLOCKED),
        submitted=sum(1 for state, _, _ in rows if state == State.SUBMITTED),
        progress=average([progress for _, _, progress in rows]),
    )


def _summed(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def rollups(session: Session | Connection, task_ids: Iterable[int], today: date) -> dict[int, Rollup]:
    """The roll-up of each task of `task_ids` that has parts (one grouped query); a task without parts is absent."""
    ids = sorted(set(task_ids))
    if not ids:
        return {}
    parts = TaskPart.__table__
    query = (select(parts.c.task_id, func.count(), _summed(parts.c.state == State.COMPLETED.value),
                    _summed(parts.c.state.in_(OWED_BY_PROVINCE) & (parts.c.due_on < today)),
                    _summed(parts.c.state == State.BLOCKED.value), _summed(parts.c.state == State.SUBMITTED.value),
                    func.sum(parts.c.progress))
             .where(parts.c.task_id.in_(ids)).group_by(parts.c.task_id))
    found: dict[int, Rollup] = {}
    for task_id, total, completed, overdue, blocked, submitted, progress_sum in session.execute(query):
        found[task_id] = Rollup(int(total), int(completed), int(overdue), int(blocked), int(submitted),
                                (2 * int(progress_sum) + int(total)) // (2 * int(total)))
    return found


def parts_average(connection: Connection, task_id: int) -> int | None:
    """The average progress of the task's parts; None if it has none."""
    row = connection.execute(select(func.count(), func.sum(TaskPart.__table__.c.progress))
                             .where(TaskPart.__table__.c.task_id == task_id)).one()
    return None if not row[0] else (2 * int(row[1]) + int(row[0])) // (2 * int(row[0]))


def follow_parts(connection: Connection, task_id: int) -> None:
    """Set the task's progress to its parts' average if it follows them (not once completed: that is 100)."""
    tasks = Task.__table__
    following = connection.scalar(select(tasks.c.progress_from_parts).where(tasks.c.id == task_id,
                                                                           tasks.c.state != State.COMPLETED.value))
    if not following:
        return
    value = parts_average(connection, task_id)
    if value is not None:
        connection.execute(update(tasks).where(tasks.c.id == task_id).values(progress=value))


__all__ = ["Rollup", "average", "counts", "follow_parts", "parts_average", "rollups"]
