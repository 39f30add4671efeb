"""Today's figures from the tallies the writes keep (migration 0026) are the figures counted over every task
(and the parts' over every part).

`tallied_counts` must say what `province_counts` says when it reads every task's row,
for any writes: the demo season (written through the engine), then writes of any
shape straight to `tasks` (the triggers count them whoever writes), on both back-ends.
The tally table itself must equal a recount (`persistence.task_tallies.refill`).
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dtrack.config.today import Today
from dtrack.persistence.database import Database
from dtrack.persistence.task_tallies import COUNTS, paused, refill
from dtrack.reading.dashboard_sql import province_counts, tallied_counts
from dtrack.reading.part_counts import part_counts, tallied_part_counts
from dtrack.reading.scope import EVERYWHERE, Scope
from dtrack.usecases.demo import SEASON_END
from dtrack.workflow.vocabulary import State

SCOPES = (EVERYWHERE, Scope(region="north"))
YEARS = (None, 2025, 2026)


def _every_task(session: Session, today: Today, scope: Scope, year: int | None = None) -> dict[str, dict[str, int]]:
    """The figures counted over every task's row (`where` keeps `province_counts` off the tallies)."""
    return province_counts(session, today, scope, current=True, where=(true(),), year=year)


def _table(session: Session) -> set[tuple[int, ...]]:
    rows = session.execute(text(f"SELECT province_id, due_year, {', '.join(COUNTS)} FROM task_tallies"))
    return {tuple(r) for r in rows if any(r[2:])}  # a row counted down to nothing is no row


def _recounted(session: Session) -> set[tuple[int, ...]]:
    nested = session.begin_nested()
    refill(session.connection())
    rows = _table(session)
    nested.rollback()
    return rows


@pytest.mark.parametrize("day", (SEASON_END, SEASON_END + timedelta(days=200), date(2025, 11, 1)),
                         ids=("season-end", "later", "before-assignment"))
def test_the_season_counted_by_its_writes_is_the_season_counted_task_by_task(demo_db: Database, day: date) -> None:
    today = Today(day)
    with demo_db.session() as session:
        assert _table(session) == _recounted(session)
        for scope in SCOPES:
            for year in YEARS:
                tallied = tallied_counts(session, today, scope, year)
                assert tallied is not None
                assert tallied == _every_task(session, today, scope, year)
        assert sum(figures["tasks"] for figures in tallied_counts(session, today, EVERYWHERE).values()) == (
            0 if day < date(2025, 11, 3) else session.scalar(
                text("SELECT count(*) FROM tasks t JOIN provinces p ON p.id = t.province_id "
                     "WHERE t.not_applicable_since IS NULL AND p.kind <> 'department'")))


def test_a_scope_or_zone_the_tallies_do_not_cover_is_counted_task_by_task(demo_db: Database) -> None:
    with demo_db.session() as session:
        assert tallied_counts(session, Today(SEASON_END), Scope(group=3)) is None
        assert tallied_counts(session, Today(SEASON_END), Scope(directive="20/CT-BCT")) is None
        assert tallied_counts(session, Today(SEASON_END, zone="Europe/Paris"), EVERYWHERE) is None
        assert province_counts(session, Today(SEASON_END), Scope(group=3), current=True) == _every_task(
            session, Today(SEASON_END), Scope(group=3))


DAY = SEASON_END
STATES = [s.value for s in State]
# A write to one task: which (by rank), and what it sets. Instants stay before the day's end, as the
# audit trail's do on a day nothing happened after.
moment = st.datetimes(datetime(2025, 10, 1), datetime(2026, 2, 14, 16)).map(lambda d: d.replace(tzinfo=UTC))
writes = st.lists(st.tuples(
    st.integers(0, 10_000),
    st.sampled_from(("state", "due", "submitted", "completed", "exempt", "restore", "delete", "copy", "assigned")),
    st.sampled_from(STATES), st.one_of(st.none(), st.dates(date(2025, 11, 1), date(2026, 6, 30))),
    st.one_of(st.none(), moment)), min_size=1, max_size=12)


