"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL: the server at DTRACK_TEST_PG_URL (default: database `test` on
127.0.0.1:5432). Each test gets a database of its own there, a copy of
a template this run built (class PgDatabases), dropped when the test ends,
so runs and tests never see each other's data. If the server is
unreachable the PostgreSQL tests are skipped on a laptop but FAIL when the
CI variable is set.
"""
from __future__ import annotations

import fcntl
import os
import queue
import shutil
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from dtrack.config.clock import Clock
from dtrack.i18n.catalog import STRICT_VARIABLE
from dtrack.persistence.database import Database
from dtrack.usecases.bootstrap import initialise
from dtrack.workflow.service import Tracker
from dtrack.workflow.users import add_user

# Speed is measured in `make bench`, not in tests: a property test on a busy
# 2-core CI machine must not fail because one example took 300 ms.
hypothesis_settings.register_profile("dtrack", deadline=None)
hypothesis_settings.load_profile("dtrack")

# A message id missing from a catalog fails the test that shows it (production falls back to English,
# then to the id: dtrack.i18n.catalog). In the environment, so the commands and servers the tests start
# are strict too.
os.environ[STRICT_VARIABLE] = "1"

PG_URL = os.environ.get("DTRACK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# Tasks are assigned on this day in every test world (a Monday).
ASSIGNED_ON = date(2025, 11, 3)
TODAY = date(2026, 1, 5)

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


# The templates are built once per run, not once per worker: the controller (or the lone process without -n)
# names the run and a folder for it in the environment, which the xdist workers inherit when they start.
RUN_VARIABLE, SHARED_VARIABLE = "DTRACK_TEST_RUN", "DTRACK_TEST_SHARED"


def pytest_configure(config) -> None:
    if hasattr(config, "workerinput"):  # an xdist worker: the controller named the run
        return
    os.environ[RUN_VARIABLE] = uuid.uuid4().hex[:10]
    os.environ[SHARED_VARIABLE] = tempfile.mkdtemp(prefix="dtrack-test-run-")


def pytest_unconfigure(config) -> None:
    """The controller, after every worker has ended: drop the run's PostgreSQL templates, remove its folder."""
    if hasattr(config, "workerinput") or RUN_VARIABLE not in os.environ:
        return
    shared = Path(os.environ.pop(SHARED_VARIABLE))
    prefix = _template_prefix(os.environ.pop(RUN_VARIABLE))
    for marker in shared.glob("postgresql-*.built"):
        try:
            admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{prefix}_{marker.stem.removeprefix("postgresql-")}"'
                                  " WITH (FORCE)"))
            admin.dispose()
        except Exception as exc:  # noqa: BLE001 - a leftover template must not fail the run; say so
            print(f"could not drop the test template {marker.stem}: {exc}")
    shutil.rmtree(shared, ignore_errors=True)


def _template_prefix(run: str) -> str:
    return f"dtrack_test_{run}_template"


@contextmanager
def _run_lock(name: str) -> Iterator[Path]:
    """The run's shared folder, held under an exclusive lock `name` (one builder per template per run)."""
    shared = Path(os.environ[SHARED_VARIABLE])
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield shared
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def pytest_addoption(parser) -> None:
    parser.addoption("--faults", action="store_true",
                     help="run only the fault suite (tests marked `faults`); `make check-faults`")


# Modules whose tests drive a browser or a real server take tens of seconds each: they go first, so that the
# workers (-n) share them at the start instead of one worker finishing them alone at the end.
SLOW_FIXTURES = {"chromium", "web_site"}


def pytest_collection_modifyitems(config, items) -> None:
    """`make test` leaves the fault suite out (deselected, not skipped); `--faults` runs only it.
    The modules of slow tests first (`SLOW_FIXTURES`), each module's own order kept."""
    want_faults = config.getoption("--faults")
    keep = [item for item in items if (item.get_closest_marker("faults") is not None) == want_faults]
    dropped = [item for item in items if item not in keep]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    slow_modules = {item.nodeid.split("::")[0] for item in keep
                    if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())) or item.get_closest_marker("slow")}
    items[:] = sorted(keep, key=lambda item: item.nodeid.split("::")[0] not in slow_modules)  # stable


@dataclass(frozen=True)
class Sent:
    """One statement sent to the database, and whether the driver was in autocommit (None on SQLite)."""

    sql: str
    autocommit: bool | None

    @property
    def kind(self) -> str:  # SELECT, UPDATE, PRAGMA ...
        return self.sql.split()[0].upper()


