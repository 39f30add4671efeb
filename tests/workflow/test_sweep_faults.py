"""Fault suite (`make check-faults`): PostgreSQL kills a reminder sweep's, then a digest build's, connections mid-run.

As in tests/notifications/test_outbox_faults.py, "PostgreSQL killed" is what a
restart looks like to a client of the SHARED server: every backend of the
scratch database is ended with pg_terminate_backend while a real
`python -m dtrack reminders run` (or `digest build`) process is inside a
transaction. A killed command exits non-zero; the next one is started, killed
further on, and so on; then it is rerun until it exits 0.

What a clean run makes is not guessed: the bench generator fills the database
(deterministically, tens of thousands of tasks), a copy is taken with
CREATE DATABASE ... TEMPLATE before any kill, and the same command runs once,
undisturbed, on the copy. The killed-and-rerun database must then hold exactly
the copy's rows (pinned --as-of: even the timestamps agree), none twice, and
one more run must add nothing.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from bench.generate import AS_OF, generate
from tests.conftest import PG_URL

ROOT = Path(__file__).resolve().parents[2]
DAY = AS_OF.isoformat()
# About 120,000 tasks (a quarter of them reminded) and 2,500 digest recipients: a sweep of some
# 60 batches and a build of 6, long enough to be killed several times, quick enough to generate.
SHAPE = {"directives": 8, "units": 2500}
# Kill points: the share of the clean run's rows written when the running command is killed.
SWEEP_MARKS = (0.0, 0.3, 0.55, 0.8)
BUILD_MARKS = (0.0, 0.25, 0.5, 0.75)

# A reminder by its task's natural key (task ids are the same in both copies, but a period task
# opened in a killed transaction burns a sequence number, so a rerun may give it another id).
REMINDERS = text(
    "SELECT t.group_id, t.province_id, t.period, r.due_on, r.kind, r.remind_on, r.audience, r.days, "
    "r.created_at, r.consumed_at, r.cancelled_at FROM reminders r JOIN tasks t ON t.id = r.task_id")
TASKS = text("SELECT group_id, province_id, period, state, due_on FROM tasks")
DIGESTS = text("SELECT recipient, key_date, subject, body_text, body_html, message_id, state, created_at "
               "FROM outbox WHERE kind = 'digest'")
DUPLICATE_REMINDERS = text("SELECT task_id, due_on, kind, remind_on FROM reminders "
                           "GROUP BY task_id, due_on, kind, remind_on HAVING count(*) > 1")
DUPLICATE_DIGESTS = text("SELECT recipient, key_date FROM outbox WHERE kind = 'digest' "
                         "GROUP BY recipient, key_date HAVING count(*) > 1")
# A consumed reminder no digest of the day reported: a province one whose province has no
# digest, or a national one (overseers', and the Department's own tasks') with no overseer's.
ORPHANS = text("""
    SELECT r.id FROM reminders r JOIN tasks t ON t.id = r.task_id JOIN provinces p ON p.id = t.province_id
    WHERE r.consumed_at IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM outbox o JOIN users u ON u.email = o.recipient
        WHERE o.kind = 'digest' AND o.key_date = :day
          AND CASE WHEN r.audience = 'overseer' OR p.kind = 'department' THEN u.role = 'overseer'
                   ELSE u.role = 'province' AND u.province_id = t.province_id END)""")


def dtrack(url: str, *args: str) -> subprocess.Popen:
    """A real `python -m dtrack` process on `url`, in English, output captured."""
    env = {**os.environ, "DTRACK_DATABASE_URL": url, "DTRACK_LANG": "en"}
    env.pop("DTRACK_TODAY", None)
    return subprocess.Popen([sys.executable, "-m", "dtrack", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finished(url: str, *args: str) -> str:
    """Run a command to the end; its output (it must succeed)."""
    process = dtrack(url, *args)
    output = process.communicate(timeout=120)[0]
    assert process.returncode == 0, output
    return output


def rows(url: str, query, **params) -> list[tuple]:
    engine = create_engine(url, poolclass=NullPool)  # its own connection: the kills end everyone else's
    try:
        with engine.connect() as conn:
            return sorted((tuple(row) for row in conn.execute(query, params)), key=repr)
    finally:
        engine.dispose()


class Watcher:
    """One connection of the test's own, which the kills spare: reads progress, sees a busy backend, kills."""

    def __init__(self, url: str) -> None:
        self.name = make_url(url).database
        self.engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        self.conn = self.engine.connect()

    def progress(self, query: str) -> int:
        return int(self.conn.execute(text(query), {"day": AS_OF}).scalar_one())

    def busy(self) -> bool:
        """Some other client of the database is inside a transaction (a kill now lands mid-work)."""
        return bool(self.conn.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = :name AND pid <> pg_backend_pid() "
            "AND xact_start IS NOT NULL"), {"name": self.name}).scalar_one())

    def kill(self) -> int:
        """End every other connection to the database: what a server restart does to them."""
        return len(self.conn.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": self.name}).all())

    def close(self) -> None:
        self.conn.close()
        self.engine.dispose()


@dataclass
class Runs:
    """What the killed runs and the reruns did."""

    killed: list[int] = field(default_factory=list)  # rows written when each landed kill struck
    outputs: list[tuple[int, str]] = field(default_factory=list)  # (exit status, output) of every run

    def first_failure(self) -> str:
        return next((out.strip() for code, out in self.outputs if code != 0), "")

    def log(self) -> str:
        return "\n".join(f"[exit {code}] {out.strip()[-400:]}" for code, out in self.outputs)


def killed_then_rerun(url: str, args: tuple[str, ...], progress: str, marks: list[int]) -> Runs:
    """Run `args`, killing the database's connections once `progress` reaches each mark; then rerun to exit 0.

    A kill lands only while the command is inside a transaction; it then dies, and the next mark
    is met by a new process (which picks up where the last one's committed work ends).
    """
    runs = Runs()
    watcher = Watcher(url)
    process: subprocess.Popen | None = None
    try:
        for mark in marks:
            process = dtrack(url, *args)
            deadline = time.monotonic() + 60
            while process.poll() is None:
                done = watcher.progress(progress)
                if done >= mark and watcher.busy():
                    if watcher.kill():
                        runs.killed.append(done)
                    break
                assert time.monotonic() < deadline, "the command made no progress"
                time.sleep(0.003)
            output = process.communicate(timeout=120)[0]
            runs.outputs.append((process.returncode, output))
            process = None
            if runs.outputs[-1][0] == 0:
                break  # it finished before the mark: nothing left to interrupt
        for _ in range(5):  # then rerun until it exits 0
            if runs.outputs[-1][0] == 0:
                break
            process = dtrack(url, *args)
            runs.outputs.append((process.wait(timeout=120), process.communicate()[0]))
            process = None
    finally:
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        watcher.close()
    assert runs.outputs[-1][0] == 0, "reruns never succeeded:\n" + runs.log()
    return runs


@contextmanager
def copy_of(url: str) -> Iterator[str]:
    """A copy of the database at `url`, as it is now (CREATE DATABASE ... TEMPLATE); dropped afterwards."""
    source = make_url(url).database
    name = f"{source}_clean"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            # A template must have no other connection; the test has closed its own.
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                         {"name": source})
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def assert_kills_landed(runs: Runs) -> None:
    failed = [out for code, out in runs.outputs if code != 0]
    assert len(runs.killed) >= 3 and len(failed) >= 3, "too few kills landed mid-run:\n" + runs.log()
    for out in failed:  # the command says what happened in one line, never a traceback
        assert "Traceback" not in out and len(out.strip().splitlines()) == 1, out[-1000:]
        assert out.startswith("error: lost the connection to the database mid-command ("), out


