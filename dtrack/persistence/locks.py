"""Locks on either back-end: one mechanism, reached through `Database`.

Two kinds are needed, and each has one implementation per back-end here:

- a lock for the length of one transaction (`hold`): the digest build and
  the outbox claim must be the only writer of their step. PostgreSQL: a
  transaction-scoped advisory lock. SQLite: a write that touches no row,
  which takes the database's single write lock at once (waiting out
  busy_timeout), so everything read after it is current.
- a lock for the life of a process (`LeaderLock`): only one scheduler may
  run the jobs. PostgreSQL: a session-level advisory lock on a dedicated
  connection (the server releases it when the process dies). SQLite: an
  exclusive `flock` on a file beside the database (the OS releases it).

And one statement both back-ends spell alike but import apart: an INSERT
that skips rows a concurrent writer inserted first (`insert_ignoring`).
"""
from __future__ import annotations

import zlib
from pathlib import Path
from typing import IO, Protocol

from sqlalchemy import Connection, Engine, Insert, Table, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session


def lock_key(name: str) -> int:
    """A stable 32-bit key for an advisory lock, so other applications' locks do not collide."""
    return zlib.crc32(f"dtrack:{name}".encode())


def hold(session: Session, name: str) -> None:
    """Make this transaction the only one holding `name` until it ends."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key(name)})
    else:
        # alembic_version exists in every prepared database; the WHERE matches nothing.
        session.execute(text("UPDATE alembic_version SET version_num = version_num WHERE 0 = 1"))


def insert_ignoring(session: Session, table: Table, keys: list[str]) -> Insert:
    """INSERT ... ON CONFLICT (keys) DO NOTHING for the session's back-end."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert
        return pg_insert(table).on_conflict_do_nothing(index_elements=keys)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert
    return sqlite_insert(table).on_conflict_do_nothing(index_elements=keys)


class LeaderLock(Protocol):
    def acquire(self) -> bool: ...
    def alive(self) -> bool: ...
    def release(self) -> None: ...


class AdvisoryLock:
    """A PostgreSQL session-level advisory lock held on a dedicated connection."""

    def __init__(self, engine: Engine, name: str) -> None:
        self.engine = engine
        self.key = lock_key(name)
        self.connection: Connection | None = None

    def acquire(self) -> bool:
        connection = self.engine.connect()
        got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}).scalar()
        connection.commit()  # the lock outlives the transaction; do not sit idle in one
        if got:
            self.connection = connection
        else:
            connection.close()
        return bool(got)

    def alive(self) -> bool:
        if self.connection is None:
            return False
        try:
            self.connection.execute(text("SELECT 1"))
            self.connection.commit()
            return True
        except DBAPIError:
            return False

    def release(self) -> None:
        if self.connection is not None:
            try:
                self.connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
                self.connection.commit()
            except DBAPIError:
                pass  # the connection is gone, and with it the lock
            self.connection.close()
            self.connection = None


class FileLock:
    """An exclusive flock on a file beside the SQLite database."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: IO[str] | None = None

    def acquire(self) -> bool:
        import fcntl

        handle = open(self.path, "a+")  # noqa: SIM115 - held open (it holds the lock) until release()
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self.handle = handle
        return True

    def alive(self) -> bool:
        return self.handle is not None

    def release(self) -> None:
        if self.handle is not None:
            import fcntl

            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None
