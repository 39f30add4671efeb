"""The one gateway to the database.

Workflow code asks a `Database` for sessions; nothing else creates engines
or opens connections. It also applies the Alembic migrations (`migrate`),
refuses to work on a database whose schema is missing or out of date, and
hands out the locks that differ between SQLite and PostgreSQL (`hold`,
`leader_lock`, `insert_ignoring`; implemented in persistence/locks.py).
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Insert, Table, create_engine, event, text
from sqlalchemy.engine import URL, CursorResult, Result, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    DisconnectionError,
    NoSuchModuleError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

from dtrack.config.database_url import check_database_url, mask_url
from dtrack.errors import DatabaseNotInitialised, DatabaseUnavailable, MigrationFailed
from dtrack.persistence import locks
from dtrack.persistence.commit_count import CommitCount
from dtrack.persistence.database_errors import DatabaseReadOnly, read_only_error, unsupported_url

# The Alembic revision the code expects; tests check it is the migrations' head.
SCHEMA_REVISION = "0026"

def row_id(text: object) -> int | None:
    """`text` as a row id when it is ASCII digits an INTEGER column can hold (ids are 32-bit on PostgreSQL).

    Anything else names no row, and must not reach a query: a longer number overflows
    it, and `str.isdigit()` alone also accepts digits `int()` refuses ('²').
    """
    text = str(text).strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def rows_matched(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE matched.

    `Session.execute` is typed to return a plain `Result`, which has no row
    count; for a DML statement it is a `CursorResult`, which does.
    """
    assert isinstance(result, CursorResult), "rows_matched() takes the result of an UPDATE or DELETE"
    return result.rowcount


MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers work while one writer commits; busy_timeout makes a
    # second writer wait for the lock instead of failing at once.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# Connections a pool may open beyond the ones it keeps (`keep_connections`); closed when returned.
OVERFLOW_CONNECTIONS = 5

# A pooled connection idle longer than this is pinged before use (see _ping_if_idle).
PING_AFTER_IDLE_SECONDS = 30.0


def _mark_checkin(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection) -> None:
    """Ping a connection that sat idle in the pool, not one just used.

    `pool_pre_ping` costs a round trip on every checkout, i.e. on every
    transaction (one of the engine's five per transition on PostgreSQL). A
    connection returned a moment ago is alive; one idle for a while may have
    been closed by the server or a firewall. A dead one raises
    DisconnectionError, and the pool retries with a new connection.
    """
    idle_since = record.info.get("idle_since")
    if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
        return
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SELECT 1")
        # The driver began a transaction for it: end it, or the connection is handed out "in transaction"
        # and cannot switch to autocommit (`statement_connection`: a 500 on the next session lookup).
        dbapi_connection.rollback()
    except Exception as exc:  # noqa: BLE001 - any driver error means the connection is gone
        raise DisconnectionError(f"connection idle for {time.monotonic() - idle_since:.0f} s is gone") from exc
    finally:
        with suppress(Exception):  # closing a dead cursor may fail too
            cursor.close()


def _dialect_options(url: URL) -> dict[str, Any]:
    """Options for this back-end's dialect.

    dtrack has no HSTORE column: without `use_native_hstore=False` the psycopg
    dialects look the type up on the first connection, one more round trip
    in every command's start-up.
    """
    if url.get_backend_name() == "postgresql" and url.get_driver_name() in ("psycopg", "psycopg2"):
        return {"use_native_hstore": False}
    return {}


def _first_line(exc: SQLAlchemyError) -> str:
    """The driver's own message, without SQLAlchemy's statement dump and links."""
    origin = getattr(exc, "orig", None)
    text_ = str(origin if origin is not None else exc).strip()
    return text_.splitlines()[0] if text_ else type(exc).__name__


