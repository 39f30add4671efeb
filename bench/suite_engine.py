"""The engine against the database's own limit, batch imports, scale, start-up, memory.

1. transitions: N real transitions through `Tracker.fire` (one transaction
   each, as `dtrack task ...` does) and, in the same run on an identical
   database, the physical floor: the same writes with raw SQLAlchemy Core
   (one UPDATE + one INSERT per transaction, no checks), chunk by chunk
   alternating with the engine. Rates per chunk of N/10 give the median,
   min and max; the ratio is engine / floor per chunk.
2. batch: the same transitions through `service.apply` in ONE transaction.
3. scale: generation time and size of the synthetic data set (bench/generate.py).
4. start-up: `dtrack --help` and `dtrack tasks list --province ha-noi` as processes.
5. memory: peak RSS of a child process making a full pass over the data set
   (bench/rollup.py).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlalchemy.orm import joinedload

from bench.context import BenchContext, Result, Timing, measure
from dtrack.workflow.clock import Clock
from dtrack.workflow.database import Database
from dtrack.workflow.models import Event, Province, Task, TaskGroup, User
from dtrack.workflow.service import Tracker, apply
from dtrack.workflow.users import add_user, find_user
from dtrack.workflow.vocabulary import Owner, Role, State, Trigger

SUITE = "engine"
FULL_N, QUICK_N = 20_000, 300
CHUNKS = 10
OVERSEER = "giam.sat@bench.example.vn"
# A task's life after `start`, repeated: work, submit, be sent back, rework,
# resubmit, be accepted, be reopened. It returns to in_progress, so it cycles.
CYCLE = (Trigger.UPDATE, Trigger.SUBMIT, Trigger.SEND_BACK, Trigger.UPDATE, Trigger.SUBMIT,
         Trigger.ACCEPT, Trigger.REOPEN)
BY_OVERSEER = {Trigger.SEND_BACK, Trigger.ACCEPT, Trigger.REOPEN}
NEEDS_NOTE = {Trigger.SEND_BACK: "Thiếu phụ lục kinh phí chi tiết", Trigger.REOPEN: "Cần bổ sung số liệu"}
NEXT_STATE = {
    Trigger.START: State.IN_PROGRESS, Trigger.SUBMIT: State.SUBMITTED, Trigger.SEND_BACK: State.RETURNED,
    Trigger.ACCEPT: State.COMPLETED, Trigger.REOPEN: State.IN_PROGRESS,
}


@dataclass(frozen=True)
class Step:
    """One planned transition: what the engine is asked and what the floor writes."""

    task_id: int
    key: str
    trigger: Trigger
    actor: str
    from_state: str
    to_state: str
    progress: int | None
    note: str | None


def province_email(slug: str) -> str:
    return f"khuyencong.{slug}@bench.example.vn"


def plan(url: str, n: int) -> list[Step]:
    """N transitions over the 340 tasks, round-robin, each task following CYCLE; adds the users."""
    db = Database(url)
    now = datetime(2025, 11, 3, 2, tzinfo=timezone.utc)
    with db.session() as session:
        add_user(session, email=OVERSEER, name="Giám sát", role=Role.OVERSEER, province=None, now=now)
        tasks = session.execute(
            select(Task.id, Task.state, Province.slug, TaskGroup.ordinal, TaskGroup.owner, Task.period)
            .join(Task.province).join(Task.group).order_by(Task.id)
        ).all()
        for slug in sorted({t.slug for t in tasks}):
            add_user(session, email=province_email(slug), name=f"Cán bộ {slug}", role=Role.PROVINCE,
                     province=slug, now=now)
    db.dispose()
    states = {t.id: t.state for t in tasks}
    fired = {t.id: 0 for t in tasks}
    steps: list[Step] = []
    while len(steps) < n:
        for t in tasks:
            if len(steps) >= n:
                break
            count = fired[t.id]
            trigger = Trigger.START if count == 0 else CYCLE[(count - 1) % len(CYCLE)]
            owner_actor = OVERSEER if t.owner == Owner.DEPARTMENT else province_email(t.slug)
            actor = OVERSEER if trigger in BY_OVERSEER else owner_actor
            to_state = NEXT_STATE.get(trigger, State(states[t.id])).value
            progress = min(100, 10 + count) if trigger == Trigger.UPDATE else None
            key = f"20/CT-BCT:{t.ordinal}:{t.slug}" + (f":{t.period}" if t.period else "")
            steps.append(Step(t.id, key, trigger, actor, states[t.id], to_state, progress, NEEDS_NOTE.get(trigger)))
            states[t.id] = to_state
            fired[t.id] = count + 1
    return steps


def engine_writer(db: Database) -> Callable[[Step], object]:
    """A step through Tracker.fire: one transaction, as a user's command."""
    tracker = Tracker(db, Clock(pinned=date(2026, 1, 5)))
    return lambda s: tracker.fire(s.key, s.trigger, s.actor, note=s.note, progress=s.progress)


