"""The engine against the database's own limit, batch imports, scale, start-up, memory.

1. transitions: N real transitions through `Tracker.fire` (one transaction
   each, as `dtrack task ...` does) and, in the same run on identical
   databases, the floor: the same job done the cheapest way by hand (read
   the task and actor, check, version-checked UPDATE, audit INSERT, commit;
   `same_job_writer`), and the driver's limit: the writes alone through the
   DB-API. Chunk by chunk in rotating order; rates per chunk of N/10 give the
   median, min and max; the ratio is engine / floor per chunk.
2. batch: the same transitions through `service.apply` in ONE transaction.
3. scale: generation time and size of the synthetic data set (bench/generate.py).
4. start-up: `dtrack --help` and `dtrack tasks list --province ha-noi` as processes.
5. memory: peak RSS of a child process making a full pass over the data set
   (bench/rollup.py).
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from bench.context import BenchContext, Result, Timing
from bench.floors import raw_writer, same_job_writer
from dtrack.config.clock import Clock
from dtrack.persistence.database import Database
from dtrack.persistence.models import Province, Task, TaskGroup
from dtrack.workflow.service import Tracker, apply
from dtrack.workflow.users import add_user, find_user
from dtrack.workflow.vocabulary import DEPARTMENT_SLUG, Owner, Role, State, Trigger

SUITE = "engine"
FULL_N, QUICK_N = 4_000, 300  # 4,000: three writers per back-end within the 15-minute budget
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
    """N transitions over the initialised database's tasks, round-robin, each following CYCLE; adds the users."""
    db = Database(url)
    now = datetime(2025, 11, 3, 2, tzinfo=UTC)
    with db.session() as session:
        add_user(session, email=OVERSEER, name="Giám sát", role=Role.OVERSEER, province=None, now=now)
        tasks = session.execute(
            select(Task.id, Task.state, Province.slug, TaskGroup.ordinal, TaskGroup.owner, Task.period)
            .join(Task.province).join(Task.group).order_by(Task.id)
        ).all()
        for slug in sorted({t.slug for t in tasks if t.slug != DEPARTMENT_SLUG}):  # the Cục's task: the overseer's
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


def side_by_side(urls: tuple[str, str, str], steps: list[Step]) -> tuple[list[float], list[float], list[float]]:
    """Seconds per step of each chunk: engine, same-job floor and writes-only DB-API floor.

    The three run chunk by chunk in an order that rotates each chunk (engine
    first, then the same-job floor first, then the raw one), so none always
    runs after another's writes and all share the machine's background load
    (it is shared): their ratios per chunk are fair even when the rates wander.
    Each writes to its own identical database.
    """
    dbs = [Database(url) for url in urls]
    raw_fn, raw_close = raw_writer(dbs[2])
    writers = [engine_writer(dbs[0]), same_job_writer(dbs[1]), raw_fn]
    for fn in writers:
        fn(steps[0])  # warm up: connect, build the machine and the statement caches
    rest = steps[1:]
    size = max(1, len(rest) // CHUNKS)
    seconds: list[list[float]] = [[], [], []]
    for n, i in enumerate(range(0, len(rest) - size + 1, size)):
        chunk = rest[i:i + size]
        for k in (0, 1, 2)[n % 3:] + (0, 1, 2)[:n % 3]:
            seconds[k].append(_timed(chunk, writers[k]))
    raw_close()
    for db in dbs:
        db.dispose()
    return seconds[0], seconds[1], seconds[2]


def run_batch(url: str, steps: list[Step]) -> float:
    """All steps through service.apply inside one transaction (a bulk import); returns seconds."""
    db = Database(url)
    db.engine  # noqa: B018 - connect before timing
    now = datetime(2026, 1, 5, 1, tzinfo=UTC)
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
    urls = (ctx.fresh_url(), ctx.fresh_url(), ctx.fresh_url())
    steps = plan(urls[0], n)
    for url in urls[1:]:
        plan(url, 1)  # the same users on the floors' databases
    engine_s, floor_s, raw_s = side_by_side(urls, steps)
    found = [
        _rate(SUITE, "transitions/s, engine (Tracker.fire)", ctx.backend, n, engine_s,
              note="one transaction per transition, task named by key"),
        _rate(SUITE, "transitions/s, floor (the same job by hand)", ctx.backend, n, floor_s,
              note="read task + actor in one statement, checks, version-checked UPDATE, audit INSERT, commit"),
        _rate(SUITE, "transitions/s, writes only (raw DB-API)", ctx.backend, n, raw_s,
              note="UPDATE + INSERT per transaction, no reads or checks: the driver's limit, not a floor"),
    ]
    for name, floor, goal in (("engine / floor (the same job)", floor_s, ">= 0.8"),
                              ("engine / writes only (raw DB-API)", raw_s, "")):
        ratio = Timing(sorted(f / e for e, f in zip(engine_s, floor, strict=True)))
        found.append(Result(SUITE, name, ctx.backend, n, ratio.median, ratio.minimum, ratio.maximum, "ratio", goal,
                            note=f"per chunk of N/{CHUNKS}, the three writers in rotating order, "
                                 f"{n:,} transitions over {len({s.task_id for s in steps})} tasks of Directive 20"))
    return found


def batch(ctx: BenchContext) -> list[Result]:
    n = QUICK_N if ctx.quick else FULL_N
    per_op = []
    for _ in range(2):
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
               note=f"{stats.directives} directives over 2022-2025, 34 provinces + {stats.units:,} communes, "
                    f"{stats.events:,} events ({stats.events / max(stats.tasks, 1):.1f} a task); states: "
                    + ", ".join(f"{k} {v:,}" for k, v in sorted((stats.states or {}).items()))),
        Result(SUITE, "database size", ctx.backend, stats.tasks, stats.size_mb, stats.size_mb, stats.size_mb, "MB"),
    ]


