"""`dtrack scheduler` as a real process: killed and restarted, and two of them on one PostgreSQL database."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, text

from dtrack.config.clock import Clock
from dtrack.persistence.database import Database
from dtrack.persistence.models import Reminder, User
from dtrack.workflow.reminders import sweep

ROOT = Path(__file__).resolve().parents[2]


class Scheduler:
    """A `dtrack scheduler` subprocess whose log lines are collected as they come."""

    def __init__(self, db_url: str, today: str, interval: float = 0.5) -> None:
        env = {**os.environ, "DTRACK_DATABASE_URL": db_url, "DTRACK_TODAY": today}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dtrack", "scheduler", "--interval-seconds", str(interval)],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.append(line.rstrip())

    def count(self, needle: str) -> int:
        return sum(needle in line for line in list(self.lines))

    def wait_for(self, needle: str, times: int = 1, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while self.count(needle) < times:
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise AssertionError(f"no {needle!r} in the scheduler's log:\n" + "\n".join(self.lines))
            time.sleep(0.05)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(10)

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(15)
        self._reader.join(5)
        return code


def keys(db: Database) -> list[tuple]:
    with db.session() as s:
        return list(s.execute(select(Reminder.task_id, Reminder.due_on, Reminder.kind, Reminder.remind_on)).all())


def test_killed_and_restarted_scheduler_writes_every_reminder_once(db_url):
    first = Scheduler(db_url, "2026-01-05")
    try:
        first.wait_for("sweep as of 2026-01-05", times=2)
    finally:
        first.kill()
    second = Scheduler(db_url, "2026-01-06")
    try:
        second.wait_for("sweep as of 2026-01-06", times=2)
    finally:
        code = second.stop()
    assert code == 0 and second.count("scheduler stopped") == 1  # Ctrl-C stops it cleanly
    db = Database(db_url)
    found = keys(db)
    # 5 Jan: 34 overdue + 34 escalations; 6 Jan: the every-7-days overdue reminder for the same 34 tasks.
    assert len(found) == len(set(found)) == 102
    assert sweep(db, Clock(pinned=date(2026, 1, 6))).total == 0  # nothing was left for a manual run
    with db.engine.connect() as conn:
        jobs = sorted(conn.execute(text("SELECT id FROM apscheduler_jobs")).scalars())
    assert jobs == ["daily-digest", "reminder-sweep"]  # fixed jobs, never one per task
    db.dispose()


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_two_schedulers_only_one_acts_and_the_standby_takes_over(db_url):
    one = Scheduler(db_url, "2026-01-05")
    one.wait_for("leader:")
    two = Scheduler(db_url, "2026-01-05")
    try:
        two.wait_for("standby:")
        one.wait_for("sweep as of", times=one.count("sweep as of") + 3)
        assert two.count("sweep as of") == 0 and two.count("leader:") == 0
        one.kill()
        two.wait_for("leader:", timeout=10)
        two.wait_for("sweep as of", times=2)
    finally:
        if one.process.poll() is None:
            one.kill()
        assert two.stop() == 0
    db = Database(db_url)
    found = keys(db)
    assert len(found) == len(set(found)) == 68
    db.dispose()


def test_daily_job_runs_reminders_then_digests_then_delivery(world, db_url, tmp_path, monkeypatch):
    from sqlalchemy import func, select

    from dtrack.config.settings import load_settings
    from dtrack.usecases.scheduler import configure, digest_job

    mail = tmp_path / "mail"
    monkeypatch.setenv("DTRACK_MAIL_DIR", str(mail))
    officer = world.user("province", "ha-noi")
    configure(world.db, load_settings(), date(2026, 1, 5))  # what `run` does: the job takes no arguments
    try:
        digest_job()
        digest_job()  # a second run the same day sends nothing new
    finally:
        configure(None)
    files = list(mail.glob("*.eml"))
    assert [f.name.split("--")[0] for f in files] == [officer]
    with world.db.session() as s:
        pending = s.scalar(select(func.count()).select_from(Reminder).where(
            Reminder.consumed_at.is_(None), Reminder.cancelled_at.is_(None), Reminder.audience == "province",
            Reminder.task.has(province_id=s.scalar(select(User.province_id).where(User.email == officer)))))
    assert pending == 0, "the province's reminders went into its digest"
