"""A realistic national season: about 1,000,000 tasks with their history, inserted in bulk.

The shape (full size):

- units: the 34 provinces of `dtrack init` and 3,321 commune-level units
  (communes and wards after the 2025 reorganisation). The schema's unit of
  assignment is `Province`, so each commune is an extra `Province` row
  (slug `xa-0001` .. `xa-3321`, kind `xa`) whose parent province is fixed by
  `commune_parent` (uneven: 40 to 170 communes a province, as the real
  reorganisation left them) and whose region is its parent's.
- directives: Directive 20/CT-BCT (issued 03/11/2025) for the 34 provinces
  (the 340 tasks of `dtrack init`, left as `init` made them) and for every
  commune; plus `BENCH-01/CT` .. `BENCH-41/CT`, copies of its ten groups
  issued from January 2022 to October 2025, each assigned to a
  deterministic share (35-65 %) of the provinces and of the communes. The
  recurring group (half-yearly reports) has one task per period opened by
  the snapshot day, the continuous groups are at their checkpoint in force.
- history: each unit has a working profile (fast, steady, late, stuck, as in
  `usecases/demo.py`); each task's life is simulated from its assignment
  date: started, blocked and unblocked, one to four progress updates,
  submitted near its deadline (late profiles after it), sometimes sent back
  and resubmitted, accepted; a continuous task repeats the cycle per
  checkpoint. Only what happened by AS_OF is kept, so states follow the
  dates, and the audit events are that history (5-10 per task that moved).
- people: one province-role officer per unit (the digests' 3,355
  recipients) and a Department overseer who reviews; one commune officer
  per official commune (role `commune`, 3,321).
- the commune-scale season (bench/season_parts.py): the 34 provinces hand
  parts of their tasks to their real communes (the `communes` table that
  `dtrack init` loads from the official list): Hà Nội every task to all its
  126 communes, the others groups 5 and 7 and a share of the rest to all
  theirs (`delegate_to`: to their first N communes only, a small season).
  Each part lives a task's life from its delegation, with its `part_events`.

The benchmark judges the data on AS_OF, the snapshot day itself.

Rows go in with the driver's `executemany` (SQLite, one transaction without
a journal) or PostgreSQL `COPY`, secondary indexes built after; never the ORM. Ids are given explicitly so events point
at their tasks without reading back.
"""
from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from bench.season import AS_OF, SEED, Assignment, Season
from bench.season_parts import PART_COLUMNS, PART_EVENT_COLUMNS, PartSeason, commune_officer_email, task_rows
from dtrack.config.clock import Clock
from dtrack.persistence.commune_models import Commune
from dtrack.persistence.database import Database
from dtrack.persistence.models import Directive, Event, Province, Task, TaskGroup, User
from dtrack.persistence.part_models import PartEvent, TaskPart
from dtrack.persistence.task_tallies import paused
from dtrack.usecases.bootstrap import initialise
from dtrack.workflow.vocabulary import Owner, Region, Role

FULL_SHAPE = (42, 3321, 10)  # directives (Directive 20 included), commune units, groups per directive
QUICK_SHAPE = (3, 100, 10)
QUICK_DELEGATE_TO = 12  # the quick season: each province but Hà Nội delegates to its first 12 communes
FIRST_ISSUE = date(2022, 1, 10)  # the first synthetic directive; the last is issued in October 2025
LAST_ISSUE = date(2025, 10, 15)
DIRECTIVE_20_ON = date(2025, 11, 3)
CHUNK = 50_000
REGION_SHARES = ((Region.NORTH, 15), (Region.CENTRAL, 11), (Region.SOUTH, 8))
BENCH_ACTOR = "bench.overseer@khuyencong.moit.example.vn"
TASK_COLUMNS = ("id", "group_id", "province_id", "period", "state", "progress", "assigned_on", "original_due_on",
                "due_on", "submitted_at", "completed_at", "updated_at", "version")
EVENT_COLUMNS = ("id", "task_id", "actor_id", "trigger", "from_state", "to_state", "progress", "note", "evidence",
                 "at", "from_due_on", "to_due_on")


