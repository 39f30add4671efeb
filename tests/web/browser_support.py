"""Fixtures for the browser tests: a real `dtrack serve` process and real Chromium.

tests/web/conftest.py makes these the fixtures of every web test:

- `web_site`: per back-end (SQLite file, PostgreSQL scratch database), a database
  prepared with `dtrack init`, users made with `dtrack users add` and
  `dtrack users set-password --password-stdin`, and the server started as a
  process (`--workers 2` on PostgreSQL), stopped at the end in bounded time.
- `chromium`: Debian's /usr/bin/chromium driven by Playwright through
  `executable_path` (Playwright cannot download a browser here). Missing
  browser or missing `playwright` package: skipped with the reason on a
  laptop, FAILED when the CI variable is set. `make chromium` installs it.
- `Screens`: screenshots of the main pages, always, under
  test-output/screenshots/<backend>/ (gitignored), and of every open page
  when a test fails.
"""
from __future__ import annotations

import os
import shutil
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select

from bench.webserver import ServerProcess, add_user, run_cli
from dtrack.persistence.database import Database
from dtrack.persistence.models import Task
from tests.conftest import BACKENDS, _reset_pg

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("DTRACK_SCREENSHOTS", ROOT / "test-output" / "screenshots"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    # As root, Chromium's own connections are refused without these; they also keep it off the network.
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
TIMEOUT_MS = 15_000  # per Playwright action and expectation: a loaded shared machine is slow


@dataclass(frozen=True)
class Account:
    email: str
    name: str
    role: str
    password: str
    province: str | None = None


OFFICER = Account("can.bo@soct.hanoi.example.vn", "Nguyễn Thị Hà", "province", "Mật-khẩu-Hà-Nội-2026", "ha-noi")
OTHER_OFFICER = Account("can.bo@soct.hue.example.vn", "Trần Văn Huế", "province", "Mật-khẩu-Huế-2026", "hue")
OVERSEER = Account("giam.sat@khuyencong.moit.example.vn", "Lê Văn Giám", "overseer", "Mật-khẩu-Giám-sát-2026")
ACCOUNTS = (OFFICER, OTHER_OFFICER, OVERSEER)


@dataclass(frozen=True)
class TaskView:
    id: int
    key: str
    state: str
    progress: int
    version: int
    events: int


@dataclass
class Site:
    """A running server on a prepared database."""

    backend: str
    db_url: str
    base_url: str
    server: ServerProcess
    _db: Database | None = field(default=None, repr=False)

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def db(self) -> Database:
        """Read-only looks at what the server wrote (never used to change anything)."""
        if self._db is None:
            self._db = Database(self.db_url)
        return self._db

    def task(self, task_id: int) -> TaskView:
        """How the task stands in the database now (what the server committed)."""
        with self.db.session() as session:
            task = session.get(Task, task_id)
            assert task is not None, f"no task {task_id}"
            return TaskView(task.id, task.key, task.state, task.progress, task.version, len(task.events))

    def task_id(self, key_prefix: str, province: str) -> int:
        """The id of the first task (lowest id) of a province whose key starts with key_prefix."""
        with self.db.session() as session:
            for task in session.scalars(select(Task).order_by(Task.id)):
                if task.province.slug == province and task.key.startswith(key_prefix):
                    return task.id
        raise AssertionError(f"no task {key_prefix}* in {province}")

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()
            self._db = None


def _prepare(backend: str, tmp: Path, request) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp / 'web.db'}"
    url = request.getfixturevalue("pg_scratch_url")
    _reset_pg(url)
    return url


@pytest.fixture(scope="module", params=BACKENDS)
def web_site(request, tmp_path_factory) -> Iterator[Site]:
    backend = request.param
    tmp = tmp_path_factory.mktemp(f"web-{backend}")
    db_url = _prepare(backend, tmp, request)
    run_cli(db_url, "init")
    for account in ACCOUNTS:
        add_user(db_url, account.email, account.name, account.role, account.password, account.province)
    # Two workers on PostgreSQL: the production shape (sessions must be shared through the database).
    # Evidence files in the test's own folder (the default for PostgreSQL is ./dtrack-evidence).
    server = ServerProcess(db_url, tmp / "server.log", workers=2 if backend == "postgresql" else 1,
                           env={"DTRACK_EVIDENCE_DIR": str(tmp / "evidence")})
    base_url = server.start()
    site = Site(backend, db_url, base_url, server)
    try:
        yield site
    finally:
        site.close()
        server.stop()
        log = server.log_path.read_text(encoding="utf-8", errors="replace")
        (SCREENSHOTS / backend).mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / backend / "server.log").write_text(log, encoding="utf-8")  # beside the pictures
        # The server's own log is the witness for "no traceback ever reaches a page": none may be in it either.
        assert "Traceback" not in log, f"the server logged a traceback:\n{server.log_tail(80)}"


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI requires the browser tests; run `make chromium`)", pytrace=False)
    pytest.skip(f"{reason}; run `make chromium` (and `make install`) to enable the browser tests")


def chromium_path() -> str | None:
    """$DTRACK_CHROMIUM when set (and then only it), else Debian's /usr/bin/chromium or chromium on PATH."""
    explicit = os.environ.get("DTRACK_CHROMIUM")
    for candidate in (explicit,) if explicit else ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.path.exists(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="session")
def chromium():
    """A headless Chromium (Debian's), shared by the run; each test opens its own contexts."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the Python package playwright is not installed")
    executable = chromium_path()
    if executable is None:
        _missing("Chromium is not installed (looked for $DTRACK_CHROMIUM, /usr/bin/chromium, chromium on PATH)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True,
                                             timeout=60_000)
        try:
            yield browser
        finally:
            browser.close()


class Screens:
    """Screenshots of one test: `shot(page, name)` always; every open page on failure."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.pages: dict[str, object] = {}
        self.saved: list[Path] = []
        if folder.exists():
            shutil.rmtree(folder)  # this run's pictures only
        folder.mkdir(parents=True)

    def track(self, label: str, page) -> None:
        self.pages[label] = page

    def shot(self, page, name: str) -> Path:
        path = self.folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.saved.append(path)
        return path

    @contextmanager
    def on_failure(self) -> Iterator[None]:
        """Wrap a test's body: when it raises, save each tracked page as failure-<label>.png."""
        try:
            yield
        except BaseException:
            for label, page in self.pages.items():
                try:
                    self.shot(page, f"failure-{label}")
                    (self.folder / f"failure-{label}.url.txt").write_text(page.url + "\n", encoding="utf-8")
                except Exception:  # noqa: BLE001 - the page may be closed; the test's own error matters
                    traceback.print_exc()
            print(f"screenshots: {self.folder}")
            raise


@pytest.fixture
def screens(request, web_site) -> Screens:
    name = request.node.originalname.removeprefix("test_")
    return Screens(SCREENSHOTS / web_site.backend / name)


@pytest.fixture
def new_page(chromium, web_site, screens):
    """`new_page(label)`: a page in a fresh browser context (its own cookies), closed at the end."""
    contexts = []

    def make(label: str):
        context = chromium.new_context(base_url=web_site.base_url, locale="vi-VN",
                                       viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        screens.track(label, page)
        return page

    yield make
    for context in contexts:
        context.close()
