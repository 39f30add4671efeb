"""The answer to a lost race: who changed the task (or a commune's part of one) last, and when, in local time.

The write path (`workflow.service`) refuses a change made on a version
that is no longer the row's; the error names the last audit row's author
so the user knows whose change won. `workflow.service` re-exports it.
"""
from __future__ import annotations

from sqlalchemy import Connection, Table, select
from sqlalchemy.orm import Session

from dtrack.config.clock import local_dmy_hm
from dtrack.errors import ConcurrentUpdate
from dtrack.persistence.models import Event, User
from dtrack.persistence.sql_types import AnyRow


def conflict(db: Session | Connection, task_id: int, key: str, tz: str, events: Table | None = None,
             event_key: str = "task_id") -> ConcurrentUpdate:
    """The conflict error naming the last change of the task (who, when in local time).

    `events` and `event_key` name another audit table and its row column (a part's: `part_events`, `part_id`).
    """
    table = Event.__table__ if events is None else events
    users = User.__table__
    row: AnyRow | None = db.execute(
        select(users.c.name, table.c.at).select_from(table).outerjoin(users, table.c.actor_id == users.c.id)
        .where(table.c[event_key] == task_id).order_by(table.c.id.desc()).limit(1)).first()
    if row is None:
        return ConcurrentUpdate(key)
    at = local_dmy_hm(row.at, tz)
    return ConcurrentUpdate(key, row.name or "dtrack", at)


__all__ = ["conflict"]