def floor_writer(db: Database) -> Callable[[Step], object]:
    """A step's writes as raw Core: one UPDATE + one INSERT per transaction, no reads, no checks."""
    engine = db.engine
    with engine.connect() as conn:
        actors = dict(conn.execute(select(User.email, User.id)).all())
    tasks, events = Task.__table__, Event.__table__
    now = datetime(2026, 1, 5, 1, tzinfo=timezone.utc)

    def write(s: Step) -> None:
        with engine.begin() as conn:
            values = {"state": s.to_state, "updated_at": now, "version": tasks.c.version + 1}
            if s.progress is not None:
                values["progress"] = s.progress
            conn.execute(update(tasks).where(tasks.c.id == s.task_id).values(**values))
            conn.execute(insert(events).values(
                task_id=s.task_id, actor_id=actors[s.actor], trigger=s.trigger.value, from_state=s.from_state,
                to_state=s.to_state, progress=s.progress or 0, note=s.note, evidence=None, at=now,
            ))

    return write


def side_by_side(engine_url: str, floor_url: str, steps: list[Step]) -> tuple[list[float], list[float]]:
    """Seconds per step of each chunk, engine and floor alternating chunk by chunk.

    Alternating puts both under the same background load (the machine is
    shared), so their ratio per chunk is fair even when the rates wander.
    """
    engine_db, floor_db = Database(engine_url), Database(floor_url)
    engine_fn, floor_fn = engine_writer(engine_db), floor_writer(floor_db)
    engine_fn(steps[0])  # warm up: connect, build the machine and the statement caches
    floor_fn(steps[0])
    rest = steps[1:]
    size = max(1, len(rest) // CHUNKS)
    engine_s, floor_s = [], []
    for i in range(0, len(rest) - size + 1, size):
        chunk = rest[i:i + size]
        engine_s.append(_timed(chunk, engine_fn))
        floor_s.append(_timed(chunk, floor_fn))
    engine_db.dispose()
    floor_db.dispose()
    return engine_s, floor_s


def run_batch(url: str, steps: list[Step]) -> float:
    """All steps through service.apply inside one transaction (a bulk import); returns seconds."""
    db = Database(url)
    db.engine  # noqa: B018 - connect before timing
    now = datetime(2026, 1, 5, 1, tzinfo=timezone.utc)
    start = time.perf_counter()
    with db.session() as session:
        # An importer loads its tasks and users once, and holds them: the
        # session's identity map is weak, so a task dropped after its flush
        # would be read again (with its group) by the next step that names it.
        tasks = {t.id: t for t in session.scalars(
            select(Task).options(joinedload(Task.group), joinedload(Task.province))
            .where(Task.id.in_({s.task_id for s in steps}))
        )}
        users = {email: find_user(session, email) for email in {s.actor for s in steps}}
        for s in steps:
            apply(session, tasks[s.task_id], s.trigger, users[s.actor], now, note=s.note, progress=s.progress)
    seconds = time.perf_counter() - start
    db.dispose()
    return seconds


def _timed(steps: list[Step], fn: Callable[[Step], object]) -> float:
    start = time.perf_counter()
    for s in steps:
        fn(s)
    return (time.perf_counter() - start) / len(steps)


def _rate(suite: str, name: str, backend: str, rows: int, per_op: list[float], **kw) -> Result:
    """A Result in operations per second from seconds per operation."""
    rates = sorted(1 / s for s in per_op)
    timing = Timing(rates)
    return Result(suite, name, backend, rows, timing.median, timing.minimum, timing.maximum, "ops/s", **kw)


def transitions(ctx: BenchContext) -> list[Result]:
    n = QUICK_N if ctx.quick else FULL_N
    engine_url, floor_url = ctx.fresh_url(), ctx.fresh_url()
    steps = plan(engine_url, n)
    plan(floor_url, 1)  # the same users on the floor's database
    engine_s, floor_s = side_by_side(engine_url, floor_url, steps)
    engine_r = _rate(SUITE, "transitions/s, engine (Tracker.fire)", ctx.backend, n, engine_s,
                     note="one transaction per transition, task named by key")
    floor_r = _rate(SUITE, "transitions/s, floor (Core UPDATE+INSERT)", ctx.backend, n, floor_s,
                    note="one transaction per transition, no reads or checks")
    ratios = sorted(f / e for e, f in zip(engine_s, floor_s))
    ratio = Timing(ratios)
    ratio_r = Result(SUITE, "engine / floor", ctx.backend, n, ratio.median, ratio.minimum, ratio.maximum,
                     "ratio", ">= 0.5", note=f"per chunk of N/{CHUNKS}, engine and floor alternating")
    return [engine_r, floor_r, ratio_r]


def batch(ctx: BenchContext) -> list[Result]:
    n = QUICK_N if ctx.quick else FULL_N
    per_op = []
    for _ in range(2 if ctx.quick else 3):
        url = ctx.fresh_url()
        steps = plan(url, n)
        per_op.append(run_batch(url, steps) / n)
    return [_rate(SUITE, "transitions/s, batch (apply, 1 transaction)", ctx.backend, n, per_op,
                  note="fresh database per repetition")]


def scale(ctx: BenchContext) -> list[Result]:
    ctx.big_url()
    stats = ctx.extra["scratch"].big_stats
    return [
        Result(SUITE, "generate data set", ctx.backend, stats.tasks, stats.seconds, stats.seconds, stats.seconds, "s",
               note=f"{stats.directives} directives x {stats.units} units x {stats.groups} groups, {stats.events:,} events"),
        Result(SUITE, "database size", ctx.backend, stats.tasks, stats.size_mb, stats.size_mb, stats.size_mb, "MB"),
    ]


def dtrack_command() -> list[str]:
    """The installed `dtrack` script next to this interpreter, as a user runs it."""
    script = Path(sys.executable).with_name("dtrack")
    return [str(script)] if script.exists() else [sys.executable, "-m", "dtrack"]


def startup(ctx: BenchContext) -> list[Result]:
    repeat = 3 if ctx.quick else 9
    env = {**os.environ, "DTRACK_DATABASE_URL": ctx.fresh_url(), "DTRACK_TODAY": "2026-01-05"}

    def process(*args: str) -> Callable[[], None]:
        return lambda: subprocess.run([*dtrack_command(), *args], env=env, check=True, capture_output=True)

    found = []
    for args, target in ((("--help",), "< 0.3 s"), (("tasks", "list", "--province", "ha-noi"), "")):
        timing = measure(process(*args), repeat=repeat)
        found.append(Result(SUITE, "dtrack " + " ".join(args), ctx.backend, 340 if len(args) > 1 else 0,
                            timing.median, timing.minimum, timing.maximum, "s", target,
                            note="whole process, wall clock"))
    return found


def memory(ctx: BenchContext) -> list[Result]:
    url = ctx.big_url()
    peaks, seconds, tasks = [], [], 0
    for _ in range(1 if ctx.quick else 3):
        child = subprocess.run([sys.executable, "-m", "bench.rollup", url], stdout=subprocess.PIPE, text=True)
        if child.returncode:
            raise RuntimeError(f"bench.rollup exited with {child.returncode}")
        report = json.loads(child.stdout)
        tasks = report["tasks"]
        seconds.append(report["seconds"])
        peaks.append(report["peak_rss_mb"])  # measured by the child itself, see bench/rollup.py
    rss, took = Timing(peaks), Timing(seconds)
    return [
        Result(SUITE, "full pass (roll-up + timeliness): time", ctx.backend, tasks, took.median, took.minimum,
               took.maximum, "s"),
        Result(SUITE, "full pass: peak RSS of the process", ctx.backend, tasks, rss.median, rss.minimum,
               rss.maximum, "MB", "< 300 MB"),
    ]


def run(ctx: BenchContext) -> list[Result]:
    return [*transitions(ctx), *batch(ctx), *scale(ctx), *startup(ctx), *memory(ctx)]
