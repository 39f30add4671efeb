"""The one gateway to the database.

Workflow code asks a `Database` for sessions; nothing else creates engines
or opens connections. It also applies the Alembic migrations (`migrate`) and
refuses to work on a database whose schema is missing or out of date.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from dtrack.workflow.errors import DatabaseNotInitialised, DatabaseUnavailable

# The Alembic revision the code expects; tests check it is the migrations' head.
SCHEMA_REVISION = "0005"

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers work while one writer commits; busy_timeout makes a
    # second writer wait for the lock instead of failing at once.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Database:
    def __init__(self, url: str, echo: bool = False) -> None:
        self.url = url
        self.echo = echo
        self._engine: Engine | None = None
        self._sessions: sessionmaker[Session] | None = None

    @property
    def display_url(self) -> str:
        """The URL with any password hidden, for messages and logs."""
        try:
            return make_url(self.url).render_as_string(hide_password=True)
        except ArgumentError:
            return self.url

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            try:
                engine = create_engine(self.url, echo=self.echo, pool_pre_ping=not self.is_sqlite)
            except (ArgumentError, NoSuchModuleError, ValueError) as exc:
                raise DatabaseUnavailable(self.display_url, f"not a usable database URL ({exc})") from None
            if engine.dialect.name == "sqlite":
                event.listen(engine, "connect", _sqlite_pragmas)
            try:
                with engine.connect():
                    pass
            except OperationalError as exc:
                engine.dispose()
                reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
                raise DatabaseUnavailable(self.display_url, reason) from None
            self._engine = engine
            self._sessions = sessionmaker(engine, expire_on_commit=False)
        return self._engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: commits when the block ends, rolls back on any error."""
        self.engine  # noqa: B018 - connects (or raises DatabaseUnavailable) first
        assert self._sessions is not None
        with self._sessions() as session, session.begin():
            yield session

    def sqlite_file_missing(self) -> bool:
        if not self.is_sqlite:
            return False
        database = make_url(self.url).database
        return bool(database) and database != ":memory:" and not Path(database).exists()

    def schema_revision(self) -> str | None:
        try:
            with self.engine.connect() as conn:
                return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except (OperationalError, ProgrammingError):
            return None

    def ensure_ready(self) -> None:
        """Refuse to work on a database that `dtrack init` has not prepared."""
        if self.sqlite_file_missing() or self.schema_revision() != SCHEMA_REVISION:
            raise DatabaseNotInitialised(self.display_url)

    def migrate(self) -> None:
        """Create or upgrade the schema to the newest migration."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

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
