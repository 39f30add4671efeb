"""Figures remembered under this database's change key (PostgreSQL): reused while nothing of this database is
written, recomputed after; other databases on the server writing meanwhile change nothing."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import func, select, update

from dtrack.config.today import Today
from dtrack.persistence.models import Task
from dtrack.persistence.snapshot_memo import SnapshotMemo
from dtrack.reading.overdue import overdue_review


@contextmanager
def _steady(db):
    """A session on the test's own database (nobody else writes to it; other databases may)."""
    with db.session() as session:
        yield session


def test_a_figure_stands_while_the_snapshot_does_and_not_after_a_commit(world):
    memo, calls = SnapshotMemo(), []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    with _steady(world.db) as s:
        first, again = memo.get(s, "k", compute), memo.get(s, "k", compute)
        other = memo.get(s, "other key", compute)
    if world.db.is_sqlite:  # nothing names SQLite's state across connections: every call computes
        assert (first, again, other) == (1, 2, 3)
        return
    assert (first, again, other) == (1, 1, 2)
    world.fire("20/CT-BCT:2:ha-noi", "start", world.user("province", "ha-noi"))  # a commit
    with _steady(world.db) as s:
        assert memo.get(s, "k", compute) == 3


def test_a_transaction_that_has_written_never_uses_nor_fills_the_memo(world):
    memo, calls = SnapshotMemo(), []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    with world.db.session() as s:
        # A row written, not committed: this transaction sees it, no snapshot of another does.
        s.execute(update(Task).where(Task.id == s.scalar(select(func.min(Task.id)))).values(progress=Task.progress))
        assert [memo.get(s, "k", compute) for _ in range(2)] == [1, 2]
        s.rollback()
    with _steady(world.db) as s:
        assert memo.get(s, "k", compute) == 3  # nothing was stored meanwhile


def test_the_overdue_counts_follow_every_commit(world):
    day = date(2026, 1, 5)
    officer = world.user("province", "ha-noi")
    with world.db.session() as s:
        before = overdue_review(s, Today(day), limit=5)
        assert overdue_review(s, Today(day), limit=5).per_province == before.per_province  # the same, remembered or not
    world.fire("20/CT-BCT:9:ha-noi:2025-H2", "start", officer)
    world.fire("20/CT-BCT:9:ha-noi:2025-H2", "submit", officer)
    with world.db.session() as s:
        after = overdue_review(s, Today(day), limit=5)
    assert after.total == before.total - 1 and after.awaiting_total == before.awaiting_total + 1
    assert after.per_province["ha-noi"] == before.per_province["ha-noi"] - 1


@pytest.mark.parametrize("backend", ["postgresql"])  # the memo is PostgreSQL's
def test_a_reading_block_stores_its_figures_only_if_nothing_was_committed_meanwhile(world):
    memo, calls = SnapshotMemo(), []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    with world.db.session() as s:  # READ COMMITTED: each statement its own snapshot
        with memo.reading(s):
            assert memo.get(s, "a", compute) == 1
            world.fire("20/CT-BCT:2:ha-noi", "start", world.user("province", "ha-noi"))  # commits meanwhile
        # Not stored: computed under a snapshot that no longer is the data.
        with _steady(world.db) as again, memo.reading(again):
            assert memo.get(again, "a", compute) == 2
            assert memo.get(again, "a", compute) == 2  # within the block, under its one snapshot
    with _steady(world.db) as s, memo.reading(s):
        assert memo.get(s, "a", compute) in (2, 3)  # stored at the block's end unless the cluster moved on
