"""A synthetic national data set: about 1,000,000 tasks, inserted in bulk.

The shape is 30 directives x 3,321 commune-level units x 10 task groups =
996,300 tasks, on top of what `dtrack init` creates (34 provinces, Directive
20, 340 tasks). The schema's unit of assignment is `Province`; after the 2025
reorganisation the level below the 34 provinces is the 3,321 communes and
wards, so each commune becomes one extra `Province` row (slug `xa-0001` ..
`xa-3321`, kind `xa`), spread over the regions in the same proportion as the
real provinces (15 north / 11 central / 8 south). The 34 real provinces stay.
Directive 20 is assigned to the communes too; the other 29 directives are
copies of its groups under codes `BENCH-01/CT` .. `BENCH-29/CT`.

Rows go in with SQLAlchemy Core `executemany` in chunks (SQLite) or with
PostgreSQL `COPY` through psycopg; never the ORM one row at a time. Ids are
given explicitly so events can point at their tasks without reading back.
"""
from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import make_url

from dtrack.usecases.bootstrap import initialise
from dtrack.workflow.clock import Clock
from dtrack.workflow.database import Database
from dtrack.workflow.models import Directive, Event, Province, Task, TaskGroup, User
from dtrack.workflow.vocabulary import Region, Role, State, Trigger

FULL_SHAPE = (30, 3321, 10)  # directives, units, groups per directive
QUICK_SHAPE = (2, 100, 10)
ASSIGNED_FROM = date(2025, 7, 1)  # directives are issued over the year from here
AS_OF = date(2026, 1, 5)  # the day the snapshot describes: nothing happens after it
CHUNK = 20_000
SEED = 20

# How tasks stand on AS_OF (weights): most started, a fifth completed, a few blocked.
STATE_WEIGHTS = {
    State.NOT_STARTED: 22,
    State.IN_PROGRESS: 38,
    State.SUBMITTED: 10,
    State.RETURNED: 5,
    State.BLOCKED: 5,
    State.COMPLETED: 20,
}
# The trigger that last moved a task into each state (its last audit event).
LAST_TRIGGER = {
    State.IN_PROGRESS: (Trigger.START, State.NOT_STARTED),
    State.SUBMITTED: (Trigger.SUBMIT, State.IN_PROGRESS),
    State.RETURNED: (Trigger.SEND_BACK, State.SUBMITTED),
    State.BLOCKED: (Trigger.BLOCK, State.IN_PROGRESS),
    State.COMPLETED: (Trigger.ACCEPT, State.SUBMITTED),
}
REGION_SHARES = ((Region.NORTH, 15), (Region.CENTRAL, 11), (Region.SOUTH, 8))
BENCH_ACTOR = "bench.overseer@khuyencong.moit.example.vn"


@dataclass
class GenerateStats:
    directives: int
    units: int
    groups: int
    tasks: int  # all tasks in the database, the 340 of `dtrack init` included
    events: int
    seconds: float
    size_bytes: int

    @property
    def size_mb(self) -> float:
        return self.size_bytes / 1_000_000


def unit_region(index: int, units: int) -> str:
    """The region of commune `index` (0-based): 15/11/8 of every 34, as the provinces are."""
    position = (index * 34) // units if units >= 34 else index % 34
    for region, share in REGION_SHARES:
        if position < share:
            return region.value
        position -= share
    return Region.SOUTH.value


def generate(url: str, *, directives: int, units: int, groups: int = 10, seed: int = SEED) -> GenerateStats:
    """Initialise the database at `url` and fill it with the synthetic data set."""
    start = time.perf_counter()
    db = Database(url)
    initialise(db, Clock(pinned=date(2025, 11, 3)))
    rng = random.Random(seed)
    now = datetime(2026, 1, 5, 1, 0, tzinfo=timezone.utc)
    with db.engine.begin() as conn:
        actor_id = conn.execute(
            insert(User).returning(User.id),
            {"email": BENCH_ACTOR, "name": "Giám sát (benchmark)", "role": Role.OVERSEER.value,
             "province_id": None, "locale": "vi", "created_at": now},
        ).scalar_one()
        unit_ids = _add_units(conn, units)
        group_ids = _add_directives(conn, directives, groups, now)
        periods = {
            ordinal: period for ordinal, period in conn.execute(
                select(TaskGroup.ordinal, func.max(Task.period)).join(Task).group_by(TaskGroup.ordinal)
            )
        }
        first_task = (conn.execute(select(func.max(Task.id))).scalar() or 0) + 1
        first_event = (conn.execute(select(func.max(Event.id))).scalar() or 0) + 1
        tasks, events = _rows(rng, group_ids, unit_ids, periods, first_task, first_event, actor_id, now)
        _, event_count = _insert(conn, tasks, events)
        if conn.dialect.name == "postgresql":
            for table in ("tasks", "events"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"))
    if db.dialect == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    else:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    seconds = time.perf_counter() - start
    with db.session() as session:
        total = session.scalar(select(func.count()).select_from(Task))
    size = database_size(db)
    db.dispose()
    return GenerateStats(directives, units, groups, int(total or 0), event_count, seconds, size)


def database_size(db: Database) -> int:
    """Bytes on disk: the SQLite file (and WAL), or pg_database_size."""
    if db.is_sqlite:
        path = Path(make_url(db.url).database or "")
        return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    with db.engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())


