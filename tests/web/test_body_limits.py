"""Bodies are bounded before they are read; Argon2 under bounded concurrency; the login CSRF is server-issued.

Against a REAL `dtrack serve` process (per back-end; two workers on
PostgreSQL), driven over raw sockets so that a body can be chunked (no
Content-Length) and the answer read while the body is still being sent:
its memory (VmRSS of every process of the server) must stay flat.
In-process (`site`): the pre-login CSRF token, the saturated hasher, the
streamed evidence upload's refusals.
"""
from __future__ import annotations

import contextlib
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.webserver import ServerProcess, add_user, run_cli
from dtrack.accounts import passwords
from dtrack.web import prelogin
from tests.conftest import BACKENDS, _reset_pg
from tests.web.http_support import CSRF, PASSWORD, count, login, make_site

pytestmark = pytest.mark.slow
EMAIL = "can.bo@soct.hanoi.example.vn"
MB = 1 << 20


# --- a real server ----------------------------------------------------------------------------


def _group_rss_mb(leader: int) -> float:
    """VmRSS of every process of the server's process group (uvicorn's workers included), in MB."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.getpgid(int(entry)) != leader:
                continue
            status = Path(f"/proc/{entry}/status").read_text()
        except (OSError, ProcessLookupError):
            continue
        total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return total / 1024


class PeakRss:
    """The largest group RSS seen while the block runs (sampled every 20 ms)."""

    def __init__(self, leader: int) -> None:
        self.leader, self.peak, self.before = leader, 0.0, _group_rss_mb(leader)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _group_rss_mb(self.leader))
            time.sleep(0.02)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def growth(self) -> float:
        return self.peak - self.before


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, tmp_path_factory) -> Iterator[tuple[ServerProcess, Path]]:
    tmp = tmp_path_factory.mktemp(f"limits-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'limits.db'}"
    else:
        url = request.getfixturevalue("pg_scratch_url")
        _reset_pg(url)
    run_cli(url, "init")
    add_user(url, EMAIL, "Nguyễn Thị Hà", "province", PASSWORD, "ha-noi")
    evidence = tmp / "evidence"
    process = ServerProcess(url, tmp / "server.log", workers=2 if request.param == "postgresql" else 1,
                            env={"DTRACK_EVIDENCE_DIR": str(evidence)})
    process.start()
    try:
        yield process, evidence
    finally:
        process.stop()
        log = process.log_path.read_text(encoding="utf-8", errors="replace")
        assert "Traceback" not in log, process.log_tail(60)


def _head(method: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Transfer-Encoding: chunked",
             *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def send_chunked(port: int, path: str, total: int, headers: dict[str, str], first: bytes = b"",
                 chunk: bytes = b"a" * MB) -> tuple[int, dict[str, str], int]:
    """POST `first` then chunks up to `total` bytes, no Content-Length, reading the answer as it comes.

    Returns (status, response headers, bytes the client got to send before the answer or the server's close).
    """
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    answer, sent = b"", 0
    try:
        sock.sendall(_head("POST", path, headers))
        frames = [first] if first else []
        while True:
            for piece in frames:
                try:
                    sock.sendall(b"%x\r\n" % len(piece) + piece + b"\r\n")
                except OSError:  # the server answered and closed: what it sent is still to be read
                    frames = None
                    break
                sent += len(piece)
            if frames is None or b"\r\n\r\n" in answer:
                break
            sock.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                answer += sock.recv(65536)
            sock.setblocking(True)
            if b"\r\n\r\n" in answer:
                break
            if sent >= total:
                sock.sendall(b"0\r\n\r\n")
                break
            frames = [chunk]
        sock.settimeout(30)
        while b"\r\n\r\n" not in answer:
            data = sock.recv(65536)
            if not data:
                break
            answer += data
    finally:
        sock.close()
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    status = int(head[0].split()[1])
    fields = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:])}
    return status, fields, sent


def _session(base: str) -> tuple[dict[str, str], str, str]:
    """A logged-in officer: (cookies, a task id, the session's CSRF token)."""
    with httpx.Client(base_url=base, follow_redirects=False, timeout=30) as client:
        assert login(client, EMAIL).status_code == 303
        task_id = re.search(r'href="/tasks/(\d+)"', client.get("/province").text).group(1)
        token = CSRF.search(client.get(f"/tasks/{task_id}").text).group(1)
        return dict(client.cookies), task_id, token


def _cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def test_an_anonymous_chunked_body_to_the_api_is_answered_401_unread(server):
    process, _ = server
    with PeakRss(process.process.pid) as rss:
        started = time.monotonic()
        status, headers, sent = send_chunked(process.port, "/api/v1/tasks/1/transitions", 200 * MB,
                                             {"Content-Type": "application/json"})
        took = time.monotonic() - started
    assert status == 401 and headers.get("connection") == "close"
    assert took < 5 and sent < 50 * MB, (took, sent)  # answered at once, not after 200 MB
    assert rss.growth < 30, f"the server grew by {rss.growth:.0f} MB"


def test_a_logged_in_body_over_the_route_limit_is_refused_413_while_streaming(server):
    process, _ = server
    cookies, task_id, token = _session(process.base_url)
    with PeakRss(process.process.pid) as rss:
        status, headers, sent = send_chunked(
            process.port, f"/tasks/{task_id}/comments", 64 * MB,
            {"Content-Type": "application/x-www-form-urlencoded", "Cookie": _cookie_header(cookies)},
            first=f"csrf_token={token}&comment=".encode())
    assert status == 413 and headers.get("connection") == "close"
    assert sent < 40 * MB and rss.growth < 30, (sent, rss.growth)  # the form's limit is 4 MB


def test_a_chunked_upload_without_a_session_is_refused_before_its_body(server):
    process, evidence = server
    boundary = "dtrackboundary"
    first = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nx\r\n--{boundary}\r\n"
             f"Content-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n"
             "Content-Type: application/pdf\r\n\r\n%PDF-1.4\n").encode()
    with PeakRss(process.process.pid) as rss:
        status, headers, sent = send_chunked(process.port, "/tasks/1/files", 200 * MB,
                                             {"Content-Type": f"multipart/form-data; boundary={boundary}"},
                                             first=first)
    assert status == 303 and headers["location"] == "/login" and headers.get("connection") == "close"
    assert sent < 50 * MB and rss.growth < 30, (sent, rss.growth)
    assert not evidence.exists() or not any(p.is_file() for p in evidence.rglob("*"))  # nothing spooled


def test_an_upload_with_a_wrong_csrf_token_is_refused_at_its_file_part(server):
    process, evidence = server
    cookies, task_id, _ = _session(process.base_url)
    boundary = "dtrackboundary"
    first = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nforged\r\n--{boundary}\r\n"
             f"Content-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4\n").encode()
    status, headers, sent = send_chunked(
        process.port, f"/tasks/{task_id}/files", 90 * MB,
        {"Content-Type": f"multipart/form-data; boundary={boundary}", "Cookie": _cookie_header(cookies)},
        first=first)
    assert status == 403 and headers.get("connection") == "close" and sent < 50 * MB
    assert not evidence.exists() or not any(p.is_file() for p in evidence.rglob("*"))