def dtrack_command() -> list[str]:
    """The installed `dtrack` script next to this interpreter, as a user runs it."""
    script = Path(sys.executable).with_name("dtrack")
    return [str(script)] if script.exists() else [sys.executable, "-m", "dtrack"]


def startup(ctx: BenchContext) -> list[Result]:
    """Whole processes, wall clock, against `python -c "import sqlalchemy.orm"` measured alternately."""
    repeat = 3 if ctx.quick else 9
    env = {**os.environ, "DTRACK_DATABASE_URL": ctx.fresh_url(), "DTRACK_TODAY": "2026-01-05"}

    def process(*args: str) -> Callable[[], None]:
        return lambda: subprocess.run([*dtrack_command(), *args], env=env, check=True, capture_output=True)

    def reference() -> None:
        subprocess.run([sys.executable, "-c", "import sqlalchemy.orm"], env=env, check=True, capture_output=True)

    commands = ((("--help",), "< 0.3 s"), (("tasks", "list", "--province", "ha-noi"), ""))
    samples: dict[str, list[float]] = {"reference": [], **{" ".join(a): [] for a, _ in commands}}
    runs = {"reference": reference, **{" ".join(a): process(*a) for a, _ in commands}}
    for fn in runs.values():
        fn()  # warm the file cache
    for _ in range(repeat):
        for name, fn in runs.items():
            start = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - start)
    ref = Timing(samples["reference"])
    found = [Result(SUITE, "python -c 'import sqlalchemy.orm' (reference)", ctx.backend, 0, ref.median, ref.minimum,
                    ref.maximum, "s", "", "whole process, wall clock")]
    for args, target in commands:
        name = " ".join(args)
        timing = Timing(samples[name])
        found.append(Result(SUITE, "dtrack " + name, ctx.backend, 307 if len(args) > 1 else 0,
                            timing.median, timing.minimum, timing.maximum, "s", target,
                            note="whole process, wall clock"))
        if len(args) > 1:
            ratio = Timing([c / r for c, r in zip(samples[name], samples["reference"], strict=True)])
            found.append(Result(SUITE, f"dtrack {name} / reference", ctx.backend, 307, ratio.median, ratio.minimum,
                                ratio.maximum, "ratio", "<= 1.3", "per run, the two alternating"))
    return found


def memory(ctx: BenchContext) -> list[Result]:
    from bench.phase import in_child
    from bench.suite_deadlines import baseline

    url = ctx.big_url()
    base = baseline(ctx, url)
    reports = [in_child("rollup", url)]
    tasks = reports[-1]["tasks"]
    rss = Timing([r["peak_rss_mb"] - base for r in reports])
    took = Timing([r["seconds"] for r in reports])
    return [
        Result(SUITE, "full pass (roll-up + timeliness): time", ctx.backend, tasks, took.median, took.minimum,
               took.maximum, "s"),
        Result(SUITE, "full pass: peak RSS growth", ctx.backend, tasks, rss.median, rss.minimum,
               rss.maximum, "MB", "< 300 MB", f"child VmHWM over the baseline child ({base:.0f} MB)"),
    ]


def round_trips(ctx: BenchContext) -> list[Result]:
    """Messages a transition waits for on the wire: each statement, and the BEGIN and COMMIT around them.

    Counted with SQLAlchemy's events on the engine's own connections while
    `Tracker.fire` runs the planned steps (the driver sends BEGIN before the
    first statement of a transaction and waits for it: one round trip each).
    On SQLite there is no wire; the same count is the statements per transition.
    """
    from sqlalchemy import event

    from bench.wire import RoundTrips

    url = ctx.fresh_url()
    steps = plan(url, 200)
    db = Database(url)
    fire = engine_writer(db)
    fire(steps[0])  # warm up: connect, read the lifecycle
    counts = {"statements": 0, "transactions": 0}

    def statement(*_: object) -> None:
        counts["statements"] += 1

    def begun(*_: object) -> None:
        counts["transactions"] += 1

    event.listen(db.engine, "before_cursor_execute", statement)
    event.listen(db.engine, "begin", begun)
    with (RoundTrips(db.engine) if ctx.backend == "postgresql" else nullcontext()) as wire:
        for s in steps[1:]:
            fire(s)
    event.remove(db.engine, "before_cursor_execute", statement)
    event.remove(db.engine, "begin", begun)
    db.dispose()
    n = len(steps) - 1
    if wire is None:  # SQLite: no wire; the statements per transition
        per, how = counts["statements"] / n, f"statements, Tracker.fire over {n} steps"
    else:  # the server's ReadyForQuery messages: BEGIN and COMMIT count when they are sent (bench/wire.py)
        per = wire.count / n
        how = (f"libpq trace: waits for the server (ReadyForQuery); {counts['statements'] / n:.2f} statements, "
               f"Tracker.fire over {n} steps")
    return [Result(SUITE, "round trips per transition", ctx.backend, n, per, per, per, "count",
                   "<= 2" if ctx.backend == "postgresql" else "", how)]


def run(ctx: BenchContext) -> list[Result]:
    return [*transitions(ctx), *round_trips(ctx), *batch(ctx), *scale(ctx), *startup(ctx), *memory(ctx)]