def _add_units(conn, units: int) -> list[int]:
    """The commune-level units as Province rows; returns their ids in order."""
    next_ordinal = (conn.execute(select(func.max(Province.ordinal))).scalar() or 0) + 1
    rows = [
        {"slug": f"xa-{i + 1:04d}", "name": f"Xã {i + 1:04d}", "name_en": f"Commune {i + 1:04d}",
         "region": unit_region(i, units), "kind": "xa", "ordinal": next_ordinal + i}
        for i in range(units)
    ]
    conn.execute(insert(Province), rows)
    return list(conn.execute(select(Province.id).where(Province.kind == "xa").order_by(Province.ordinal)).scalars())


def _add_directives(conn, directives: int, groups: int, now: datetime) -> list[tuple[int, int, date]]:
    """Directive 20 plus copies of its groups; returns (group id, ordinal, assigned on) per group."""
    template = conn.execute(select(TaskGroup).order_by(TaskGroup.ordinal).limit(groups)).mappings().all()
    directive_20 = conn.execute(select(Directive)).mappings().first()
    assert directive_20 is not None
    found = [(g["id"], g["ordinal"], date(2025, 11, 3)) for g in template]
    for number in range(1, directives):
        issued = ASSIGNED_FROM + timedelta(days=(number * 180) // max(directives, 1))
        row = {k: v for k, v in directive_20.items() if k != "id"}
        row.update(code=f"BENCH-{number:02d}/CT", issued_on=issued, digest=f"{number:064d}", loaded_at=now)
        directive_id = conn.execute(insert(Directive).returning(Directive.id), row).scalar_one()
        copies = [{**{k: v for k, v in g.items() if k not in ("id", "directive_id")}, "directive_id": directive_id}
                  for g in template]
        conn.execute(insert(TaskGroup), copies)
        ids = conn.execute(
            select(TaskGroup.id, TaskGroup.ordinal).where(TaskGroup.directive_id == directive_id).order_by(TaskGroup.ordinal)
        ).all()
        found.extend((gid, ordinal, issued) for gid, ordinal in ids)
    return found


def _rows(rng: random.Random, group_ids, unit_ids, periods, first_task: int, first_event: int,
          actor_id: int, now: datetime) -> tuple[Iterator[dict[str, Any]], list[dict[str, Any]]]:
    """Task rows as a generator; their events are collected while it runs."""
    states = list(STATE_WEIGHTS)
    weights = list(STATE_WEIGHTS.values())
    events: list[dict[str, Any]] = []

    def tasks() -> Iterator[dict[str, Any]]:
        task_id, event_id = first_task, first_event
        for group_id, ordinal, assigned_on in group_ids:
            for unit_id in unit_ids:
                state = rng.choices(states, weights)[0]
                original_due = assigned_on + timedelta(days=rng.randint(60, 365))
                # One in ten deadlines has been extended.
                due = original_due + timedelta(days=rng.choice((30, 60, 90))) if rng.random() < 0.1 else original_due
                span = max((AS_OF - assigned_on).days, 1)
                moved = datetime.combine(assigned_on, datetime.min.time(), timezone.utc) + timedelta(
                    days=rng.randint(1, span), hours=rng.randint(1, 10))
                submitted = moved if state in (State.SUBMITTED, State.COMPLETED, State.RETURNED) else None
                completed = moved + timedelta(hours=rng.randint(1, 72)) if state is State.COMPLETED else None
                progress = {State.NOT_STARTED: 0, State.COMPLETED: 100}.get(state, rng.randint(5, 95))
                yield {
                    "id": task_id, "group_id": group_id, "province_id": unit_id, "period": periods.get(ordinal, ""),
                    "state": state.value, "progress": progress, "assigned_on": assigned_on,
                    "original_due_on": original_due, "due_on": due, "submitted_at": submitted,
                    "completed_at": completed, "updated_at": completed or moved, "version": 1,
                }
                if state in LAST_TRIGGER:
                    trigger, from_state = LAST_TRIGGER[state]
                    events.append({
                        "id": event_id, "task_id": task_id, "actor_id": actor_id, "trigger": trigger.value,
                        "from_state": from_state.value, "to_state": state.value, "progress": progress,
                        "note": "Lý do từ dữ liệu mô phỏng" if trigger in (Trigger.BLOCK, Trigger.SEND_BACK) else None,
                        "evidence": None, "at": completed or moved,
                    })
                    event_id += 1
                task_id += 1

    return tasks(), events


def _chunks(rows: Iterator[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _insert(conn, tasks: Iterator[dict[str, Any]], events: list[dict[str, Any]]) -> tuple[int, int]:
    """Insert tasks, then events, a chunk at a time; returns the counts."""
    task_count = event_count = 0
    for chunk in _chunks(tasks):
        _bulk(conn, Task.__table__, chunk)
        task_count += len(chunk)
        # Events of this chunk go in now, so the list never holds the whole set.
        _bulk(conn, Event.__table__, events)
        event_count += len(events)
        events.clear()
    return task_count, event_count


def _bulk(conn, table, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), rows)
        return
    columns = list(rows[0])
    # COPY takes Python values through psycopg's own adapters; UTCDateTime
    # columns are aware UTC datetimes, which PostgreSQL stores as given (naive).
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([_naive(row[c]) for c in columns])


def _naive(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


__all__ = ["FULL_SHAPE", "QUICK_SHAPE", "GenerateStats", "database_size", "generate", "unit_region"]