@dataclass
class GenerateStats:
    directives: int
    units: int
    groups: int
    tasks: int  # all tasks in the database, the 340 of `dtrack init` included
    events: int
    seconds: float
    size_bytes: int
    states: dict[str, int] | None = None
    parts: int = 0  # the commune-scale season: parts delegated to communes, their events, tasks delegated
    part_events: int = 0
    delegated_tasks: int = 0
    parts_seconds: float = 0.0  # of `seconds`: making and loading the parts, their indexes built
    part_states: dict[str, int] | None = None

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


def commune_parents(units: int, provinces: list[tuple[int, str]], seed: int = SEED) -> list[int]:
    """The parent province id of each commune, in order: uneven counts, each commune in its region.

    `provinces` is (id, region) in ordinal order. A province's weight is drawn
    once (1 to 4), so some hold four times the communes of others.
    """
    rng = random.Random(seed * 7)
    weights = {pid: rng.choice((1, 1.5, 2, 2.5, 3, 4)) for pid, _ in provinces}
    by_region: dict[str, list[int]] = {}
    for pid, region in provinces:
        by_region.setdefault(region, []).append(pid)
    parents = []
    for i in range(units):
        candidates = by_region.get(unit_region(i, units)) or [pid for pid, _ in provinces]
        parents.append(rng.choices(candidates, [weights[c] for c in candidates])[0])
    return parents


def generate(url: str, *, directives: int, units: int, groups: int = 10, seed: int = SEED,
             delegate_to: int | None = None) -> GenerateStats:
    """Initialise the database at `url` and fill it with the season (parts: to at most `delegate_to` communes
    of each province but Hà Nội, when given)."""
    start = time.perf_counter()
    db = Database(url)
    initialise(db, Clock(pinned=DIRECTIVE_20_ON))
    rng = random.Random(seed)
    now = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
    states: dict[str, int] = {}
    loader = db.engine
    if db.is_sqlite:
        # A bulk load needs no journal: a crash only loses the scratch file. Without WAL
        # the million rows are written once, not to the WAL and then again to the file.
        db.dispose()
        loader = create_engine(url, poolclass=NullPool)
        with loader.connect() as conn:
            conn.exec_driver_sql("PRAGMA journal_mode=OFF")
    with loader.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA synchronous=OFF")
        overseer = conn.execute(
            insert(User).returning(User.id),
            {"email": BENCH_ACTOR, "name": "Giám sát (benchmark)", "role": Role.OVERSEER.value,
             "province_id": None, "locale": "vi", "created_at": now},
        ).scalar_one()
        provinces = conn.execute(select(Province.id, Province.region).where(Province.kind != "department")
                                 .order_by(Province.ordinal)).all()
        department_unit = conn.execute(select(Province.id).where(Province.kind == "department")).scalar()
        commune_ids = _add_units(conn, units, [tuple(p) for p in provinces], seed)
        province_ids = [pid for pid, _ in provinces]
        officers = _add_officers(conn, province_ids + commune_ids, now)
        commune_officers = _add_commune_officers(conn, now)
        plan = _add_directives(conn, directives, groups, now)
        first_task = (conn.execute(select(func.max(Task.id))).scalar() or 0) + 1
        first_event = (conn.execute(select(func.max(Event.id))).scalar() or 0) + 1
        season = Season(rng, plan, province_ids, commune_ids, officers, overseer, first_task, first_event,
                        conn.dialect.name == "sqlite", department_unit)
        # Secondary indexes are built once after the load: sorted builds beat a million updates each.
        indexes = [ix for table in (Task.__table__, Event.__table__) for ix in table.indexes]
        part_indexes = [ix for table in (TaskPart.__table__, PartEvent.__table__) for ix in table.indexes]
        for ix in indexes + part_indexes:
            ix.drop(conn)
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA cache_size=-400000")  # 400 MB of page cache for this load
        with paused(conn):  # the tallies counted once after the load, not by a million trigger calls
            task_count, event_count = _insert(conn, season.tasks(), season.events, ("tasks", TASK_COLUMNS),
                                              ("events", EVENT_COLUMNS))
            for ix in indexes:
                ix.create(conn)
            states = dict(season.states)
            parts_start = time.perf_counter()
            parts = _part_season(conn, seed, officers, commune_officers, season.format, delegate_to)
            part_count, part_event_count = _insert(conn, parts.parts(), parts.events, ("task_parts", PART_COLUMNS),
                                                   ("part_events", PART_EVENT_COLUMNS))
            for ix in part_indexes:
                ix.create(conn)
        parts_seconds = time.perf_counter() - parts_start
        if conn.dialect.name == "postgresql":
            for table in ("tasks", "events", "users", "task_parts", "part_events"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT MAX(id) FROM {table}))"))
    if db.is_sqlite:
        with loader.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")  # as persistence.database runs it
        loader.dispose()
    else:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            # VACUUM too: a database in use is vacuumed by autovacuum, which marks the loaded pages all-visible,
            # so that PostgreSQL answers counts from the covering indexes alone (ANALYZE alone left it reading tasks).
            conn.execute(text("VACUUM ANALYZE"))
    seconds = time.perf_counter() - start
    with db.session() as session:
        total = session.scalar(select(func.count()).select_from(Task))
    size = database_size(db)
    db.dispose()
    return GenerateStats(directives, units, groups, int(total or 0), event_count, seconds, size, states, part_count,
                         part_event_count, parts.delegated_tasks, parts_seconds, dict(parts.states))


