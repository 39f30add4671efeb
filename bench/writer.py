"""`python -m bench.writer URL EMAIL RATE SECONDS`: transitions at a steady rate, in a process of its own.

The page figures "under writes" (bench/suite_web.py) are measured while this
process does what 34 provinces do all day: it fires a progress update
(`Tracker.fire`, one transaction each, as a server or the command line does)
on a random in-progress task every 1/RATE seconds, on the same database as
the server under load. The schedule is open-loop: a transition that takes
longer than its slot does not push the next ones back (they are fired at
once until the writer is on time again), so the rate is the one asked for
whatever the pages cost, and a slow database shows as lag, not as fewer
writes. It stops after SECONDS, or as soon as its standard input closes (the
parent went away), and prints what it did as one JSON line.
"""
from __future__ import annotations

import json
import random
import select as readiness
import sys
import time
from datetime import date

from sqlalchemy import select

from dtrack.config.clock import Clock
from dtrack.persistence.database import Database
from dtrack.persistence.models import Task, TaskGroup
from dtrack.workflow.service import Tracker
from dtrack.workflow.vocabulary import Owner, State

POOL = 5_000  # in-progress tasks to write to, spread over the season


def _tasks(db: Database) -> list[int]:
    with db.session() as session:
        ids = list(session.scalars(select(Task.id).join(TaskGroup).where(
            Task.state == State.IN_PROGRESS.value, TaskGroup.owner == Owner.PROVINCE).order_by(Task.id)))
    random.Random(20).shuffle(ids)
    return ids[:POOL]


def _parent_gone() -> bool:
    ready, _, _ = readiness.select([sys.stdin], [], [], 0)
    return bool(ready) and sys.stdin.read(1) == ""


def main(url: str, email: str, rate: float, seconds: float, today: date) -> dict[str, float]:
    db = Database(url)
    tasks = _tasks(db)
    if not tasks:
        raise SystemExit("bench.writer: no in-progress task to write to")
    tracker = Tracker(db, Clock(pinned=today))
    chosen = random.Random(25)
    fired = failed = 0
    worst_lag = 0.0
    start = time.perf_counter()
    next_at = start
    while (now := time.perf_counter()) - start < seconds and not _parent_gone():
        if now < next_at:
            time.sleep(min(next_at - now, 0.05))
            continue
        worst_lag = max(worst_lag, now - next_at)
        try:
            tracker.fire(chosen.choice(tasks), "update", email, progress=chosen.randint(1, 99))
            fired += 1
        except Exception:  # noqa: BLE001 - a refused or conflicting write is counted, the load goes on
            failed += 1
        next_at += 1 / rate
    elapsed = time.perf_counter() - start
    db.dispose()
    return {"fired": fired, "failed": failed, "seconds": elapsed, "rate": fired / elapsed if elapsed else 0.0,
            "worst_lag_ms": worst_lag * 1000}


if __name__ == "__main__":
    url_arg, email_arg, rate_arg, seconds_arg, day_arg = sys.argv[1:6]
    print(json.dumps(main(url_arg, email_arg, float(rate_arg), float(seconds_arg), date.fromisoformat(day_arg))),
          flush=True)