def _write(session: Session, ids: list[int], write: tuple) -> None:
    rank, kind, state, day, instant = write
    task = ids[rank % len(ids)]
    naive = instant.replace(tzinfo=None) if instant is not None else None
    statements = {
        "state": ("UPDATE tasks SET state = :state WHERE id = :id", {"state": state}),
        "due": ("UPDATE tasks SET due_on = :day WHERE id = :id", {"day": day}),
        "submitted": ("UPDATE tasks SET submitted_at = :at WHERE id = :id", {"at": naive}),
        "completed": ("UPDATE tasks SET completed_at = :at, state = 'completed' WHERE id = :id", {"at": naive}),
        "exempt": ("UPDATE tasks SET not_applicable_since = :at WHERE id = :id", {"at": naive or datetime(2026, 1, 1)}),
        "restore": ("UPDATE tasks SET not_applicable_since = NULL WHERE id = :id", {}),
        "delete": ("DELETE FROM tasks WHERE id = :id", {}),
        "copy": ("INSERT INTO tasks (group_id, province_id, period, state, progress, assigned_on, original_due_on, "
                 "due_on, submitted_at, completed_at, updated_at, version, not_applicable_since, progress_from_parts) "
                 "SELECT group_id, province_id, period || :suffix, :state, progress, assigned_on, original_due_on, "
                 ":day, :at, completed_at, updated_at, 1, NULL, progress_from_parts FROM tasks WHERE id = :id",
                 {"suffix": f"-c{rank}", "state": state, "day": day, "at": naive}),
        "assigned": ("UPDATE tasks SET assigned_on = :day WHERE id = :id", {"day": day or date(2026, 3, 1)}),
    }
    sql, values = statements[kind]
    nested = session.begin_nested()
    try:
        session.execute(text(sql), {"id": task, **values})
    except IntegrityError:  # a copy whose period is taken, a task others refer to: refused, the rest goes on
        nested.rollback()
    else:
        nested.commit()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=writes)
def test_any_writes_to_tasks_keep_the_tallies_exact(demo_db: Database, batch: list[tuple]) -> None:
    with demo_db.session() as session:
        ids = list(session.scalars(text("SELECT id FROM tasks ORDER BY id")))
        outer = session.begin_nested()
        for write in batch:
            _write(session, ids, write)
        assert _table(session) == _recounted(session)
        for scope in SCOPES:
            for year in YEARS:
                assert tallied_counts(session, Today(DAY), scope, year) == _every_task(session, Today(DAY), scope,
                                                                                        year)
        outer.rollback()


def test_a_bulk_load_with_the_triggers_paused_is_counted_once_after(demo_db: Database) -> None:
    with demo_db.engine.begin() as conn:
        before = conn.execute(text("SELECT sum(tasks) FROM task_tallies")).scalar()
        with paused(conn):
            conn.execute(text("UPDATE tasks SET not_applicable_since = NULL, state = 'completed' "
                              "WHERE id IN (SELECT id FROM tasks ORDER BY id LIMIT 5)"))
            conn.execute(text("DELETE FROM task_tallies"))  # nothing counts while paused: the refill does
        after = conn.execute(text("SELECT sum(tasks), sum(completed) FROM task_tallies")).one()
        exempt = conn.execute(text("SELECT count(*) FROM tasks WHERE not_applicable_since IS NOT NULL")).scalar()
        total = conn.execute(text("SELECT count(*) FROM tasks")).scalar()
        completed = conn.execute(text("SELECT count(*) FROM tasks WHERE state = 'completed' "
                                      "AND not_applicable_since IS NULL")).scalar()
    assert before is not None and after == (total - exempt, completed)
    with demo_db.session() as session:  # the triggers count again after the block
        session.execute(text("UPDATE tasks SET state = 'blocked' WHERE id = (SELECT min(id) FROM tasks)"))
        assert _table(session) == _recounted(session)


def _parts_grouped(session: Session, day: date, directive: str | None = None) -> dict:
    """The parts counted part by part, as a view of each province reads them, added up."""
    units = session.execute(text("SELECT id FROM provinces")).scalars()
    return {slug: counts for unit in units
            for slug, counts in part_counts(session, day, province_id=unit, directive=directive).items()}


part_writes = st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(("state", "delete", "due")),
                                 st.sampled_from(STATES), st.dates(date(2026, 1, 1), date(2026, 12, 31))),
                       min_size=1, max_size=10)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=part_writes)
def test_any_writes_to_parts_keep_their_tallies_exact(demo_db: Database, batch: list[tuple]) -> None:
    with demo_db.session() as session:
        ids = list(session.scalars(text("SELECT id FROM task_parts ORDER BY id")))
        assert ids, "the demo season delegates parts to communes"
        assert tallied_part_counts(session, DAY) == _parts_grouped(session, DAY)
        assert tallied_part_counts(session, DAY, "20/CT-BCT") == _parts_grouped(session, DAY, "20/CT-BCT")
        assert tallied_part_counts(session, DAY, "KHÁC/CT") == {}
        outer = session.begin_nested()
        for rank, kind, state, day in batch:
            part = ids[rank % len(ids)]
            sql = {"state": "UPDATE task_parts SET state = :state WHERE id = :id",
                   "due": "UPDATE task_parts SET due_on = :day WHERE id = :id",
                   "delete": "DELETE FROM task_parts WHERE id = :id "
                             "AND NOT EXISTS (SELECT 1 FROM part_events WHERE part_id = :id)"}[kind]
            session.execute(text(sql), {"id": part, "state": state, "day": day})
        for day in (DAY, date(2026, 12, 31)):
            assert tallied_part_counts(session, day) == _parts_grouped(session, day)
        outer.rollback()
