"""Figures remembered for exactly as long as the database shows the same data (PostgreSQL).

The overdue review counts every overdue task nationwide on each request (a
grouped count over the deadline index, 30-50 ms at 1M tasks). Between two
writes the answer cannot change, and the database can say whether anything
was written: `dtrack_change_key()` (migration 0020) names this database's
state as a count of its writing statements and the writing transactions
still open. Only this database's writes move it: a server shared with other
databases (the usual PostgreSQL) does not make every figure stale, as
`pg_current_snapshot()`, which covers the whole server, did. A figure
computed under one key stands for every later request under the same key,
and the first request after any commit of this database computes afresh. No
staleness, no time-to-live, nothing to invalidate by hand.

A figure is stored only when the key was the same before and after it was
computed (nothing of this database written or finished in between, so every
statement of the computation saw that state), never inside a transaction that
has written (its own uncommitted rows are in no other transaction's view), and
only at READ COMMITTED, where each statement sees what was committed before it
began (a REPEATABLE READ transaction sees its first statement's state, which a
key read later does not name). SQLite has no such name for its state (`PRAGMA
data_version` is per connection), so there every call computes.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from dtrack.persistence.database import Database

T = TypeVar("T")
# A thread's `reading` block: its session, the key it began under, the figures computed inside.
_Snapshot = tuple[str, int, str]  # (database, server port, change key): what a statement sees
_Entry = tuple[_Snapshot, Hashable]  # a figure: the snapshot it was computed under, and its key
_Reading = tuple[Session, _Snapshot | None, dict[_Entry, object]]

# Keys are (database, figure, its arguments); a few scopes are asked often, the rest rarely.
_SIZE = 256
# What a statement sees, as text: a column that a statement read on every request anyway can carry.
SNAPSHOT_COLUMN = text("dtrack_change_key()")
_SNAPSHOT_ONLY = text("SELECT dtrack_change_key()")
_SNAPSHOT = text("SELECT current_database(), inet_server_port(), dtrack_change_key(), "
                 "pg_current_xact_id_if_assigned(), current_setting('transaction_isolation')")


class SnapshotMemo:
    """A bounded map from (snapshot, key) to a computed figure; thread-safe (the web's handler threads)."""

    def __init__(self, size: int = _SIZE) -> None:
        self._size = size
        self._entries: OrderedDict[_Entry, object] = OrderedDict()
        self._lock = threading.Lock()
        self._local = threading.local()  # the `reading` block of this thread, if any

    @contextmanager
    def reading(self, session: Session) -> Iterator[None]:
        """Every figure asked inside under one snapshot: two lookups of it in all, not two per figure.

        The figures computed inside are stored when the block ends, if the
        snapshot is still the same then. Nested blocks are the outer one.
        """
        if getattr(self._local, "reading", None) is not None:
            yield
            return
        before = _snapshot(session)
        fresh: dict[_Entry, object] = {}
        self._local.reading = (session, before, fresh)
        try:
            yield
        finally:
            self._local.reading = None
        if before is not None and fresh and _snapshot(session) == before:
            self._store(fresh)

    def get(self, session: Session, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()`, or what it gave under the snapshot the session sees now."""
        reading: _Reading | None = getattr(self._local, "reading", None)
        # Figures computed in this session's `reading` block, if inside one (another session's is not ours).
        fresh = reading[2] if reading is not None and reading[0] is session else None
        before = reading[1] if reading is not None and fresh is not None else _snapshot(session)
        if before is None:
            return compute()
        if fresh is not None and (before, key) in fresh:
            return fresh[(before, key)]  # type: ignore[return-value]
        with self._lock:
            if (before, key) in self._entries:
                self._entries.move_to_end((before, key))
                return self._entries[(before, key)]  # type: ignore[return-value]
        value = compute()
        if fresh is not None:
            fresh[(before, key)] = value  # stored when the block ends, if nothing was committed
        elif _snapshot(session) == before:  # nothing committed meanwhile: the figure is that snapshot's
            self._store({(before, key): value})
        return value

    def _store(self, figures: dict[_Entry, object]) -> None:
        with self._lock:
            self._entries.update(figures)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    @staticmethod
    def remembers(session: Session) -> bool:
        """Whether anything can be kept for this session's database: PostgreSQL's, not SQLite's."""
        return session.get_bind().dialect.name == "postgresql"

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _snapshot(session: Session) -> _Snapshot | None:
    """(database, port, change key); None on SQLite, once this transaction has written, or above READ COMMITTED."""
    if not SnapshotMemo.remembers(session):
        return None
    database, port, key, own_xid, isolation = session.execute(_SNAPSHOT).one()
    return None if own_xid is not None or isolation != "read committed" else (database, port, key)


def current_snapshot(db: Database) -> str | None:
    """What a statement on `db` sees now, outside any transaction, as text.

    PostgreSQL: this database's change key; on SQLite the commit count of a server that keeps
    one (`Database.count_commits`), shaped the same way; otherwise None.
    """
    if db.is_sqlite and db.commits is None:
        return None
    with db.statement_connection() as connection:
        return seen_by(db, connection)


def seen_by(db: Database, connection: Connection) -> str | None:
    """`current_snapshot` on a connection the caller already holds (the session lookup's)."""
    if db.is_sqlite:
        return db.commits.seen(connection) if db.commits is not None else None
    snapshot: str | None = connection.scalar(_SNAPSHOT_ONLY)
    return snapshot


__all__ = ["SNAPSHOT_COLUMN", "SnapshotMemo", "current_snapshot", "seen_by"]