def season(url: str) -> int:
    stats = generate(url, **SHAPE)
    return stats.tasks


@pytest.mark.faults
@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_a_sweep_killed_mid_run_then_rerun_writes_what_a_clean_sweep_writes(empty_url):
    started = time.monotonic()
    tasks = season(empty_url)
    with copy_of(empty_url) as clean:
        clean_output = finished(clean, "reminders", "run", "--as-of", DAY)
        expected, expected_tasks = rows(clean, REMINDERS), rows(clean, TASKS)
    assert len(expected) > 10_000, clean_output

    marks = [max(1, int(share * len(expected))) for share in SWEEP_MARKS]
    runs = killed_then_rerun(empty_url, ("reminders", "run", "--as-of", DAY), "SELECT count(*) FROM reminders", marks)

    assert_kills_landed(runs)
    assert rows(empty_url, DUPLICATE_REMINDERS) == []
    assert rows(empty_url, REMINDERS) == expected, "the reminders differ from a clean sweep's:\n" + runs.log()
    assert rows(empty_url, TASKS) == expected_tasks, "period tasks opened twice or not at all"
    again = finished(empty_url, "reminders", "run", "--as-of", DAY)
    assert "0 reminder(s) written" in again and "0 period task(s) opened" in again, again
    assert rows(empty_url, REMINDERS) == expected
    print(f"\n{tasks} tasks, {len(expected)} reminders; kills landed at {runs.killed} rows; "
          f"{len(runs.outputs)} runs; clean: {clean_output.strip()}; {time.monotonic() - started:.1f} s\n"
          f"killed run said: {runs.first_failure()}")


@pytest.mark.faults
@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_a_digest_build_killed_mid_run_then_rerun_queues_each_digest_once(empty_url):
    started = time.monotonic()
    tasks = season(empty_url)
    finished(empty_url, "reminders", "run", "--as-of", DAY)
    with copy_of(empty_url) as clean:
        clean_output = finished(clean, "digest", "build", "--as-of", DAY)
        expected_digests, expected_reminders = rows(clean, DIGESTS), rows(clean, REMINDERS)
    assert len(expected_digests) > 1000, clean_output
    assert sum(1 for r in expected_reminders if r[-2] is not None) > 10_000, "few reminders to consume"

    progress = "SELECT count(*) FROM outbox WHERE kind = 'digest' AND key_date = :day"
    marks = [max(1, int(share * len(expected_digests))) for share in BUILD_MARKS]
    runs = killed_then_rerun(empty_url, ("digest", "build", "--as-of", DAY), progress, marks)

    assert_kills_landed(runs)
    assert rows(empty_url, DUPLICATE_DIGESTS) == []
    assert rows(empty_url, ORPHANS, day=AS_OF) == [], "a reminder was consumed without its digest"
    assert rows(empty_url, DIGESTS) == expected_digests, "the digests differ from a clean build's:\n" + runs.log()
    assert rows(empty_url, REMINDERS) == expected_reminders, "reminders consumed differently from a clean build"
    again = finished(empty_url, "digest", "build", "--as-of", DAY)
    assert " 0 queued" in again and "0 reminders consumed" in again, again
    print(f"\n{tasks} tasks, {len(expected_digests)} digests, "
          f"{sum(1 for r in expected_reminders if r[-2] is not None)} reminders consumed; kills landed at "
          f"{runs.killed} digests; {len(runs.outputs)} runs; clean: {clean_output.strip()}; "
          f"{time.monotonic() - started:.1f} s\nkilled run said: {runs.first_failure()}")