@contextmanager
def recorded_statements(db: Database) -> Iterator[list[Sent]]:
    """Every statement sent to `db` while the block runs, in order."""
    sent: list[Sent] = []

    def record(conn, _cursor, statement, *_args) -> None:
        sent.append(Sent(statement, getattr(conn.connection.dbapi_connection, "autocommit", None)))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _pg_admin() -> Engine:
    """An AUTOCOMMIT engine on the server's `test` database; fails (CI) or skips when the server is down."""
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect():
            pass
    except OperationalError as exc:
        admin.dispose()
        message = f"PostgreSQL unreachable at {PG_URL}: {str(exc.orig).strip()}"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI requires PostgreSQL)")
        pytest.skip(message)
    return admin


class PgDatabases:
    """This run's databases on the shared PostgreSQL server, each under a name of its own.

    A test's database is a copy of a template built once per run (`CREATE DATABASE … TEMPLATE`,
    about 60 ms, against 600 ms to migrate and seed one, or seconds for the demo season), and is
    dropped when the test ends. Only this run ever connects to its templates, so a busy server
    elsewhere cannot make a copy fail. The templates are shared by the run's workers (the first to
    need one builds it under a lock; copies never connect to it) and dropped by the controller at
    the end (`pytest_unconfigure`).

    A DROP DATABASE waits for a checkpoint (about 0.4 s): a test's database is dropped by a thread
    of the worker's own (`drop_later`) while the next test runs, and `close` waits for the last ones.
    """

    def __init__(self, admin: Engine) -> None:
        self.admin = admin
        self.prefix = f"dtrack_test_{uuid.uuid4().hex[:10]}"
        self.templates: dict[str, str] = {}
        self.count = 0
        self._dropping: queue.Queue[str | None] = queue.Queue()
        self._dropper = threading.Thread(target=self._drop_each, name="drop-databases", daemon=True)
        self._dropper.start()

    def url(self, name: str) -> str:
        return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)

    def create(self, template: str | None = None) -> str:
        self.count += 1
        name = f"{self.prefix}_{self.count}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
        return name

    def drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def drop_later(self, name: str) -> None:
        """Drop a test's database behind the tests (its connections are ended: WITH (FORCE))."""
        self._dropping.put(name)

    def _drop_each(self) -> None:
        # Each DROP waits for a checkpoint, and drops waiting together share one: all that are queued go at once.
        with ThreadPoolExecutor(8, thread_name_prefix="drop") as pool:
            while True:
                batch = [self._dropping.get()]
                while not self._dropping.empty():
                    batch.append(self._dropping.get())
                list(pool.map(self._drop_quietly, [name for name in batch if name is not None]))
                if None in batch:  # `close`: everything before it is dropped
                    return

    def _drop_quietly(self, name: str) -> None:
        try:
            self.drop(name)
        except Exception as exc:  # noqa: BLE001 - a leftover database must not stop the run; say so
            print(f"could not drop the test database {name}: {exc}")

    def copy_of(self, kind: str, build: Callable[[str], None]) -> str:
        """The name of a new copy of the template `kind`, built by `build(url)` the first time in the run."""
        if kind not in self.templates:
            name = f"{_template_prefix(os.environ[RUN_VARIABLE])}_{kind}"
            with _run_lock(f"postgresql-{kind}") as shared:
                built = shared / f"postgresql-{kind}.built"
                if not built.exists():
                    with self.admin.connect() as conn:
                        conn.execute(text(f'CREATE DATABASE "{name}"'))
                    built.touch()  # before the build: the controller drops it even if the build fails
                    build(self.url(name))
                    (shared / f"postgresql-{kind}.ready").touch()
            if not (shared / f"postgresql-{kind}.ready").exists():
                pytest.fail(f"the template {name} could not be built (see the first test that needed it)")
            self.templates[kind] = name
        return self.create(self.templates[kind])

    def close(self) -> None:
        self._dropping.put(None)
        self._dropper.join()
        self.admin.dispose()  # the templates are the controller's to drop (`pytest_unconfigure`)


@pytest.fixture(scope="session")
def pg_databases() -> Iterator[PgDatabases]:
    databases = PgDatabases(_pg_admin())
    yield databases
    databases.close()


@pytest.fixture(scope="session")
def pg_scratch_url(pg_databases: PgDatabases) -> Iterator[str]:
    """A PostgreSQL database of this test run's own (tests that reset it themselves)."""
    name = pg_databases.create()
    yield pg_databases.url(name)
    pg_databases.drop(name)


def _reset_pg(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _initialise(url: str) -> None:
    """34 provinces, Directive 20, 340 tasks, as `dtrack init` leaves them."""
    db = Database(url)
    initialise(db, Clock(pinned=ASSIGNED_ON))
    db.dispose()


def _demo_season(url: str) -> None:
    """The demo season (dtrack.usecases.demo), deterministic: the same rows on every run."""
    from dtrack.usecases.demo import run_demo

    db = Database(url)
    run_demo(db)
    db.dispose()


# How each kind of test database is made, from nothing.
BUILDERS: dict[str, Callable[[str], None]] = {"initialised": _initialise, "demo": _demo_season}


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory) -> dict[str, Path]:
    """SQLite files built once per run, by kind, copied for each test (faster than building each time)."""
    return {}