def largest_province(session) -> tuple[int, str, int]:
    """(id, slug, tasks) of the province (not a commune) with the most tasks; ties go to the lower ordinal."""
    row = session.execute(
        select(Province.id, Province.slug, func.count(Task.id).label("n"))
        .join(Task, Task.province_id == Province.id)
        .where(Province.kind != "xa")
        .group_by(Province.id, Province.slug, Province.ordinal)
        .order_by(func.count(Task.id).desc(), Province.ordinal)
        .limit(1)
    ).one()
    return row[0], row[1], int(row[2])


def database_size(db: Database) -> int:
    """Bytes on disk: the SQLite file (and WAL), or pg_database_size."""
    if db.is_sqlite:
        path = Path(make_url(db.url).database or "")
        return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    with db.engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())


def officer_email(slug: str) -> str:
    return f"khuyencong.{slug}@bench.example.vn"


def _add_units(conn, units: int, provinces: list[tuple[int, str]], seed: int) -> list[int]:
    """The commune-level units as Province rows; returns their ids in order."""
    next_ordinal = (conn.execute(select(func.max(Province.ordinal))).scalar() or 0) + 1
    names = dict(conn.execute(select(Province.id, Province.name)).all())
    regions = dict(provinces)
    parents = commune_parents(units, provinces, seed)
    rows = [
        {"slug": f"xa-{i + 1:04d}", "name": f"Xã {i + 1:04d} ({names[parents[i]]})", "name_en": f"Commune {i + 1:04d}",
         "region": regions[parents[i]], "kind": "xa", "ordinal": next_ordinal + i}
        for i in range(units)
    ]
    if rows:
        conn.execute(insert(Province), rows)
    return list(conn.execute(select(Province.id).where(Province.kind == "xa").order_by(Province.ordinal)).scalars())


def _add_officers(conn, unit_ids: list[int], now: datetime) -> dict[int, int]:
    """One province-role officer per unit (one in ten reads English); returns unit id -> user id."""
    slugs = dict(conn.execute(select(Province.id, Province.slug)).all())
    rows = [{"email": officer_email(slugs[u]), "name": f"Cán bộ khuyến công {slugs[u]}", "role": Role.PROVINCE.value,
             "province_id": u, "locale": "en" if n % 10 == 0 else "vi", "created_at": now}
            for n, u in enumerate(unit_ids)]
    conn.execute(insert(User), rows)
    officers = select(User.province_id, User.id).where(User.email.like("khuyencong.%@bench.example.vn"))
    return dict(conn.execute(officers).all())


def _add_commune_officers(conn, now: datetime) -> dict[int, int]:
    """One commune officer per commune in force (their parts' actor); returns commune id -> user id."""
    communes = conn.execute(select(Commune.id, Commune.code).where(Commune.retired_at.is_(None))
                            .order_by(Commune.code)).all()
    rows = [{"email": commune_officer_email(code), "name": f"Cán bộ xã {code}", "role": Role.COMMUNE.value,
             "province_id": None, "commune_id": cid, "locale": "vi", "created_at": now} for cid, code in communes]
    if rows:
        conn.execute(insert(User), rows)
    return dict(conn.execute(select(User.commune_id, User.id).where(User.role == Role.COMMUNE.value)).all())


