"""A transition's writes on PostgreSQL as ONE statement: the guarded UPDATE, the audit INSERT, stale reminders.

On PostgreSQL each statement is a round trip, and so are the BEGIN and
COMMIT around them: a transition written as BEGIN, UPDATE, INSERT, (cancel
reminders), COMMIT waited for the server four or five times. Written as one
statement with data-modifying CTEs,

    WITH written AS (UPDATE tasks SET ... WHERE id = :id AND version = :read RETURNING ...),
         event AS (INSERT INTO events (...) SELECT written.id, ... FROM written RETURNING id),
         cancelled AS (UPDATE reminders SET cancelled_at = :at FROM written WHERE ... stale ...)
    SELECT event.id FROM event

it is one round trip, and on a connection in autocommit mode (`Tracker.fire`)
one transaction of its own: PostgreSQL runs a statement atomically, so the
three writes commit together or not at all, with the change-key triggers of
migration 0020 inside it. The version check is the UPDATE's: when another
writer changed the row since it was read, `written` is empty, so no event and
no cancellation is written and the statement returns no row (the caller
raises `StaleDataError`). Inside a caller's transaction (`service.apply`, a
part's transition, hooks) it is simply one statement of that transaction.

The sub-statements of one statement all see the snapshot taken before it,
so the reminders' staleness is judged on the task's new columns as the
UPDATE returns them, not on the `tasks` row (which would still show the old
state): the same rule as `reminders.cancel_stale_of_task`, which SQLite
runs as a statement after the UPDATE.
"""
from __future__ import annotations

from functools import cache

from sqlalchemy import CTE, Connection, Select, Table, and_, bindparam, insert, or_, select, update

from dtrack.persistence.models import Reminder
from dtrack.workflow.reminders import PROVINCE_KINDS
from dtrack.workflow.vocabulary import OWED_BY_PROVINCE, ReminderKind, State

# Event values are bound as `event_<column>`: `progress` is both a task column and an event column.
EVENT_PREFIX = "event_"


def write_in_one(connection: Connection, table: Table, events: Table, event_key: str, columns: tuple[str, ...],
                 params: dict[str, object], event: dict[str, object], cancel: bool) -> int | None:
    """Run the one statement; the new event's id, or None when the version read is no longer the row's."""
    statement = _statement(table, events, event_key, columns, tuple(event), cancel)
    values = {**params, **{EVENT_PREFIX + name: value for name, value in event.items()}}
    if cancel:
        values["cancel_at"] = event["at"]
    found: int | None = connection.execute(statement, values).scalar()
    return found


@cache
def _statement(table: Table, events: Table, event_key: str, columns: tuple[str, ...], event_columns: tuple[str, ...],
               cancel: bool) -> Select[int]:
    # Built once per shape (the action decides the changed columns): compiling it costs more than running it.
    returned = [table.c.id]
    if cancel:
        returned += [table.c.state, table.c.due_on, table.c.not_applicable_since]
    written = (
        update(table)
        .where(table.c.id == bindparam("subject_id"), table.c.version == bindparam("read_version"))
        .values({name: bindparam(name, type_=table.c[name].type) for name in columns})
        .returning(*returned)
        .cte("written")
    )
    others = [name for name in event_columns if name != event_key]
    rows = select(written.c.id, *(bindparam(EVENT_PREFIX + name, type_=events.c[name].type) for name in others))
    event = insert(events).from_select([event_key, *others], rows).returning(events.c.id).cte("event")
    query = select(event.c.id)
    if cancel:
        query = query.add_cte(_cancelled(written))
    return query


def _cancelled(written: CTE) -> CTE:
    """Reminders of the task that its new columns make stale (`reminders._cancel_statement`'s rule)."""
    task = written.c
    reminders = Reminder.__table__
    stale_province = or_(task.state.not_in(OWED_BY_PROVINCE), task.due_on.is_(None), task.due_on != reminders.c.due_on,
                         task.not_applicable_since.is_not(None))
    stale_nudge = or_(task.state != State.SUBMITTED.value, task.not_applicable_since.is_not(None))
    return (
        update(reminders)
        .where(
            reminders.c.task_id == task.id,
            reminders.c.consumed_at.is_(None),
            reminders.c.cancelled_at.is_(None),
            or_(and_(reminders.c.kind.in_(PROVINCE_KINDS), stale_province),
                and_(reminders.c.kind == ReminderKind.REVIEW_NUDGE.value, stale_nudge)),
        )
        .values(cancelled_at=bindparam("cancel_at", type_=reminders.c.cancelled_at.type))
        .cte("cancelled")
    )


__all__ = ["write_in_one"]