class Database:
    def __init__(self, url: str, echo: bool = False) -> None:
        self.url = url
        self.echo = echo
        self._engine: Engine | None = None
        self._sessions: sessionmaker[Session] | None = None
        self._pool_options: dict[str, int] = {}
        self.commits: CommitCount | None = None  # SQLite, in a server: `count_commits`

    @property
    def display_url(self) -> str:
        """The URL with its whole user name and password hidden (even one holding a raw '@'), for messages and logs."""
        return mask_url(self.url)

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            check_database_url(self.url, "database_url")  # a raw '@' or a port 'abc': one line, never the password
            try:
                engine = create_engine(self.url, echo=self.echo, **_dialect_options(make_url(self.url)),
                                       **self._pool_options)
            except (ArgumentError, NoSuchModuleError, ImportError, ValueError, TypeError) as exc:
                # ImportError: a dialect whose driver is not installed (mysql:// wants MySQLdb).
                raise unsupported_url(self.display_url, exc) from None
            if engine.dialect.name == "sqlite":
                event.listen(engine, "connect", _sqlite_pragmas)
                if self.commits is not None:
                    self.commits.attach(engine)
            else:
                event.listen(engine, "checkin", _mark_checkin)
                event.listen(engine, "checkout", _ping_if_idle)
            try:
                with engine.connect():
                    pass
            except DBAPIError as exc:  # unreachable server, or a file that is not a database
                engine.dispose()
                raise (self._read_only(exc)
                       or DatabaseUnavailable(self.display_url, mask_url(_first_line(exc)))) from None
            self._engine = engine
            self._sessions = sessionmaker(engine, expire_on_commit=False)
        return self._engine

    def keep_connections(self, count: int) -> None:
        """Keep `count` connections open in the pool: one per thread of a server that holds one each.

        SQLAlchemy's default pool keeps 5 and closes every connection beyond
        them when it is returned. A web server with 15 handler threads then
        opens and closes a connection on most requests under load: a new
        PostgreSQL backend process, or on SQLite a new connection with its
        pragmas and an empty page cache. A few more may still open beyond
        `count` (a thread outside the handlers), and close again as before.
        An in-memory SQLite database keeps its own single-connection pool.
        """
        if self.is_sqlite and make_url(self.url).database in (None, "", ":memory:"):
            return
        options = {"pool_size": count, "max_overflow": OVERFLOW_CONNECTIONS}
        if options != self._pool_options:
            self._pool_options = options
            self.dispose()  # the next use opens an engine with the new pool
            self._engine, self._sessions = None, None

    def count_commits(self) -> CommitCount | None:
        """SQLite: count every commit this process can see (`persistence.commit_count`); None on PostgreSQL.

        For a server's page memo; it costs a check on every statement, so
        commands do without it.
        """
        if not self.is_sqlite:
            return None
        if self.commits is None:
            self.commits = CommitCount()
            if self._engine is not None:
                self.commits.attach(self._engine)
        return self.commits

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def _read_only(self, exc: BaseException) -> DatabaseReadOnly | None:
        """SQLite's 'attempt to write a readonly database' as the file or folder that is read-only."""
        return read_only_error(self.url, self.display_url, exc) if self.is_sqlite else None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: commits when the block ends, rolls back on any error."""
        self.engine  # noqa: B018 - connects (or raises DatabaseUnavailable) first
        assert self._sessions is not None
        try:
            with self._sessions() as session, session.begin():
                yield session
        except OperationalError as exc:
            if (read_only := self._read_only(exc)) is None:
                raise
            raise read_only from exc

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One unit of work on a plain Connection, for hot paths that need no mapped objects.

        Commits when the block ends, rolls back on any error, like `session`,
        without the Session's bookkeeping (a transition's fast path).
        """
        try:
            with self.engine.begin() as connection:
                yield connection
        except OperationalError as exc:
            if (read_only := self._read_only(exc)) is None:
                raise
            raise read_only from exc

    @contextmanager
    def statement_connection(self) -> Iterator[Connection]:
        """A connection on which each statement commits on its own (the driver's autocommit).

        For a lookup done on every request (the web session): one statement,
        read or conditional write, needs no transaction around it, and on
        PostgreSQL the BEGIN and COMMIT of one would be two more round trips
        than the statement itself. Plain Core, no Session: on the hot path the
        ORM's bookkeeping costs more than the statement. Never for a unit of
        work of two statements or more: that is `session()` or `transaction()`.
        On SQLite, Python's sqlite3 begins a transaction only before a write:
        a write here is followed by `commit()`, which ends it.
        """
        with self.engine.connect() as connection:
            if not self.is_sqlite:  # switching sqlite3's isolation level would cost a PRAGMA each way
                connection.execution_options(isolation_level="AUTOCOMMIT")
            yield connection

    @staticmethod
    def hold(session: Session, name: str) -> None:
        """Make the session's transaction the only one holding `name` until it ends."""
        locks.hold(session, name)

    @staticmethod
    def insert_ignoring(session: Session, table: Table, keys: list[str]) -> Insert:
        """An INSERT that skips rows whose `keys` a concurrent writer inserted first."""
        return locks.insert_ignoring(session, table, keys)

    def leader_lock(self, name: str) -> locks.LeaderLock:
        """A lock one process holds for its life (e.g. the scheduler's), released if it dies."""
        if self.dialect == "postgresql":
            return locks.AdvisoryLock(self.engine, name)
        database = make_url(self.url).database or "dtrack.db"
        return locks.FileLock(Path(f"{database}.{name}.lock"))

    def sqlite_file_missing(self) -> bool:
        if not self.is_sqlite:
            return False
        database = make_url(self.url).database
        if not database or database == ":memory:":
            return False
        return not Path(database).exists()

    def schema_revision(self) -> str | None:
        try:
            with self.engine.connect() as conn:
                return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except DBAPIError:  # no such table (or a table dtrack did not make)
            return None

    def ensure_ready(self) -> None:
        """Refuse to work on a database that `dtrack init` has not prepared."""
        if self.sqlite_file_missing() or self.schema_revision() != SCHEMA_REVISION:
            raise DatabaseNotInitialised(self.display_url)

    def migrate(self) -> None:
        """Create or upgrade the schema to the newest migration, in one transaction."""
        from alembic import command
        from alembic.config import Config
        from alembic.util import CommandError

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        engine = self._transactional_ddl_engine() if self.is_sqlite else self.engine
        try:
            with engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        except CommandError as exc:
            # Typically a revision this version does not know: a newer dtrack migrated the database.
            raise MigrationFailed(self.display_url, str(exc).splitlines()[0], code="schema_too_new",
                                  revision=SCHEMA_REVISION) from None
        except SQLAlchemyError as exc:
            raise MigrationFailed(self.display_url, _first_line(exc)) from None
        finally:
            if engine is not self.engine:
                engine.dispose()

    def _transactional_ddl_engine(self) -> Engine:
        """An engine whose transactions include DDL, for migrating SQLite.

        Python's sqlite3 module opens a transaction only before INSERT/UPDATE/
        DELETE, so a failed CREATE TABLE halfway through a migration would
        leave the tables before it behind. SQLAlchemy's documented remedy:
        let the driver do nothing and emit BEGIN ourselves.
        """
        self.engine  # noqa: B018 - the same checks (and errors) as the main engine first
        engine = create_engine(self.url, echo=self.echo)
        event.listen(engine, "connect", _sqlite_pragmas)

        @event.listens_for(engine, "connect")
        def _no_driver_transactions(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
            dbapi_connection.isolation_level = None
            # Batch mode rebuilds a table (copy, drop, rename); with foreign keys on,
            # dropping a table other rows refer to fails. Alembic's documented remedy;
            # dtrack/migrations/env.py runs PRAGMA foreign_key_check before committing.
            dbapi_connection.execute("PRAGMA foreign_keys=OFF")

        @event.listens_for(engine, "begin")
        def _begin(connection: Connection) -> None:
            connection.exec_driver_sql("BEGIN")

        return engine

    def delete_sqlite_file(self) -> None:
        """Remove a SQLite database file (and its WAL files); used by `dtrack demo --fresh`."""
        self.dispose()
        self._engine = None
        database = make_url(self.url).database
        if database and database != ":memory:":
            for suffix in ("", "-wal", "-shm"):
                Path(database + suffix).unlink(missing_ok=True)

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
