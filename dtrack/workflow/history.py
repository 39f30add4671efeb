"""Tasks as they stood at the end of a day, and which tasks count in a total.

Every view that takes a day (`--as-of`, the web's `?as_of=`, a report)
means the same thing by it: the state each task was in when that day ended
(in the `Today`'s time zone), replayed from the audit trail (`events`). Deadlines are
the ones in force now (an extension is kept on the task, and judging a past
day against them is what the reports have always done).

Replaying every task would read the whole audit trail, so only the tasks
with an event after the day are replayed; every other task still stands as
its row says. For today (no event after it) that is one query on the
tasks, as before.

`countable` is the one condition a task meets to count in any total (the
report's matrix and tables, `dtrack status`, `dtrack overdue`, the four-cell
matrix, the web pages): a rule that takes tasks out of the counts is added
there and reaches every view. A task an overseer marked not applicable
(`workflow.applicability.counted`) is left out there; lists and matrices
that show such a task as "not applicable" take `assigned_by` instead and
leave it out of their counts themselves. The Department's own tasks count
(in their own sections), never in a province's figures: views of provinces
add `workflow.applicability.in_province_figures`.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from dtrack.config.today import Today
from dtrack.persistence.models import Event, Task
from dtrack.persistence.sql_types import AnyRow, AnySelect
from dtrack.workflow.applicability import counted
from dtrack.workflow.vocabulary import ApplicabilityTrigger, State, Trigger

# Ids per IN (...) list: well under SQLite's and PostgreSQL's parameter limits.
IDS_PER_QUERY = 500


def assigned_by(as_of: date) -> list[ColumnElement[bool]]:
    """The conditions a task meets to exist on `as_of` (shown in lists, maybe as not applicable): assigned by then."""
    return [Task.assigned_on <= as_of]


def countable(as_of: date) -> list[ColumnElement[bool]]:
    """The conditions a task meets to count in the totals as of `as_of`: assigned by then, not marked not applicable.

    In SQL the mark is today's, so the SQL form is for a day nothing happened after
    (`nothing_after`); `standing_rows` applies the same rule with the day's mark.
    """
    return [*assigned_by(as_of), counted()]


@dataclass(frozen=True, slots=True)  # slots: one object, not two, for each of a report's 37,000 tasks
class Standing:
    """A task's state at the end of a day."""

    state: str
    progress: int
    submitted_at: datetime | None
    completed_at: datetime | None
    # Marked not applicable at the end of the day (the last exempt/restore event before it ended).
    not_applicable: bool = False


NOT_STARTED = Standing(State.NOT_STARTED.value, 0, None, None)


# What `fold` reads of an event (an Event, or a row of these columns).
_FOLD_COLUMNS = (Event.task_id, Event.trigger, Event.to_state, Event.progress, Event.at)


def fold(events: Iterable[Event | AnyRow]) -> Standing:
    """The state the events (oldest first) leave a task in; a task with none has not started."""
    state, progress, submitted_at, completed_at, exempt = NOT_STARTED.state, 0, None, None, False
    for event in events:
        state, progress = event.to_state, event.progress
        if event.trigger == Trigger.SUBMIT:
            submitted_at = event.at
        elif event.trigger == Trigger.ACCEPT:
            completed_at = event.at
        elif event.trigger == Trigger.REOPEN:
            completed_at = None
        elif event.trigger in (ApplicabilityTrigger.EXEMPT, ApplicabilityTrigger.RESTORE):
            exempt = event.trigger == ApplicabilityTrigger.EXEMPT
    return Standing(state, progress, submitted_at, completed_at, exempt)


def changed_after(session: Session, until: datetime) -> set[int]:
    """The tasks with an event at or after `until` (their row no longer shows how they stood)."""
    # No DISTINCT: with it SQLite walks the task_id index over the whole trail (2 s at 6M events);
    # without it the `at` index reads only the events after the day.
    return set(session.scalars(select(Event.task_id).where(Event.at >= until)))


def replay(session: Session, task_ids: Iterable[int], until: datetime) -> dict[int, Standing]:
    """How each of `task_ids` stood just before `until`, from its events."""
    ids = sorted(set(task_ids))
    by_task: dict[int, list[AnyRow]] = {i: [] for i in ids}
    # Only the columns `fold` reads, as plain rows: building an ORM Event per row cost more than the query.
    for start in range(0, len(ids), IDS_PER_QUERY):
        chunk = ids[start:start + IDS_PER_QUERY]
        for event in session.execute(select(*_FOLD_COLUMNS).where(Event.task_id.in_(chunk), Event.at < until)
                                     .order_by(Event.at, Event.id)):
            by_task[event.task_id].append(event)
    return {task_id: fold(events) for task_id, events in by_task.items()}


# Whether the task is marked not applicable now, read with its row: no index has the mark, so
# reading the marked tasks apart would scan a million tasks.
MARKED = Task.not_applicable_since.is_not(None).label("marked_not_applicable")
# The columns a query given to `standing_rows` selects (under these names), among others.
STANDING_COLUMNS = (Task.id, Task.state, Task.progress, Task.submitted_at, Task.completed_at, MARKED)


def standing_rows(session: Session, query: AnySelect, today: Today, *,
                  counting: bool = True) -> Iterator[tuple[AnyRow, Standing]]:
    """Each row of `query` (countable tasks only) with how its task stood at the end of `today`.

    `counting=False`: every task assigned by then, not-applicable ones included
    (for a view that shows them as such and leaves them out of its counts).

    `query` selects `STANDING_COLUMNS` (id, state, progress, submitted_at,
    completed_at, the mark) and whatever the caller needs; those stored
    columns are today's, the Standing is the day's.
    """
    until = today.ends_at()
    rows = list(session.execute(query.where(*assigned_by(today.day))))
    changed = changed_after(session, until)
    stale = replay(session, (row.id for row in rows if row.id in changed), until) if changed else {}
    for row in rows:  # a task changed since the day has its mark of that day from the replay
        standing = stale.get(row.id) or Standing(row.state, row.progress, row.submitted_at, row.completed_at,
                                                 row.marked_not_applicable)
        if counting and standing.not_applicable:
            continue  # the rule of `countable`, on the day's mark
        yield row, standing


def nothing_after(session: Session, today: Today) -> bool:
    """True when no task changed after `today` ended: every row stands as it did then."""
    until = today.ends_at()
    return session.scalar(select(Event.id).where(Event.at >= until).limit(1)) is None


__all__ = ["IDS_PER_QUERY", "MARKED", "STANDING_COLUMNS", "Standing", "assigned_by", "changed_after", "countable",
           "fold", "nothing_after", "replay", "standing_rows"]
