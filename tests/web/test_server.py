"""`dtrack serve --workers 2` as a real process on PostgreSQL, driven over HTTP: login and one transition."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time

import httpx2 as httpx  # the test extra installs httpx2 (setup.cfg), the API httpx had
import pytest

from dtrack.persistence.database import Database
from tests.conftest import _reset_pg
from tests.web.http_support import CSRF, login

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
PASSWORD = "Mật-khẩu-máy-chủ-2026"
EMAIL = "can.bo@soct.hanoi.example.vn"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _dtrack(url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "DTRACK_DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "dtrack", *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=120, check=True)


@pytest.fixture
def server(pg_scratch_url):
    _reset_pg(pg_scratch_url)
    _dtrack(pg_scratch_url, "init")
    _dtrack(pg_scratch_url, "users", "add", "--email", EMAIL, "--name", "Nguyễn Thị Hà", "--role", "province",
            "--province", "ha-noi")
    _dtrack(pg_scratch_url, "users", "set-password", EMAIL, "--password-stdin", stdin=PASSWORD + "\n")
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "dtrack", "--db", pg_scratch_url, "serve", "--port", str(port), "--workers", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).text == "ok":
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"server did not start: {process.stdout.read() if process.stdout else ''}")
            time.sleep(0.2)
        yield base, pg_scratch_url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def test_login_and_one_transition_on_the_real_server(server):
    base, url = server
    with httpx.Client(base_url=base, follow_redirects=False, timeout=30) as client:
        form = client.get("/login")
        assert form.headers["x-frame-options"] == "DENY"
        answer = client.post("/login", data={"email": EMAIL, "password": PASSWORD,
                                             "csrf_token": CSRF.search(form.text).group(1)})
        assert answer.status_code == 303
        home = client.get("/province")
        assert home.status_code == 200 and "Việc của tỉnh" in home.text
        task_id = re.search(r'href="/tasks/(\d+)"', home.text).group(1)
        page = client.get(f"/tasks/{task_id}")
        version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
        done = client.post(f"/tasks/{task_id}/actions/start", data={
            "csrf_token": CSRF.search(page.text).group(1), "version": version, "note": "Bắt đầu qua máy chủ thật"})
        assert done.status_code == 303
        assert "Bắt đầu qua máy chủ thật" in client.get(f"/tasks/{task_id}").text
    db = Database(url)
    try:
        with db.session() as session:
            from sqlalchemy import text

            started = text("SELECT count(*) FROM events WHERE note = 'Bắt đầu qua máy chủ thật'")
            assert session.execute(started).scalar() == 1
    finally:
        db.dispose()


def test_a_disable_ends_the_session_at_once_in_every_worker(server):
    """No worker keeps a session (or its user) in memory: the next request, in either process, is logged out."""
    base, url = server
    with httpx.Client(base_url=base, follow_redirects=False, timeout=30) as client:
        assert login(client, EMAIL, PASSWORD).status_code == 303
        cookie = {"dtrack_session": client.cookies["dtrack_session"]}

    def province() -> httpx.Response:
        # A new connection each time (either of the two workers may accept it), the same session cookie.
        return httpx.get(f"{base}/province", cookies=cookie, follow_redirects=False, timeout=30)

    assert all(province().status_code == 200 for _ in range(8))
    _dtrack(url, "users", "disable", EMAIL)
    answers = [province() for _ in range(8)]
    assert all(a.status_code == 303 and a.headers["location"] == "/login?flash=expired" for a in answers)


def test_a_change_made_through_one_worker_shows_at_once_in_both(server):
    """Both workers keep pages (web.page_memo); a commit in either, or outside the server, ends every kept one."""
    base, url = server
    with httpx.Client(base_url=base, follow_redirects=False, timeout=30) as client:
        assert login(client, EMAIL, PASSWORD).status_code == 303
        cookie = {"dtrack_session": client.cookies["dtrack_session"]}
        task_id = re.search(r'href="/tasks/(\d+)"', client.get("/province").text).group(1)

    def page() -> str:  # a new connection each time: either worker may answer, from what it keeps
        answer = httpx.get(f"{base}/tasks/{task_id}", cookies=cookie, follow_redirects=False, timeout=30)
        assert answer.status_code == 200
        return answer.text

    def facts(text: str) -> tuple[str, str]:  # the task's state and version, as the page's facts say them
        return re.search(r'data-state="(\w+)" data-version="(\d+)"', text).groups()

    first = [page() for _ in range(8)]
    version = facts(first[0])[1]
    assert {facts(text) for text in first} == {("not_started", version)}
    done = httpx.post(f"{base}/tasks/{task_id}/actions/start", cookies=cookie, follow_redirects=False, timeout=30,
                      data={"csrf_token": CSRF.search(first[0]).group(1), "version": version})
    assert done.status_code == 303
    assert {facts(page()) for _ in range(8)} == {("in_progress", str(int(version) + 1))}
    _dtrack(url, "task", "update", task_id, "--progress", "35", "--as", EMAIL)  # a commit from outside the server
    assert {facts(page()) for _ in range(8)} == {("in_progress", str(int(version) + 2))}
