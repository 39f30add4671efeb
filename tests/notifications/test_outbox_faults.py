"""Fault suite (`make check-faults`): PostgreSQL kills a sender's connections mid-sweep; nothing lost or doubled.

The shared PostgreSQL server cannot be stopped (other databases live on it), so
"PostgreSQL killed" is what a restart looks like to the sender: every backend
of the scratch database is ended with pg_terminate_backend, several times,
while a real `dtrack outbox send` process delivers a few hundred messages to
a real SMTP server. Then senders run again until the queue is empty: every
message arrived exactly once.
"""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from dtrack.notifications.outbox import enqueue
from dtrack.persistence.database import Database
from dtrack.persistence.models import Outbox
from tests.conftest import TODAY
from tests.notifications.conftest import Recorder, SmtpServer

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 300
LEASE = "3"


class SlowRecorder(Recorder):
    """Takes a few milliseconds per message, so the run lasts long enough to be interrupted."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.01)
        return await super().handle_DATA(server, session, envelope)


def terminate_backends(db_url: str) -> int:
    """End every connection to the test database but this one: what a server restart does to them."""
    engine = create_engine(db_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            return len(conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": make_url(db_url).database}).all())
    finally:
        engine.dispose()


def sender(db_url: str, smtp_url: str) -> subprocess.Popen:
    env = {**os.environ, "DTRACK_DATABASE_URL": db_url, "DTRACK_SMTP_URL": smtp_url, "DTRACK_LANG": "en",
           "DTRACK_MAIL_STALE_SECONDS": LEASE, "DTRACK_MAIL_RETRY_SECONDS": "0"}
    return subprocess.Popen([sys.executable, "-m", "dtrack", "outbox", "send"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def states(db_url: str) -> dict[str, int]:
    db = Database(db_url)  # a pool of its own: the kills end the fixture's connections too
    try:
        with db.session() as s:
            return dict(s.execute(select(Outbox.state, func.count()).group_by(Outbox.state)).all())
    finally:
        db.dispose()


@pytest.mark.faults
@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_connections_killed_mid_send_lose_and_double_nothing(db, db_url):
    with db.session() as s:
        for i in range(MESSAGES):
            enqueue(s, f"nguoi{i:03}@soct.example.vn", "report", TODAY, f"Báo cáo {i}", "Nội dung",
                    mail_from="no-reply@dtrack.example.vn")
    smtp = SmtpServer()
    smtp.handler = SlowRecorder()
    smtp.start()
    outputs: list[str] = []
    kills: list[int] = []
    try:
        first = sender(db_url, smtp.url)
        for mark in (40, 110, 180):
            deadline = time.monotonic() + 60
            while len(smtp.handler.messages) < mark and first.poll() is None:
                assert time.monotonic() < deadline, "the sender made no progress"
                time.sleep(0.01)
            kills.append(terminate_backends(db_url))
        outputs.append(first.communicate(timeout=120)[0])
        # Rerun until the queue is empty (rows a dead claim held come back once its lease runs out).
        deadline = time.monotonic() + 60
        while states(db_url).get("sent", 0) < MESSAGES:
            assert time.monotonic() < deadline, f"not all sent: {states(db_url)}\n" + "\n".join(outputs)
            time.sleep(float(LEASE) / 3)
            again = sender(db_url, smtp.url)
            outputs.append(again.communicate(timeout=120)[0])
    finally:
        smtp.stop()
    assert any(kills), "no connection was ended: the test did not test anything"
    assert states(db_url) == {"sent": MESSAGES}, "\n".join(outputs)
    ids = smtp.handler.message_ids()
    assert len(ids) == len(set(ids)) == MESSAGES, "a message was lost or sent twice:\n" + "\n".join(outputs)
    print(f"terminated backends {kills}; sender runs {len(outputs)}; first run said: {outputs[0].strip()[-300:]}")
