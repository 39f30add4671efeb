"""A `dtrack serve` as a real process, for the web benchmark and the browser tests.

Both need the same thing: the server started the way an operator starts it
(the console script, its own process, a TCP port on 127.0.0.1), users made
with the real CLI, and a stop that always ends in bounded time, workers
included. Nothing here imports the web application: it is driven from the
outside only.
"""
from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy import select

from dtrack.persistence.database import Database
from dtrack.persistence.models import User

START_TIMEOUT = 60.0  # seconds for /healthz to answer (PostgreSQL with 2 workers takes a few)
STOP_TIMEOUT = 10.0  # seconds between SIGTERM and SIGKILL


def dtrack_command() -> list[str]:
    """The `dtrack` console script of the running interpreter's environment."""
    script = Path(sys.executable).with_name("dtrack")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "dtrack.cli"]


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(db_url: str, extra: Mapping[str, str] | None) -> dict[str, str]:
    env = dict(os.environ)
    # The workers of `--workers N` build the app with the factory (dtrack.web.asgi:create_app).
    env["DTRACK_DATABASE_URL"] = db_url
    env.setdefault("PYTHONUNBUFFERED", "1")
    env.update(extra or {})
    return env


def run_cli(db_url: str, *args: str, stdin: str | None = None, env: Mapping[str, str] | None = None,
            timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
    """Run `dtrack --db URL ARGS...` as a process; raise with its output if it fails."""
    argv = dtrack_command() + ["--db", db_url, *args]
    done = subprocess.run(argv, input=stdin, capture_output=True, text=True, env=_env(db_url, env),
                          timeout=timeout, stdin=None if stdin is not None else subprocess.DEVNULL)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:3])} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done


def add_user(db_url: str, email: str, name: str, role: str, password: str, province: str | None = None,
             env: Mapping[str, str] | None = None) -> None:
    """`dtrack users add` (unless a kept season has the user already) then `dtrack users set-password EMAIL
    --password-stdin`."""
    args = ["users", "add", "--email", email, "--name", name, "--role", role]
    if province:
        args += ["--province", province]
    db = Database(db_url)
    with db.session() as session:  # one lookup, not the whole users list (6,700 at the season) per user
        known = session.scalar(select(User.id).where(User.email == email)) is not None
    db.dispose()
    if not known:
        run_cli(db_url, *args, env=env)
    run_cli(db_url, "users", "set-password", email, "--password-stdin", stdin=password + "\n", env=env)


class ServerProcess:
    """`dtrack serve --db URL --host 127.0.0.1 --port P [--workers N]`, its output in a log file."""

    def __init__(self, db_url: str, log_path: Path, workers: int = 1, env: Mapping[str, str] | None = None) -> None:
        self.db_url = db_url
        self.log_path = log_path
        self.workers = workers
        self.env = _env(db_url, env)
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = START_TIMEOUT) -> str:
        """Start the server and wait until GET /healthz says ok; return the base URL."""
        self.port = free_port()
        # The group's --db (every command has it; the workers get DTRACK_DATABASE_URL from _env).
        argv = dtrack_command() + ["--db", self.db_url, "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        if self.workers > 1:
            argv += ["--workers", str(self.workers)]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "wb") as log:
            # A session of its own: stop() signals the whole group, uvicorn's workers included.
            self.process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            env=self.env, start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"dtrack serve exited with {self.process.returncode}:\n{self.log_tail()}")
            if self._healthy():
                return self.base_url
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"dtrack serve did not answer /healthz within {timeout:.0f} s:\n{self.log_tail()}")
            time.sleep(0.1)

    def _healthy(self) -> bool:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
        try:
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            return response.status == 200 and response.read().strip() == b"ok"
        except OSError:
            return False
        finally:
            conn.close()

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = STOP_TIMEOUT) -> int | None:
        """SIGTERM to the process group, SIGKILL after `timeout`; returns the exit status."""
        process = self.process
        if process is None:
            return None
        if process.poll() is None:
            self._signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
                process.wait(5)
        # Workers that outlived their master (they share its group) go too.
        self._signal(signal.SIGKILL)
        return process.returncode

    def _signal(self, sig: int) -> None:
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, sig)

    def __enter__(self) -> ServerProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
