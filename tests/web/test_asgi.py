"""The server's application is built by a factory from explicit configuration; importing its module does nothing."""
from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from datetime import date
from functools import partial

from starlette.testclient import TestClient

from dtrack.config.clock import Clock
from dtrack.config.settings import load_settings
from dtrack.persistence.database import Database
from dtrack.web import asgi
from dtrack.workflow.users import add_user
from tests.web.http_support import CSRF, PASSWORD

OVERSEER = "giam.sat@moit.example.vn"


def test_importing_the_module_reads_no_setting_and_opens_no_database(tmp_path):
    target = tmp_path / "never.db"
    # Read, these would fail at once (a negative window); opened, the database would be created.
    env = {**os.environ, "DTRACK_DATABASE_URL": f"sqlite:///{target}", "DTRACK_DUE_SOON_DAYS": "-3"}
    code = "import dtrack.web.asgi as m; print(sorted(n for n in vars(m) if not n.startswith('_')))"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "'app'" not in done.stdout and "create_app" in done.stdout
    assert not target.exists()


def _copy(template, path) -> str:
    shutil.copy(template, path)
    return f"sqlite:///{path}"


def _login(client: TestClient) -> int:
    token = CSRF.search(client.get("/login").text).group(1)
    return client.post("/login", data={"email": OVERSEER, "password": PASSWORD, "csrf_token": token}).status_code


def test_the_factory_builds_two_apps_on_two_databases_in_one_process(sqlite_template, tmp_path, monkeypatch):
    from dtrack.accounts.admin import set_password

    # The environment would break both apps if anything read it: everything comes from the arguments.
    monkeypatch.setenv("DTRACK_DATABASE_URL", "nosuchdriver://nowhere")
    monkeypatch.setenv("DTRACK_DUE_SOON_DAYS", "-3")
    first, second = _copy(sqlite_template, tmp_path / "first.db"), _copy(sqlite_template, tmp_path / "second.db")
    seed = Database(first)
    with seed.session() as session:  # an account in the first database only
        add_user(session, email=OVERSEER, name="Người giám sát", role="overseer", province=None,
                 now=Clock(pinned=date(2026, 1, 5)).now())
    set_password(seed, Clock(pinned=date(2026, 1, 5)), OVERSEER, PASSWORD)
    seed.dispose()
    apps = [asgi.create_app(load_settings({}, database_url=first, due_soon_days="3"), as_of=date(2026, 1, 5)),
            asgi.create_app(load_settings({}, database_url=second))]
    try:
        one, two = (app.state.web for app in apps)
        assert (one.db.url, two.db.url) == (first, second)
        assert (one.settings.due_soon_days, two.settings.due_soon_days) == (3, 7)
        assert one.today().day == date(2026, 1, 5) and one.today().due_soon_days == 3
        assert two.today().day == Clock(two.settings.timezone).today()  # no --as-of: the real day
        with TestClient(apps[0], follow_redirects=False) as a, TestClient(apps[1], follow_redirects=False) as b:
            assert _login(a) == 303  # the account is in its database
            assert _login(b) == 401  # and not in the other's: refused
    finally:
        for app in apps:
            app.state.web.db.dispose()


def test_what_serve_hands_its_workers_pickles_and_builds_the_same_app(sqlite_template, tmp_path, monkeypatch):
    """`dtrack serve --workers N` hands each spawned worker the factory with its arguments (pickled)."""
    monkeypatch.setenv("DTRACK_DATABASE_URL", "nosuchdriver://nowhere")
    url = _copy(sqlite_template, tmp_path / "served.db")
    factory = partial(asgi.create_app, load_settings({}, database_url=url), as_of=date(2026, 1, 5), secret="one")
    app = pickle.loads(pickle.dumps(factory))()
    try:
        web = app.state.web
        assert (web.db.url, web.secret, web.clock.today()) == (url, "one", date(2026, 1, 5))
    finally:
        app.state.web.db.dispose()
