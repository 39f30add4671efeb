"""Fixtures for the HTTP tests of the web application (Starlette's TestClient, no browser).

tests/web/conftest.py makes them the fixtures of every web test.

`site` is one application per back-end (the `db` fixture: SQLite and PostgreSQL)
with a hand-moved clock, four accounts with passwords (a Hà Nội officer, a Huế
officer, an overseer, an admin) and `site.client(who)` giving a logged-in client.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select, text
from starlette.testclient import TestClient

from dtrack.accounts import admin, passwords
from dtrack.config.clock import LOCAL_TZ, Clock
from dtrack.config.settings import load_settings
from dtrack.persistence.database import Database
from dtrack.persistence.models import Task
from dtrack.web.app import build_app
from dtrack.workflow.users import add_user

PASSWORD = "Mật-khẩu-thử-2026"
# 12:00 in Hà Nội on the test worlds' "today" (tests/conftest.py TODAY = 2026-01-05).
START = datetime(2026, 1, 5, 5, 0, tzinfo=UTC)
ACCOUNTS = {
    "own": ("can.bo@soct.hanoi.example.vn", "Nguyễn Thị Hà", "province", "ha-noi"),
    "other": ("can.bo@soct.hue.example.vn", "Trần Văn Huế", "province", "hue"),
    "overseer": ("giam.sat@moit.example.vn", "Lê Văn Giám", "overseer", None),
    "admin": ("quan.tri@moit.example.vn", "Phạm Quản Trị", "admin", None),
}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')


class ManualClock(Clock):
    """A clock the test moves by hand (Clock is frozen: the instant is set around it)."""

    def __init__(self, start: datetime) -> None:
        object.__setattr__(self, "tz", LOCAL_TZ)
        object.__setattr__(self, "pinned", None)
        object.__setattr__(self, "_now", start)

    def now(self) -> datetime:
        return self._now

    def today(self):
        return self.local_date(self._now)

    def advance(self, **delta: float) -> None:
        object.__setattr__(self, "_now", self._now + timedelta(**delta))


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    """argon2id with small costs: the tests log in hundreds of times; the algorithm is the same."""
    fast = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(passwords, "hasher", lambda: fast)


@dataclass
class Site:
    db: Database
    clock: ManualClock
    settings: object
    app: object
    emails: dict[str, str] = field(default_factory=dict)
    base_url: str = "http://testserver"  # https when the site sets Secure cookies (they are not sent over http)

    def anonymous(self) -> TestClient:
        return TestClient(self.app, base_url=self.base_url, follow_redirects=False)

    def client(self, who: str, password: str = PASSWORD) -> TestClient:
        client = self.anonymous()
        login(client, self.emails.get(who, who), password)
        return client

    def task_id(self, key: str) -> int:
        from dtrack.workflow.tasks import find_task

        with self.db.session() as session:
            return find_task(session, key)[0].id

    def version(self, task_id: int) -> int:
        with self.db.session() as session:
            return session.get(Task, task_id).version

    def scalar(self, sql: str, **params):
        with self.db.session() as session:
            return session.execute(text(sql), params).scalar()

    def fingerprint(self) -> tuple:
        """What a refused request must leave as it was (everything but the login audit and sessions)."""
        with self.db.session() as session:
            def q(sql: str):
                return tuple(session.execute(text(sql)).all())
            return (
                q("SELECT id, state, progress, version, due_on FROM tasks ORDER BY id"),
                q("SELECT count(*), max(id) FROM events"),
                q("SELECT id, email, role, province_id, disabled_at, password_hash, locale FROM users ORDER BY id"),
                q("SELECT count(*) FROM indicator_values"),
                q("SELECT id, used_at FROM auth_tokens ORDER BY id"),
                q("SELECT count(*) FROM directives"),
                q("SELECT count(*) FROM reminders"),
                q("SELECT id, status, granted_due_on FROM extension_requests ORDER BY id"),
                q("SELECT id, day, working, withdrawn_at FROM calendar_days ORDER BY id"),
                q("SELECT count(*), max(id) FROM task_documents"),
            )


def login(client: TestClient, email: str, password: str = PASSWORD):
    page = client.get("/login")
    token = CSRF.search(page.text).group(1)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def csrf_of(client: TestClient, path: str = "/indicators") -> str:
    return CSRF.search(client.get(path).text).group(1)


def form_of(client: TestClient, task_id: int) -> tuple[str, str]:
    """(csrf token, task version) as the task page's forms carry them."""
    page = client.get(f"/tasks/{task_id}")
    assert page.status_code == 200, page.text[:500]
    version = VERSION.search(page.text)
    return CSRF.search(page.text).group(1), version.group(1) if version else ""


def make_site(db: Database, **overrides: str) -> Site:
    clock = ManualClock(START)
    settings = load_settings({}, **overrides)
    site = Site(db, clock, settings, build_app(db, settings, clock))
    with db.session() as session:
        for role_name, (email, name, role, province) in ACCOUNTS.items():
            add_user(session, email=email, name=name, role=role, province=province, now=clock.now())
            site.emails[role_name] = email
    for email in site.emails.values():
        admin.set_password(db, clock, email, PASSWORD)
    return site


@pytest.fixture
def site(db) -> Site:
    return make_site(db)


def count(site: Site, table: str, where: str = "1=1", **params) -> int:
    return site.scalar(f"SELECT count(*) FROM {table} WHERE {where}", **params)


__all__ = ["ACCOUNTS", "PASSWORD", "START", "ManualClock", "Site", "cheap_hashing", "count", "csrf_of", "form_of",
           "login", "make_site", "site", "func", "select"]