def _part_season(conn, seed: int, officers: dict[int, int], commune_officers: dict[int, int], fmt,
                 delegate_to: int | None) -> PartSeason:
    """The parts to make: the 34 provinces' own tasks (not the commune units', not the Department's)."""
    tasks = conn.execute(
        select(Task.id, Task.province_id, Province.slug, TaskGroup.ordinal, Task.assigned_on, Task.due_on)
        .join(Province, Task.province_id == Province.id).join(TaskGroup, Task.group_id == TaskGroup.id)
        .where(Province.kind.not_in(("xa", "department")), TaskGroup.owner == Owner.PROVINCE.value)).all()
    communes: dict[int, list[int]] = {}
    for cid, pid in conn.execute(select(Commune.id, Commune.province_id).where(Commune.retired_at.is_(None))
                                 .order_by(Commune.code)):
        communes.setdefault(pid, []).append(cid)
    first_part = (conn.execute(select(func.max(TaskPart.id))).scalar() or 0) + 1
    first_event = (conn.execute(select(func.max(PartEvent.id))).scalar() or 0) + 1
    return PartSeason(seed, task_rows(tasks), communes, officers, commune_officers, first_part, first_event, fmt,
                      delegate_to)


def _add_directives(conn, directives: int, groups: int, now: datetime) -> list[Assignment]:
    """Directive 20 plus copies of its groups issued over the years."""
    template = conn.execute(select(TaskGroup).order_by(TaskGroup.ordinal).limit(groups)).mappings().all()
    directive_20 = conn.execute(select(Directive)).mappings().first()
    assert directive_20 is not None

    def described(rows) -> list[tuple[int, int, str, str, str]]:
        return [(g["id"], g["ordinal"], g["kind"], g["owner"], g["deadline_rule"]) for g in rows]

    plan = [Assignment(described(template), DIRECTIVE_20_ON, 1.0, False)]
    spread = (LAST_ISSUE - FIRST_ISSUE).days
    shares = random.Random(SEED * 3)
    for number in range(1, directives):
        issued = FIRST_ISSUE + timedelta(days=(number - 1) * spread // max(directives - 2, 1))
        row = {k: v for k, v in directive_20.items() if k != "id"}
        row.update(code=f"BENCH-{number:02d}/CT", issued_on=issued, digest=f"{number:064d}", loaded_at=now)
        directive_id = conn.execute(insert(Directive).returning(Directive.id), row).scalar_one()
        copies = [{**{k: v for k, v in g.items() if k not in ("id", "directive_id")}, "directive_id": directive_id}
                  for g in template]
        conn.execute(insert(TaskGroup), copies)
        rows = conn.execute(select(TaskGroup).where(TaskGroup.directive_id == directive_id)
                            .order_by(TaskGroup.ordinal)).mappings().all()
        plan.append(Assignment(described(rows), issued, shares.uniform(0.35, 0.65), True))
    return plan


def _chunks(rows: Iterator[tuple], size: int = CHUNK) -> Iterator[list[tuple]]:
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _insert(conn, rows: Iterator[tuple], events: list[tuple], table: tuple[str, tuple[str, ...]],
            event_table: tuple[str, tuple[str, ...]]) -> tuple[int, int]:
    """Insert rows (tasks, or parts), then the events their simulation left in `events`, a chunk at a time.

    Events of a chunk go in right after it, so the list never holds the whole set; returns the counts.
    """
    row_count = event_count = 0
    for chunk in _chunks(rows):
        _bulk(conn, table[0], table[1], chunk)
        row_count += len(chunk)
        _bulk(conn, event_table[0], event_table[1], events)
        event_count += len(events)
        events.clear()
    return row_count, event_count


def _bulk(conn, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        # The driver's own executemany with the values as SQLAlchemy stores them on SQLite (ISO text).
        marks = ", ".join("?" for _ in columns)
        cursor = conn.connection.driver_connection.cursor()
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
        return
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


__all__ = ["AS_OF", "FULL_SHAPE", "QUICK_DELEGATE_TO", "QUICK_SHAPE", "GenerateStats", "commune_parents",
           "database_size", "generate", "largest_province", "officer_email", "unit_region"]
