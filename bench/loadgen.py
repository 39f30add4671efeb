"""The web benchmark's load generator: `python -m bench.loadgen < plan.json > results.json`.

Runs in its own process (never in the server's), on 127.0.0.1, with stdlib
threads and `http.client`: one thread per simulated client, each with its
own keep-alive connection and its own logged-in session (a real user does
not share a session row with 49 others). Every measurement is bounded both
in requests and in seconds. Only the request being measured is timed;
logging in and reading a task's version and CSRF token happen before.

The plan (JSON on stdin):
    {"base": "http://127.0.0.1:PORT", "levels": [1, 10, 50], "max_requests": 400, "max_seconds": 15,
     "accounts": {"officer": {"email": ..., "password": ...}, "overseer": {...}},
     "scenarios": [{"name": ..., "method": "GET", "path": "/province", "as": "officer"},
                   {"name": ..., "method": "POST", "as": "officer", "tasks": [ID, ...]}]}
Answer (JSON on stdout): one object per scenario and level with the latencies (ms) of the
successful requests, the failures by status, and the wall-clock seconds of the phase.
"""
from __future__ import annotations

import contextlib
import http.client
import json
import re
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode, urlsplit

TIMEOUT = 60.0  # one request; a page slower than this is a failure, not a hang
_INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r'(\w+)\s*=\s*"([^"]*)"')


def hidden_fields(html: str, form_with: str | None = None) -> dict[str, str]:
    """Named <input> values of the page (or of the first form containing `form_with`)."""
    if form_with:
        for form in re.findall(r"<form\b.*?</form>", html, re.IGNORECASE | re.DOTALL):
            if form_with in form:
                html = form
                break
    fields: dict[str, str] = {}
    for tag in _INPUT.findall(html):
        attrs = dict((k.lower(), v) for k, v in _ATTR.findall(tag))
        if "name" in attrs:
            fields.setdefault(attrs["name"], attrs.get("value", ""))
    return fields


class Client:
    """One simulated user: a keep-alive connection and a cookie jar."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None
        self.csrf = ""
        self.versions: dict[int, int] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
        body = urlencode(form).encode() if form is not None else None
        headers = {"Connection": "keep-alive", "Accept": "text/html"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):  # a keep-alive connection the server closed: reconnect once
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
                continue
            self.keep_cookies(response)
            if response.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            return response.status, data, {k.lower(): v for k, v in response.getheaders()}
        raise AssertionError("unreachable")

    def keep_cookies(self, response: http.client.HTTPResponse) -> None:
        """What the answer's Set-Cookie headers say, in the jar (an expired cookie leaves it)."""
        for value in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(value)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def login(self, email: str, password: str) -> None:
        status, page, _ = self.request("GET", "/login")
        if status != 200:
            raise RuntimeError(f"GET /login answered {status}")
        form = hidden_fields(page.decode("utf-8", "replace"), 'name="password"')
        form.update(email=email, password=password)
        # Logins at once wait for the server's bounded password hashing: a busy answer (503) says when
        # to come back (Retry-After), as a browser user would be told; the clients log in before timing.
        for _ in range(30):
            status, page, headers = self.request("POST", "/login", form)
            if status != 503:
                break
            time.sleep(min(float(headers.get("retry-after", "1")), 2.0))
        if status != 303 or "/login" in headers.get("location", "/login"):
            raise RuntimeError(f"login as {email} failed: {status} {page[:300]!r}")

    def read_task(self, task_id: int) -> None:
        """The CSRF token and the task's version, from the task page (not timed)."""
        status, page, _ = self.request("GET", f"/tasks/{task_id}")
        if status != 200:
            raise RuntimeError(f"GET /tasks/{task_id} answered {status}")
        fields = hidden_fields(page.decode("utf-8", "replace"), 'data-action="update"')
        if "version" not in fields:
            raise RuntimeError(f"no update form with a version on /tasks/{task_id}")
        self.csrf = fields.get("csrf_token", "")
        self.versions[task_id] = int(fields["version"])

    def update(self, task_id: int, progress: int) -> int:
        form = {"csrf_token": self.csrf, "version": str(self.versions[task_id]), "progress": str(progress),
                "note": "Cập nhật tiến độ (benchmark)"}
        status, _, _ = self.request("POST", f"/tasks/{task_id}/actions/update", form)
        if status == 303:
            self.versions[task_id] += 1
        return status


