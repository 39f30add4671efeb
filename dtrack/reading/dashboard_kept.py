"""Figures about days that have ended, kept in the server until something could change them.

The dashboard's trend asks for every month's end since a directive began, and the
checkpoints moved past are judged once for all of them; at a million tasks each is a
grouped query over the audit trail (seconds). What they say changes only by what is
written about those days afterwards: the trail is append-only and written at the
clock's time, so a later event is after the day, except

- a deadline moved (extension, checkpoint, recompute: tasks are judged against the
  deadline in force), a task marked or unmarked not applicable;
- a task added (it may be assigned with a past day);
- an event written with an instant before the figures' own (a data set loaded later).

Each use reads the marks of the database (the highest event and task ids, on their
primary keys) and, when events were added since the figure was kept, those events
alone (a range of the primary key): the figure is recomputed only if one of them is
of the kinds above. Nothing is stale and nothing is invalidated by hand; kept per
process (each worker fills its own), at most `size` figures.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from dtrack.persistence.models import Event, Task
from dtrack.workflow.vocabulary import ApplicabilityTrigger, DeadlineTrigger

T = TypeVar("T")
Marks = tuple[int, int]  # the highest event id, the highest task id
_CHANGING = (*(t.value for t in DeadlineTrigger), *(t.value for t in ApplicabilityTrigger))


class Kept:
    def __init__(self, size: int = 1024) -> None:
        self._kept: dict[Hashable, tuple[Any, datetime, Marks]] = {}
        self._size = size
        self._lock = threading.Lock()

    @staticmethod
    def marks(session: Session) -> Marks:
        """What the database holds now, as two primary keys (read once per page)."""
        return (session.scalar(select(func.max(Event.id))) or 0, session.scalar(select(func.max(Task.id))) or 0)

    def get(self, session: Session, key: Hashable, until: datetime, marks: Marks, compute: Callable[[], T] | None
            ) -> T | None:
        """The figure kept for `key` (about what happened before `until`) if still true; else computed and kept.

        `compute` None: only a figure already kept (None when there is none that holds).
        """
        key = (str(session.get_bind().engine.url), key)
        with self._lock:
            kept = self._kept.get(key)
        if kept is not None and self._holds(session, kept[1], kept[2], marks):
            with self._lock:
                self._kept[key] = (kept[0], kept[1], marks)
            return kept[0]  # type: ignore[no-any-return]
        if compute is None:
            return None
        found = compute()
        with self._lock:
            if len(self._kept) >= self._size:
                self._kept.clear()
            self._kept[key] = (found, until, marks)
        return found

    @staticmethod
    def _holds(session: Session, until: datetime, then: Marks, now: Marks) -> bool:
        if then[1] != now[1]:
            return False  # a task was added
        if then[0] == now[0]:
            return True
        changed = select(Event.id).where(Event.id > then[0], Event.id <= now[0],
                                         or_(Event.trigger.in_(_CHANGING), Event.at < until)).limit(1)
        return session.scalar(changed) is None

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


KEPT = Kept()

__all__ = ["KEPT", "Kept", "Marks"]
