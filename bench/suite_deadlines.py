"""Benchmarks of issue 3: the overdue review and the reminder sweep at scale.

On the scale data set (`ctx.big_url()`, about 1M tasks): the median time of
`overdue` for one province, one region and the whole country, and of one
full reminder sweep, with the sweep's peak memory growth (it streams the
tasks in keyset pages, so memory should stay flat). Targets (informative):
province < 100 ms, nationwide < 1 s, sweep < 30 s.
"""
from __future__ import annotations

import resource
import time
from datetime import date

from sqlalchemy import func, select

from bench.context import BenchContext, Result, measure
from dtrack.workflow.clock import Clock
from dtrack.workflow.database import Database
from dtrack.workflow.models import Province, Task
from dtrack.workflow.overdue import Scope, overdue_review
from dtrack.workflow.reminders import sweep

SUITE = "deadlines"


def _as_of(db: Database) -> date:
    """A day in the middle of the data's deadlines, so a good share of tasks is overdue."""
    with db.session() as session:
        first, last = session.execute(select(func.min(Task.due_on), func.max(Task.due_on))).one()
    if first is None:
        return date(2026, 1, 5)
    return first + (last - first) / 2


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(ctx: BenchContext) -> list[Result]:
    db = Database(ctx.big_url())
    as_of = _as_of(db)
    clock = Clock(pinned=as_of)
    with db.session() as session:
        rows = session.scalar(select(func.count()).select_from(Task))
        province = session.scalars(select(Province).join(Task, Task.province_id == Province.id).limit(1)).first()
        region = province.region
    repeat = 3 if ctx.quick else 5
    results: list[Result] = []

    def timed(name: str, scope: Scope, target: str, limit: int | None = 100) -> None:
        found: list[int] = []

        def once() -> None:
            with db.session() as session:
                found.append(overdue_review(session, as_of, scope, limit=limit, clock=clock).total)

        timing = measure(once, repeat=repeat)
        shown = "all listed" if limit is None else f"first {limit} listed"
        results.append(Result(SUITE, name, ctx.backend, rows, timing.median * 1000, timing.minimum * 1000,
                              timing.maximum * 1000, "ms", target, f"{found[-1]} overdue as of {as_of}, {shown}"))

    # As `dtrack overdue` runs by default: every count, the 100 most overdue tasks listed.
    timed("overdue, one province", Scope(province=province), "< 100 ms")
    timed(f"overdue, one region ({region})", Scope(region=region), "")
    timed("overdue, nationwide", Scope(), "< 1000 ms")
    # As `dtrack overdue --json` runs: every overdue task loaded and judged.
    timed("overdue, nationwide, full list", Scope(), "", limit=None)

    # The first sweep writes every reminder that fell due; later ones find them written.
    before = _peak_rss_mb()
    started = time.perf_counter()
    first = sweep(db, clock)
    first_seconds = time.perf_counter() - started
    growth = _peak_rss_mb() - before
    results.append(Result(SUITE, "reminder sweep (first, writes)", ctx.backend, rows, first_seconds, first_seconds,
                          first_seconds, "s", "< 30 s", f"{first.total} reminders, {first.scanned} tasks checked"))
    again = measure(lambda: sweep(db, clock), repeat=1 if ctx.quick else 3, warmup=0)
    results.append(Result(SUITE, "reminder sweep (repeat, idempotent)", ctx.backend, rows, again.median,
                          again.minimum, again.maximum, "s", "< 30 s"))
    results.append(Result(SUITE, "reminder sweep peak memory growth", ctx.backend, rows, growth, growth, growth, "MB",
                          "flat", "ru_maxrss after the first sweep minus before"))
    db.dispose()
    return results
