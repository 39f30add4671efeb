"""SQLite's commit count (persistence.commit_count): it moves on every commit a server can see, never on a read."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from dtrack.persistence.database import Database
from dtrack.persistence.snapshot_memo import current_snapshot

pytestmark = pytest.mark.parametrize("backend", ["sqlite"])  # PostgreSQL names its snapshot itself


def _seen(db: Database) -> str | None:
    return current_snapshot(db)


def test_reads_leave_the_count_and_a_committed_write_moves_it(db):
    db.count_commits()
    before = _seen(db)
    with db.session() as session:
        session.execute(text("SELECT count(*) FROM tasks")).scalar()
    assert _seen(db) == before
    with db.session() as session:
        session.execute(text("UPDATE tasks SET progress = 11 WHERE id = (SELECT min(id) FROM tasks)"))
    after = _seen(db)
    assert after != before


def test_a_common_table_expression_counts_only_when_it_writes(db):
    db.count_commits()
    before = _seen(db)
    with db.session() as session:  # the dashboard's and the reports' reads open with WITH
        session.execute(text("WITH updated_rows AS (SELECT id FROM tasks) SELECT count(*) FROM updated_rows")).scalar()
    assert _seen(db) == before
    with db.session() as session:
        session.execute(text("WITH one AS (SELECT min(id) AS id FROM tasks) "
                             "UPDATE tasks SET progress = 13 WHERE id = (SELECT id FROM one)"))
    assert _seen(db) != before


def test_a_rolled_back_write_leaves_it(db):
    db.count_commits()
    before = _seen(db)
    with pytest.raises(RuntimeError), db.session() as session:
        session.execute(text("UPDATE tasks SET progress = 12 WHERE id = (SELECT min(id) FROM tasks)"))
        raise RuntimeError("roll back")
    assert _seen(db) == before


def test_another_process_commit_moves_it_on_the_next_look(db):
    db.count_commits()
    _seen(db)
    before = _seen(db)
    outside = Database(db.url)  # its own connections, not counted: only PRAGMA data_version tells
    try:
        with outside.session() as session:
            session.execute(text("UPDATE tasks SET progress = 13 WHERE id = (SELECT min(id) FROM tasks)"))
    finally:
        outside.dispose()
    assert _seen(db) != before


def test_it_survives_the_pool_being_rebuilt(db):
    db.count_commits()
    db.keep_connections(3)  # a server sizes its pool after the memo asked for the count: a new engine
    before = _seen(db)
    with db.session() as session:
        session.execute(text("UPDATE tasks SET progress = 14 WHERE id = (SELECT min(id) FROM tasks)"))
    assert _seen(db) != before