def test_an_anonymous_post_is_answered_unread_and_the_server_keeps_serving(server):
    process, _ = server
    for path in ("/tasks/1/comments", "/logout", "/admin/directives/assign", "/account/language"):
        status, headers, sent = send_chunked(process.port, path, 100 * MB,
                                             {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 303 and headers["location"] == "/login" and headers.get("connection") == "close"
        assert sent < 50 * MB
    # A small anonymous POST on a keep-alive client: answered, and the next request works.
    with httpx.Client(base_url=process.base_url, follow_redirects=False, timeout=30) as client:
        assert client.post("/tasks/1/comments", data={"comment": "x"}).status_code == 303
        assert client.get("/healthz").text == "ok"
        # The login form's own limit is small: a chunked 1 MB "login" is 413, not read further.
    status, _, _ = send_chunked(process.port, "/login", 8 * MB, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 413


def test_forty_simultaneous_failed_logins_stay_bounded_and_healthz_answers(server):
    """Each Argon2 check takes 64 MiB: unbounded, 40 at once took a gigabyte (measured 1029 MB before)."""
    process, _ = server
    base = process.base_url
    health: list[float] = []
    stop = threading.Event()

    def healthz() -> None:
        while not stop.is_set():
            started = time.monotonic()
            assert httpx.get(f"{base}/healthz", timeout=10).text == "ok"
            health.append(time.monotonic() - started)
            time.sleep(0.05)

    def failed_login(i: int) -> httpx.Response:
        with httpx.Client(base_url=base, follow_redirects=False, timeout=60) as client:
            token = CSRF.search(client.get("/login").text).group(1)
            return client.post("/login", data={"email": EMAIL if i % 2 else f"khong.co.{i}@example.vn",
                                               "password": "sai-mật-khẩu-rồi", "csrf_token": token})

    watcher = threading.Thread(target=healthz, daemon=True)
    with PeakRss(process.process.pid) as rss:
        watcher.start()
        with ThreadPoolExecutor(40) as pool:
            answers = list(pool.map(failed_login, range(40)))
        stop.set()
        watcher.join()
    codes = [a.status_code for a in answers]
    print(f"peak RSS {rss.peak:.0f} MB (+{rss.growth:.0f}); answers {sorted(set(codes))}; "
          f"healthz max {max(health):.2f} s")
    assert set(codes) <= {401, 429, 503} and 503 in codes, codes
    busy = next(a for a in answers if a.status_code == 503)
    assert busy.headers["retry-after"].isdigit() and "Máy chủ đang bận" in busy.text
    assert rss.growth < 400, f"peak {rss.peak:.0f} MB"  # 2 workers x 2 slots x 64 MiB, and slack
    assert health and max(health) < 3


# --- in-process: the pre-login CSRF token, the saturated hasher, streamed uploads ---------------


def test_the_login_form_works_with_the_servers_own_pre_login_cookie(site):
    client = site.anonymous()
    page = client.get("/login")
    cookie = client.cookies["dtrack_csrf"]
    secret = site.app.state.web.secret
    assert prelogin.cookie_id(secret, cookie) is not None
    token = CSRF.search(page.text).group(1)
    assert token != cookie and prelogin.token_matches(secret, cookie, token)
    assert client.post("/login", data={"email": site.emails["own"], "password": PASSWORD,
                                       "csrf_token": token}).status_code == 303


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126, exclude_characters=";,\"\\"),
                     min_size=1, max_size=80))
