"""Email digests at national scale: building them, and sending them over SMTP.

1. build: `build_digests` for the 3,355 unit officers of the scale data set
   (34 province offices + 3,321 commune-level units, made by
   bench/generate.py) on the state the day really has: after that day's
   reminder sweep (the deadlines suite runs it first; alone, this suite
   runs it itself, untimed). Each build runs in its own child process
   (bench/phase.py): time and peak RSS growth over the baseline child.
   Between builds the day's outbox rows are deleted and the reminders they
   consumed made pending again (not timed), so each build does the same work.
2. send: messages per second from the outbox to a local aiosmtpd server
   in its own process (real SMTP over localhost, one session per run, a mark per
   message as in production).
"""
from __future__ import annotations

import socket
import subprocess
import sys
import time
from datetime import UTC, datetime

from sqlalchemy import delete, func, insert, select, update

from bench.context import BenchContext, Result, Timing
from bench.generate import AS_OF
from bench.phase import in_child
from bench.suite_deadlines import baseline
from dtrack.config.clock import Clock
from dtrack.config.settings import load_settings
from dtrack.config.values import parse_smtp_url
from dtrack.notifications.outbox import deliver
from dtrack.notifications.transport import SmtpTransport
from dtrack.persistence.database import Database
from dtrack.persistence.models import Outbox, Province, Reminder, User
from dtrack.workflow.vocabulary import OutboxState, Role

SUITE = "digests"
RECIPIENTS = 3355  # 34 province offices + 3,321 commune-level units
BUILD_REPEAT = {True: 1, False: 2}
SEND_COUNT = {True: 100, False: 1000}
SEND_REPEAT = {True: 2, False: 3}


def add_recipients(db: Database, count: int = RECIPIENTS) -> int:
    """The province-role users who get a digest; the scale data set has one per unit.

    A database without them (e.g. a fresh one) gets synthetic officers
    spread over its units.
    """
    with db.session() as session:
        existing = session.scalar(select(func.count()).select_from(User).where(User.role == Role.PROVINCE.value))
        if existing >= count:
            return existing
        units = list(session.scalars(select(Province.id).order_by(Province.ordinal)))
        now = datetime(2026, 1, 1, tzinfo=UTC)
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
    settings = load_settings(environ={"DTRACK_MAIL_RETRY_SECONDS": "0", "DTRACK_DIGEST_WEEKDAY": "sunday"})
    results: list[Result] = []

    with db.session() as session:
        reminders = session.scalar(select(func.count()).select_from(Reminder))
    if not ctx.extra.get("swept") and not reminders:
        in_child("sweep", url)  # the day's sweep comes first, as in production (not timed)
    with db.session() as session:
        pending = session.scalar(select(func.count()).select_from(Reminder).where(
            Reminder.consumed_at.is_(None), Reminder.cancelled_at.is_(None)))
    base = baseline(ctx, url)
    builds = []
    for _ in range(BUILD_REPEAT[ctx.quick]):
        _reset_day(db)
        builds.append(in_child("digests", url))
    queued = builds[-1]["queued"]
    build = Timing([b["seconds"] for b in builds])
    results.append(Result(SUITE, f"build digests ({recipients:,} recipients, after the sweep)", ctx.backend, queued,
                          build.median, build.minimum, build.maximum, "s", "< 10 s",
                          f"{pending:,} pending reminders; {queued:,} queued, {builds[-1]['nothing']} with nothing "
                          f"to act on, {builds[-1]['reminders_consumed']:,} reminders consumed"))
    growth = Timing([b["peak_rss_mb"] - base for b in builds])
    results.append(Result(SUITE, "build digests: peak RSS growth", ctx.backend, queued, growth.median, growth.minimum,
                          growth.maximum, "MB", "", f"child VmHWM over the baseline child ({base:.0f} MB)"))

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
    rate = Timing(rates)
    results.append(Result(SUITE, "send to local SMTP (messages/s)", ctx.backend, count, rate.median,
                          rate.minimum, rate.maximum, "msg/s", "", "aiosmtpd Sink in its own process, localhost"))
    db.dispose()
    return results
