"""This database's change key (migration 0020): it moves with this database's writes and with nothing else.

The page memo and the overdue counts' memo keep a figure while the key is the
same. Keyed on `pg_current_snapshot()` (the whole server) they never answered
while another database on the server was busy; the key now counts this
database's writing statements and names its open writers.
"""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from dtrack.persistence.snapshot_memo import SnapshotMemo, current_snapshot

pytestmark = pytest.mark.parametrize("backend", ["postgresql"])  # the key is PostgreSQL's (SQLite counts itself)


def _busy_elsewhere(url: str, stop: threading.Event, commits: list[int]) -> None:
    """Commit in a loop in another database of the same server (a temporary table: nothing stays)."""
    engine = create_engine(make_url(url).set(database="postgres"))
    with engine.connect() as connection:
        connection.execute(text("CREATE TEMPORARY TABLE busy (n integer)"))
        connection.commit()
        while not stop.is_set():
            connection.execute(text("INSERT INTO busy VALUES (1)"))
            connection.commit()
            commits.append(1)
    engine.dispose()


def test_other_databases_committing_in_a_loop_do_not_move_the_key_nor_empty_the_memo(world):
    memo, calls = SnapshotMemo(), []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    stop, commits = threading.Event(), []
    busy = threading.Thread(target=_busy_elsewhere, args=(world.db.url, stop, commits))
    busy.start()
    try:
        while len(commits) < 20:  # the other database is committing
            stop.wait(0.01)
        first = current_snapshot(world.db)
        with world.db.session() as s:
            answers = [memo.get(s, "k", compute) for _ in range(5)]
        seen = len(commits)
        while len(commits) < seen + 20:
            stop.wait(0.01)
        assert current_snapshot(world.db) == first  # hundreds of commits elsewhere, none here
        with world.db.session() as s:
            answers.append(memo.get(s, "k", compute))
    finally:
        stop.set()
        busy.join()
    assert answers == [1] * 6  # computed once, answered from memory meanwhile


def test_the_key_names_an_open_writer_and_moves_again_when_it_commits(world):
    before = current_snapshot(world.db)
    with world.db.session() as writer:
        writer.execute(text("UPDATE tasks SET progress = progress WHERE id = (SELECT min(id) FROM tasks)"))
        open_key = current_snapshot(world.db)  # read by another connection while the writer is open
        assert open_key != before and open_key.split(":")[2] != ""  # counted, and the writer named
    after = current_snapshot(world.db)
    assert after not in (before, open_key) and after.split(":")[2] == ""  # committed: no writer open
    with world.db.session() as reader:  # a read commits nothing and moves nothing
        reader.execute(text("SELECT count(*) FROM tasks"))
    assert current_snapshot(world.db) == after


def test_a_figure_computed_while_a_writer_was_open_is_not_kept_past_its_commit(world):
    memo, calls = SnapshotMemo(), []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    with world.db.session() as writer:
        writer.execute(text("UPDATE tasks SET progress = 41 WHERE id = (SELECT min(id) FROM tasks)"))
        with world.db.session() as s:
            assert memo.get(s, "k", compute) == 1  # kept under the key that names the open writer
            assert memo.get(s, "k", compute) == 1
    with world.db.session() as s:
        assert memo.get(s, "k", compute) == 2  # the writer committed: a new key, computed afresh


def test_every_table_counts_its_writes(world):
    with world.db.session() as s:
        tables = set(inspect(s.connection()).get_table_names()) - {"alembic_version"}
        counted = set(s.scalars(text("SELECT event_object_table FROM information_schema.triggers "
                                     "WHERE trigger_name = 'dtrack_note_change'")))
    assert tables and tables == counted, "a new table needs note_changes() in its migration (0020)"