def test_a_cookie_and_field_the_client_made_up_are_refused(site, value):
    client = site.anonymous()
    client.cookies.set("dtrack_csrf", value)
    answer = client.post("/login", data={"email": site.emails["own"], "password": PASSWORD, "csrf_token": value})
    assert answer.status_code == 403 and "dtrack_session" not in answer.cookies


def test_a_server_cookie_with_another_cookies_token_is_refused(site):
    first, second = site.anonymous(), site.anonymous()
    token = CSRF.search(first.get("/login").text).group(1)
    second.get("/login")
    assert second.post("/login", data={"email": site.emails["own"], "password": PASSWORD,
                                       "csrf_token": token}).status_code == 403
    # and a cookie whose signature was altered is not the server's, whatever the field says
    forged = first.cookies["dtrack_csrf"][:-2] + "AA"
    third = site.anonymous()
    third.cookies.set("dtrack_csrf", forged)
    assert third.post("/login", data={"email": site.emails["own"], "password": PASSWORD,
                                      "csrf_token": token}).status_code == 403


def test_a_saturated_hasher_answers_503_with_retry_after_on_the_login_page(site, monkeypatch):
    gate = passwords._Gate(1, 0, 0.05)
    monkeypatch.setattr(passwords, "GATE", gate)
    client = site.anonymous()
    token = CSRF.search(client.get("/login").text).group(1)
    failures = count(site, "auth_events")
    with gate.held():  # another login is being checked and nobody may wait
        answer = client.post("/login", data={"email": site.emails["own"], "password": PASSWORD,
                                             "csrf_token": token})
    assert answer.status_code == 503 and answer.headers["retry-after"] == str(passwords.RETRY_AFTER)
    assert "Máy chủ đang bận kiểm tra mật khẩu" in answer.text and "dtrack_session" not in answer.cookies
    assert count(site, "auth_events") == failures  # nothing checked, nothing recorded
    assert client.post("/login", data={"email": site.emails["own"], "password": PASSWORD,
                                        "csrf_token": token}).status_code == 303  # free again: logs in


@pytest.fixture
def evidence_site(db, tmp_path):
    return make_site(db, evidence_dir=str(tmp_path / "evidence"), evidence_max_mb="1")


def _task(site) -> int:
    with site.db.session() as session:
        from sqlalchemy import text
        return session.execute(text("SELECT t.id FROM tasks t JOIN provinces p ON p.id = t.province_id "
                                    "WHERE p.slug = 'ha-noi' ORDER BY t.id LIMIT 1")).scalar()


def test_a_streamed_upload_over_the_setting_is_refused_beside_the_field_and_leaves_nothing(evidence_site, tmp_path):
    site = evidence_site
    own = site.client("own")
    task_id = _task(site)
    token = CSRF.search(own.get(f"/tasks/{task_id}").text).group(1)
    big = b"%PDF-1.4\n" + b"0" * (3 * 1_000_000)
    answer = own.post(f"/tasks/{task_id}/files", data={"csrf_token": token}, files={"file": ("lớn.pdf", big)})
    assert answer.status_code == 422 and "field-error" in answer.text
    forged = own.post(f"/tasks/{task_id}/files", data={"csrf_token": "forged"}, files={"file": ("a.pdf", big)})
    assert forged.status_code == 403
    left = [p for p in (tmp_path / "evidence").rglob("*") if p.is_file()]
    assert left == [] and count(site, "attachments") == 0
    small = b"%PDF-1.4\n%%EOF\n"
    done = own.post(f"/tasks/{task_id}/files", data={"csrf_token": token}, files={"file": ("nhỏ.pdf", small)})
    assert done.status_code == 303 and count(site, "attachments") == 1
    stored = [p for p in (tmp_path / "evidence").rglob("*") if p.is_file()]
    assert len(stored) == 1 and stored[0].read_bytes() == small and ".incoming" not in str(stored[0])
