"""The cluster bench's client: a logged-in user whose requests go round-robin over several servers.

It does what a small reverse proxy in front of N servers does: each request
goes to the next server in turn (one keep-alive connection per server), and
a server that refuses the connection (it is down) is skipped for the next
one: nothing was sent, so even a POST may go elsewhere. A request cut off
after it was sent (the server died while answering) is not repeated: its
outcome is unknown to the client, as it would be to a browser. The session
is a cookie whose row is in the database, so every server knows it.

Each client writes progress updates on tasks of its own province (no two
clients share a task, so every refusal is a fault, not a race) and reads its
home page every fifth request.
"""
from __future__ import annotations

import http.client
import itertools
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from bench.loadgen import Client

TIMEOUT = 30.0
_turn = itertools.count()  # one rotation shared by every client, as a proxy's


class CutOff(Exception):
    """The server went away after the request was sent: its outcome is unknown."""


@dataclass
class Tally:
    """What the clients saw, shared by their threads."""

    answered: int = 0
    failed: int = 0
    failures: Counter[str] = field(default_factory=Counter)  # what a failed request got: a status or an error
    retried: int = 0  # requests sent to another server because one refused the connection
    unknown: int = 0  # POSTs cut off after they were sent
    confirmed: Counter[int] = field(default_factory=Counter)  # task id -> transitions answered 303
    post_ms: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def median_ms(self) -> float | None:
        return round(statistics.median(self.post_ms), 1) if self.post_ms else None


class ClusterClient(Client):
    """`loadgen.Client` (its cookie jar, login and task reads) asking the servers in turn."""

    def __init__(self, bases: list[str], tally: Tally, email: str, password: str, tasks: list[int]) -> None:
        super().__init__(bases[0])
        self.servers = [(urlsplit(b).hostname or "127.0.0.1", urlsplit(b).port or 80) for b in bases]
        self.tally, self.email, self.password, self.tasks = tally, email, password, tasks
        self.conns: dict[int, http.client.HTTPConnection] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
        body = urlencode(form).encode() if form is not None else None
        headers = {"Accept": "text/html"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for _attempt in range(len(self.servers) * 2):
            index = next(_turn) % len(self.servers)
            conn = self.conns.get(index) or http.client.HTTPConnection(*self.servers[index], timeout=TIMEOUT)
            self.conns[index] = conn
            try:
                conn.request(method, path, body=body, headers=headers)
            except (ConnectionRefusedError, ConnectionResetError, BrokenPipeError):
                conn.close()  # down, or a kept-alive connection it closed: nothing was processed, try the next
                self.conns.pop(index, None)
                with self.tally.lock:
                    self.tally.retried += 1
                continue
            try:
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                self.conns.pop(index, None)
                if method == "GET":
                    continue  # a read is safe to ask again
                raise CutOff(str(exc)) from exc
            self.keep_cookies(response)
            return response.status, data, {k.lower(): v for k, v in response.getheaders()}
        raise ConnectionRefusedError("no server answered")

    def login(self) -> None:  # type: ignore[override]  # its own account, then its tasks' forms
        super().login(self.email, self.password)
        for task in self.tasks:
            self.read_task(task)

    def work(self, stop: threading.Event) -> None:
        """Write and read until `stop`, counting every answer."""
        for n in itertools.count():
            if stop.is_set():
                return
            task = self.tasks[n % len(self.tasks)]
            ok, timed = False, None
            started = time.perf_counter()
            try:
                if n % 5 == 4:
                    status, _, _ = self.request("GET", "/province")
                    ok = status == 200
                else:
                    form = {"csrf_token": self.csrf, "version": str(self.versions[task]),
                            "progress": str(n % 90 + 5), "note": "Cập nhật tiến độ (cụm máy chủ)"}
                    status, _, _ = self.request("POST", f"/tasks/{task}/actions/update", form)
                    ok = status == 303
                    if ok:
                        self.versions[task] += 1
                        timed = (time.perf_counter() - started) * 1000
            except CutOff:
                with self.tally.lock:
                    self.tally.unknown += 1
                self._reread(task)
                continue
            except (OSError, http.client.HTTPException) as exc:
                ok, status = False, type(exc).__name__
            with self.tally.lock:
                if ok:
                    self.tally.answered += 1
                    if timed is not None:
                        self.tally.confirmed[task] += 1
                        self.tally.post_ms.append(timed)
                else:
                    self.tally.failed += 1
                    self.tally.failures[str(status)] += 1
            if not ok:
                self._reread(task)

    def _reread(self, task: int) -> None:
        try:
            self.read_task(task)
        except (RuntimeError, OSError, http.client.HTTPException):
            time.sleep(0.1)


__all__ = ["ClusterClient", "CutOff", "Tally"]