def _sqlite_template(kind: str, templates: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run's SQLite template of `kind`, built by the first worker that needs it (the others wait)."""
    if kind not in templates:
        with _run_lock(f"sqlite-{kind}") as shared:
            path = shared / f"sqlite-{kind}.db"
            if not (shared / f"sqlite-{kind}.ready").exists():
                path.unlink(missing_ok=True)  # a build that failed half-way
                BUILDERS[kind](f"sqlite:///{path}")
                checkpoint = create_engine(f"sqlite:///{path}")
                with checkpoint.connect() as conn:  # one file to copy, no -wal beside it
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                checkpoint.dispose()
                (shared / f"sqlite-{kind}.ready").touch()
        templates[kind] = path
    return templates[kind]


@pytest.fixture(scope="session")
def sqlite_template(sqlite_templates, tmp_path_factory) -> Path:
    """An initialised SQLite file (not to be written: copy it)."""
    return _sqlite_template("initialised", sqlite_templates, tmp_path_factory)


def _database_copy(kind: str, backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A URL to a database of its own for one test, a copy of the run's template of `kind`."""
    if backend == "sqlite":
        template = _sqlite_template(kind, request.getfixturevalue("sqlite_templates"),
                                    request.getfixturevalue("tmp_path_factory"))
        target = tmp_path / "dtrack.db"
        shutil.copy(template, target)
        return f"sqlite:///{target}"
    databases: PgDatabases = request.getfixturevalue("pg_databases")
    name = databases.copy_of(kind, BUILDERS[kind])
    request.addfinalizer(lambda: databases.drop_later(name))
    return databases.url(name)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def empty_url(backend, tmp_path, request) -> str:
    """A URL to a database with no dtrack schema yet, on each back-end."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    databases: PgDatabases = request.getfixturevalue("pg_databases")
    name = databases.create()
    request.addfinalizer(lambda: databases.drop_later(name))
    return databases.url(name)


@pytest.fixture
def db_url(backend, tmp_path, request) -> str:
    """A URL to an initialised database: 34 provinces, Directive 20, 340 tasks."""
    return _database_copy("initialised", backend, tmp_path, request)


@pytest.fixture
def db(db_url) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def demo_url(backend, tmp_path, request) -> str:
    """A URL to a database holding the demo season (`run_demo` on it finds it there and returns at once).

    A module whose every test starts from the season overrides `db_url` with it, so that `db`,
    `cli_runner` and `site` all stand on the season.
    """
    return _database_copy("demo", backend, tmp_path, request)


@pytest.fixture
def demo_db(demo_url) -> Iterator[Database]:
    database = Database(demo_url)
    yield database
    database.dispose()


@dataclass
class World:
    """A factory for test scenarios on one database."""

    db: Database
    clock: Clock = field(default_factory=lambda: Clock(pinned=TODAY))
    _count: int = 0

    @property
    def tracker(self) -> Tracker:
        return Tracker(self.db, self.clock)

    def user(self, role: str = "province", province: str | None = "ha-noi", email: str | None = None) -> str:
        self._count += 1
        email = email or f"{role}{self._count}@{province or 'moit'}.example.vn"
        with self.db.session() as session:
            add_user(session, email=email, name=f"Người dùng {self._count}", role=role,
                     province=province if role == "province" else None, now=self.clock.now())
        return email

    def fire(self, task: str, trigger: str, actor: str, **kwargs):
        return self.tracker.fire(task, trigger, actor, **kwargs)


@pytest.fixture
def world(db) -> World:
    return World(db)


@pytest.fixture
def cli_runner(db_url, monkeypatch):
    """Invoke the CLI against the test database; returns (result) for argv."""
    from dtrack.cli import cli

    monkeypatch.setenv("DTRACK_DATABASE_URL", db_url)
    monkeypatch.setenv("DTRACK_TODAY", TODAY.isoformat())
    runner = CliRunner()

    def invoke(*args: str, **kwargs):
        return runner.invoke(cli, list(args), catch_exceptions=False, **kwargs)

    return invoke


@pytest.fixture
def english(monkeypatch):
    """The command line in English (DTRACK_LANG=en), for tests about something other than its wording."""
    monkeypatch.setenv("DTRACK_LANG", "en")


# The browser fixtures (`chromium`, `web_site`, `new_page`, `screens`) for every folder's browser tests, defined
# once: two definitions of `chromium` would start two sync Playwrights in one worker, which refuse to run.
pytest_plugins = ["tests.web.browser_support"]
