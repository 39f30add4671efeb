"""Email digests at national scale: building them, and sending them over SMTP.

1. build: `build_digests` for 3,355 recipients (34 province offices + 3,321
   commune-level units, synthetic users) over the scale data set, one
   transaction as the daily sweep runs it. Target: under 10 s on SQLite.
   Between runs the day's outbox rows are deleted (not timed), so each run
   builds every digest again.
2. send: messages per second from the outbox to a local aiosmtpd server
   in its own process (real SMTP over localhost, one session per run, a mark per
   message as in production).
"""
from __future__ import annotations

import socket
import subprocess
import sys
import time
from datetime import date, datetime, timezone

from sqlalchemy import delete, func, insert, select, update

from bench.context import BenchContext, Result, Timing
from dtrack.notifications.digest_sending import build_digests
from dtrack.notifications.outbox import deliver
from dtrack.notifications.transport import SmtpTransport
from dtrack.workflow.settings import parse_smtp_url
from dtrack.workflow.clock import Clock
from dtrack.workflow.database import Database
from dtrack.workflow.models import Outbox, Province, Reminder, User
from dtrack.workflow.settings import load_settings
from dtrack.workflow.vocabulary import OutboxState, Role

SUITE = "digests"
RECIPIENTS = 3355  # 34 province offices + 3,321 commune-level units
AS_OF = date(2026, 1, 5)  # the day the scale data set describes
BUILD_REPEAT = {True: 1, False: 3}
SEND_COUNT = {True: 100, False: 1000}
SEND_REPEAT = {True: 2, False: 3}


def add_recipients(db: Database, count: int = RECIPIENTS) -> int:
    """One synthetic province-role user per unit (a Province row), cycling over units if there are fewer.

    The scale data set stores the communes as Province rows; on a small
    database the commune officers are spread over the 34 provinces.
    """
    with db.session() as session:
        existing = session.scalar(select(func.count()).select_from(User).where(User.email.like("bench.digest.%")))
        if existing >= count:
            return existing
        units = list(session.scalars(select(Province.id).order_by(Province.ordinal)))
        now = datetime(2026, 1, 1, tzinfo=timezone.utc)
        rows = [{"email": f"bench.digest.{n:04d}@units.example.vn", "name": f"Cán bộ khuyến công {n:04d}",
                 "role": Role.PROVINCE.value, "province_id": units[n % len(units)],
                 "locale": "en" if n % 10 == 0 else "vi", "created_at": now}
                for n in range(existing, count)]
        session.execute(insert(User), rows)
    return count


def _reset_day(db: Database) -> None:
    """Undo a build: the day's digests, and the reminders it consumed (at the pinned instant)."""
    with db.session() as session:
        session.execute(delete(Outbox).where(Outbox.key_date == AS_OF))
        session.execute(update(Reminder).where(Reminder.consumed_at == Clock(pinned=AS_OF).now())
                        .values(consumed_at=None))


def _clean_up(db: Database) -> None:
    """Leave the shared scale data set as it was for the suites that run after this one."""
    _reset_day(db)
    with db.session() as session:
        session.execute(delete(User).where(User.email.like("bench.digest.%")))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def run(ctx: BenchContext) -> list[Result]:
    url = ctx.big_url()
    db = Database(url)
    recipients = add_recipients(db)
    clock = Clock(pinned=AS_OF)
    settings = load_settings(environ={"DTRACK_MAIL_RETRY_SECONDS": "0", "DTRACK_DIGEST_WEEKDAY": "sunday"})
    results: list[Result] = []

    samples, queued = [], 0
    for _ in range(BUILD_REPEAT[ctx.quick]):
        _reset_day(db)
        start = time.perf_counter()
        report = build_digests(db, clock, settings)
        samples.append(time.perf_counter() - start)
        queued = report.queued
    build = Timing(samples)
    results.append(Result(SUITE, f"build digests ({recipients} recipients)", ctx.backend, queued, build.median,
                          build.minimum, build.maximum, "s", "< 10 s (SQLite)",
                          f"{queued} queued, {report.nothing} with nothing to act on"))

    # The server runs in its own process, as a real one would: in a thread of
    # this process it would compete with the sender for the interpreter lock.
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                               "-c", "aiosmtpd.handlers.Sink"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(port)
        transport = SmtpTransport(parse_smtp_url(f"smtp://127.0.0.1:{port}"))
        count = min(SEND_COUNT[ctx.quick], queued)
        rates = []
        for _ in range(SEND_REPEAT[ctx.quick]):
            with db.session() as session:
                session.execute(update(Outbox).where(Outbox.key_date == AS_OF).values(
                    state=OutboxState.PENDING.value, attempts=0, sent_at=None, server_reply=None))
            start = time.perf_counter()
            sent = deliver(db, transport, settings, limit=count)
            rates.append(sent.sent / (time.perf_counter() - start))
    finally:
        server.terminate()
        server.wait()
    _clean_up(db)
    rate = Timing(rates)
    results.append(Result(SUITE, "send to local SMTP (messages/s)", ctx.backend, count, rate.median,
                          rate.minimum, rate.maximum, "msg/s", "", "aiosmtpd Sink in its own process, localhost"))
    db.dispose()
    return results
