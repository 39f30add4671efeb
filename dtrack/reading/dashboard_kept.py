"""Figures about days that have ended, kept in the database until something could change them.

The dashboard's trend asks for every month's end since a directive began, and
today's figures add every checkpoint moved past since then; at a million tasks
each month is a grouped query over the audit trail (seconds). What a closed
month says changes only by what is written about it afterwards: the trail is
append-only and written at the clock's time, so a later event is after the
month, except

- a deadline moved (extension, checkpoint, recompute: tasks are judged against
  the deadline in force), a task marked or unmarked not applicable;
- a task added (it may be assigned with a past day);
- an event written with an instant before the figures' own (a data set loaded
  later, a backdated import).

So the figures are kept in `dashboard_figures` (`persistence.dashboard_models`)
with the marks of the database when they were worked out (the highest event and
task ids, read on their primary keys). A reader reads the marks now and, when
events were added since, those events alone (a range of the primary key): a
figure holds unless one of them is of the kinds above (for the checkpoints
judged, only a mark of not applicable counts: a checkpoint's judgement reads
the events up to it and its own former deadline, never the deadline in force).
Each process remembers up to where it has read the events after a mark, so the
next reader reads only the newer ones. Nothing is stale and nothing is
invalidated by hand.

Writing is a short transaction of its own, never the reader's: the page's
session stays read-only (the page memo keeps what it computes), two servers
filling the same month at once leave one row (the unique key; the loser's rows
are dropped), and a read-only database (a replica) still shows the figures,
worked out each time. On PostgreSQL nothing is stored while a writing
transaction is open (`dtrack_change_key()` names it): an event id allocated
before the marks were read but committed after them would not be read back.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import case, delete, func, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from dtrack.config.today import Today
from dtrack.persistence.dashboard_models import DashboardFigures
from dtrack.persistence.models import Event, Task
from dtrack.reading.dashboard_sql import FIELDS
from dtrack.workflow.vocabulary import ApplicabilityTrigger, DeadlineTrigger

log = logging.getLogger("dtrack.dashboard")

MONTH = "month"  # a scope's counts at a month's end, summed over its units (unit "")
CHECKPOINTS = "checkpoints"  # the checkpoints moved past by a month's end, per unit (slug)
_APPLICABILITY = tuple(t.value for t in ApplicabilityTrigger)
# What a later event must be to change a kept figure of each kind (besides an instant before it).
CHANGING = {MONTH: (*(t.value for t in DeadlineTrigger), *_APPLICABILITY), CHECKPOINTS: _APPLICABILITY}
Figures = dict[str, int]  # one unit's counts, by `reading.dashboard_sql.FIELDS`


@dataclass(frozen=True)
class Marks:
    """What the database holds now: the highest event and task ids, and whether no writer is open."""

    event: int
    task: int
    quiet: bool  # PostgreSQL: no writing transaction open (what is read now will not change under the marks)


def marks(session: Session) -> Marks:
    """The database's marks (two primary-key reads; on PostgreSQL the change key's open writers too)."""
    event = session.scalar(select(func.max(Event.id))) or 0
    task = session.scalar(select(func.max(Task.id))) or 0
    quiet = True
    if session.get_bind().dialect.name == "postgresql":
        key = str(session.scalar(text("SELECT dtrack_change_key()")) or "")
        quiet = key.split(":")[-1] == ""  # "count:count:writers"
    return Marks(event, task, quiet)


@dataclass
class _Read:
    """Up to which event this process has read the events after a mark, and what it found."""

    upto: int
    changing: dict[str, bool]  # per kind: a changing event among them
    earliest: datetime | None  # the earliest instant among them


class _Reads:
    """The events after each mark, read once per process and then only the newer ones (thread-safe)."""

    def __init__(self, size: int = 256) -> None:
        self._reads: dict[tuple[str, int], _Read] = {}
        self._size = size
        self._lock = threading.Lock()

    def since(self, session: Session, mark: int, now: int) -> _Read:
        key = (str(session.get_bind().engine.url), mark)
        with self._lock:
            known = self._reads.get(key)
        start = known.upto if known is not None else mark
        found = _Read(max(start, now), dict(known.changing) if known else dict.fromkeys(CHANGING, False),
                      known.earliest if known else None)
        if now > start:
            columns = [func.max(case((Event.trigger.in_(triggers), 1), else_=0)) for triggers in CHANGING.values()]
            row = session.execute(select(func.min(Event.at), *columns)
                                  .where(Event.id > start, Event.id <= now)).one()
            if row[0] is not None:
                found.earliest = row[0] if found.earliest is None else min(found.earliest, row[0])
            for kind, seen in zip(CHANGING, row[1:], strict=True):
                found.changing[kind] = found.changing[kind] or bool(seen)
            with self._lock:
                if len(self._reads) >= self._size:
                    self._reads.clear()
                self._reads[key] = found
        return found

    def clear(self) -> None:
        with self._lock:
            self._reads.clear()


READS = _Reads()


def holds(session: Session, kind: str, row_marks: tuple[int, int], until: datetime, now: Marks) -> bool:
    """Whether a figure of `kind` about what happened before `until`, kept at `row_marks`, still holds."""
    event_mark, task_mark = row_marks
    if task_mark != now.task or event_mark > now.event:
        return False  # a task added (or a database put back from a copy)
    if event_mark == now.event:
        return True
    read = READS.since(session, event_mark, now.event)
    return not read.changing[kind] and (read.earliest is None or read.earliest >= until)


def scope_text(key: tuple[object, ...]) -> str:
    """A scope's key (`reading.scope.Scope.key`) as the table's text."""
    return "|".join("" if part is None else str(part) for part in key)


def kept(session: Session, kind: str, scope: str, today: Today, days: Iterable[date], now: Marks
         ) -> dict[date, dict[str, Figures]]:
    """Day -> unit -> figures of the kept figures of `kind` that still hold (days whose figures do not: absent)."""
    wanted = set(days)
    if not wanted:
        return {}
    rows = session.execute(
        select(DashboardFigures.day, DashboardFigures.unit, DashboardFigures.event_mark, DashboardFigures.task_mark,
               *(getattr(DashboardFigures, name) for name in FIELDS))
        .where(DashboardFigures.kind == kind, DashboardFigures.scope == scope, DashboardFigures.zone == today.zone,
               DashboardFigures.day.in_(sorted(wanted))))
    found: dict[date, dict[str, Figures]] = {}
    verdicts: dict[tuple[date, int, int], bool] = {}
    for day, unit, event_mark, task_mark, *figures in rows:
        verdict = verdicts.get((day, event_mark, task_mark))
        if verdict is None:
            verdict = holds(session, kind, (event_mark, task_mark), today.on(day).ends_at(), now)
            verdicts[(day, event_mark, task_mark)] = verdict
        if verdict:
            found.setdefault(day, {})[unit] = dict(zip(FIELDS, (int(v) for v in figures), strict=True))
    return found


def keep(session: Session, kind: str, scope: str, today: Today, figures: Mapping[date, Mapping[str, Figures]],
         then: Marks) -> bool:
    """Store the figures of these days (worked out at marks `then`), in a transaction of their own.

    False when nothing was stored: a writer was open at `then`, or the database refused (read-only,
    another server storing the same day at once); the figures are then worked out again next time.
    """
    if not figures or not then.quiet:
        return False
    now = datetime.now(UTC)
    rows = [{"kind": kind, "scope": scope, "zone": today.zone, "day": day, "unit": unit, **dict.fromkeys(FIELDS, 0),
             **{name: int(counts.get(name, 0)) for name in FIELDS}, "event_mark": then.event, "task_mark": then.task,
             "computed_at": now}
            for day, units in figures.items() for unit, counts in units.items()]
    try:
        with session.get_bind().engine.begin() as connection:
            connection.execute(delete(DashboardFigures).where(
                DashboardFigures.kind == kind, DashboardFigures.scope == scope, DashboardFigures.zone == today.zone,
                DashboardFigures.day.in_(sorted(figures))))
            if rows:
                connection.execute(insert(DashboardFigures), rows)
    except DBAPIError as exc:  # a replica, a lock, the same day stored by another server: not this page's error
        log.info("dashboard figures not kept (%s): %s", kind, type(exc.orig).__name__)
        return False
    return True


__all__ = ["CHECKPOINTS", "CHANGING", "MONTH", "READS", "Marks", "holds", "keep", "kept", "marks", "scope_text"]
