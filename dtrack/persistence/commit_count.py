"""SQLite's stand-in for PostgreSQL's snapshot name: a count that moves on every commit a process can see.

The web's page memo keeps a rendered page for as long as the database shows
the same data (`web.page_memo`). PostgreSQL names that state itself
(`dtrack_change_key()`, migration 0020); SQLite does not, so a server counts:

- its own writes: a transaction that wrote counts when it commits (before the
  commit, so that a page rendering meanwhile is not kept) and again when its
  connection goes back to the pool (after the commit, so that a request that
  begins later never gets a page kept before it);
- every other process's (the command line, the scheduler, a second server):
  `PRAGMA data_version` on a connection changes when anything else has
  committed since that connection last asked, and a change counts too.

A count is only ever compared for equality with one read earlier in the same
process: a count too many makes a page render once more; a commit not counted
would show a page from before it, and every way a commit reaches the file is
counted above. Only a server turns this on (`Database.count_commits`): it costs
a check on every statement.
"""
from __future__ import annotations

import re
import threading
from typing import Any

from sqlalchemy import Connection, Engine, event

_WROTE = "dtrack_wrote"  # keys in a pooled connection's `info`, which outlives each checkout
_COMMITTED = "dtrack_committed"
_DATA_VERSION = "dtrack_data_version"
_READS = ("SELECT", "PRAGMA")
# A statement opening with WITH reads unless its body writes: the dashboard's and the reports' CTEs must
# not count as commits, or no page that uses them would ever be kept. A false match only renders once more.
_WRITES_IN_WITH = re.compile(r"\b(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


class CommitCount:
    def __init__(self) -> None:
        self._value = 0
        self._lock = threading.Lock()

    def attach(self, engine: Engine) -> None:
        event.listen(engine, "before_cursor_execute", _note_write)
        event.listen(engine, "commit", self._committing)
        event.listen(engine, "rollback", _rolled_back)
        event.listen(engine, "checkin", self._returned)

    def seen(self, connection: Connection) -> str:
        """The count as this connection can vouch for it now, shaped like PostgreSQL's `xmin:xmax:`."""
        version = connection.exec_driver_sql("PRAGMA data_version").scalar()
        if connection.info.get(_DATA_VERSION) != version:  # another connection committed (or a new one)
            connection.info[_DATA_VERSION] = version
            self._count()
        value = self._value
        return f"{value}:{value}:"

    def _count(self) -> None:
        with self._lock:
            self._value += 1

    def _committing(self, connection: Connection) -> None:
        if connection.info.pop(_WROTE, False):
            connection.info[_COMMITTED] = True
            self._count()

    def _returned(self, _dbapi_connection: Any, record: Any) -> None:
        if record.info.pop(_COMMITTED, False):
            self._count()


def _note_write(connection: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
    head = statement.lstrip()[:6].upper()
    if head in _READS or (head[:4] == "WITH" and not _WRITES_IN_WITH.search(statement)):
        return
    connection.info[_WROTE] = True


def _rolled_back(connection: Connection) -> None:
    connection.info.pop(_WROTE, None)


__all__ = ["CommitCount"]