def run_phase(clients: list[Client], scenario: dict[str, Any], max_requests: int, max_seconds: float) -> dict[str, Any]:
    """`len(clients)` threads share a budget of requests and a deadline."""
    lock = threading.Lock()
    budget = [max_requests]
    latencies: list[float] = []
    failures: dict[str, int] = {}
    deadline = time.perf_counter() + max_seconds

    def take() -> bool:
        with lock:
            if budget[0] <= 0 or time.perf_counter() > deadline:
                return False
            budget[0] -= 1
            return True

    def work(index: int) -> None:
        client = clients[index]
        tasks = scenario.get("tasks") or []
        task_id = tasks[index % len(tasks)] if tasks else None
        flip = 0
        while take():
            flip += 1
            start = time.perf_counter()
            try:
                if task_id is not None:
                    # Alternate between two values so every POST is a real change.
                    status = client.update(task_id, 41 + flip % 2)
                    ok = status == 303
                else:
                    status, _, _ = client.request(scenario.get("method", "GET"), scenario["path"])
                    ok = status == 200
            except (OSError, http.client.HTTPException) as exc:
                status, ok = type(exc).__name__, False
                client.conn = None
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    failures[str(status)] = failures.get(str(status), 0) + 1
            if not ok and task_id is not None:
                # Someone else's write or a new token: read the page again, untimed. A failure here
                # was counted above.
                with contextlib.suppress(Exception):
                    client.read_task(task_id)

    started = time.perf_counter()
    with ThreadPoolExecutor(len(clients)) as pool:
        list(pool.map(work, range(len(clients))))
    return {"latencies_ms": latencies, "failures": failures, "seconds": time.perf_counter() - started}


def main() -> int:
    plan = json.load(sys.stdin)
    levels = sorted(plan["levels"])
    top = levels[-1]
    # Every simulated client logs in once, up front, in parallel (argon2 is slow on purpose).
    sessions: dict[str, list[Client]] = {}
    with ThreadPoolExecutor(min(top, 10)) as pool:
        for role, account in plan["accounts"].items():
            clients = [Client(plan["base"]) for _ in range(top)]
            list(pool.map(lambda c, a=account: c.login(a["email"], a["password"]), clients))
            sessions[role] = clients
    out = []
    for scenario in plan["scenarios"]:
        clients = sessions[scenario["as"]] if scenario.get("as") else [Client(plan["base"]) for _ in range(top)]
        tasks = scenario.get("tasks") or []
        try:
            for index, client in enumerate(clients if tasks else []):
                client.read_task(tasks[index % len(tasks)])  # the task run_phase gives this client
        except (RuntimeError, OSError, http.client.HTTPException) as exc:
            # Not measurable: say why in every cell and go on with the other scenarios.
            out += [{"name": scenario["name"], "clients": level, "error": str(exc)} for level in levels]
            print(f"    {scenario['name']}: {exc}", file=sys.stderr, flush=True)
            continue
        for level in levels:
            phase = run_phase(clients[:level], scenario, plan["max_requests"] if level > 1 else plan.get(
                "max_requests_single", plan["max_requests"]), plan["max_seconds"])
            out.append({"name": scenario["name"], "clients": level, **phase})
            print(f"    {scenario['name']:<28} {level:>3} clients: {len(phase['latencies_ms'])} ok,"
                  f" {sum(phase['failures'].values())} failed, {phase['seconds']:.1f} s", file=sys.stderr, flush=True)
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
