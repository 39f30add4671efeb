"""The overdue review and the reminder sweep at scale (issues 3 and 12).

On the scale data set (`ctx.big_url()`, about 1M tasks; small in --quick),
judged on the data set's own day (bench.generate.AS_OF), as a real morning:

- `overdue` for the largest province (the province, not commune, with the
  most tasks; named in the note), one region and the whole country, first
  page (the 100 most overdue) and the full list; median of repeated runs;
- the day's first reminder sweep, then a repeat (idempotent) one, each in
  its own child process (bench/phase.py) so its memory peak is its own:
  peak RSS growth is the child's VmHWM minus that of a baseline child that
  imports the same code and connects, nothing more.

The digests suite runs after this one, on the state the sweep left.
"""
from __future__ import annotations

from sqlalchemy import func, select

from bench.context import BenchContext, Result, Timing, measure
from bench.generate import AS_OF, largest_province
from bench.phase import in_child
from dtrack.config.clock import Clock
from dtrack.config.today import Today
from dtrack.persistence.database import Database
from dtrack.persistence.models import Province, Task
from dtrack.reading.overdue import Scope, overdue_review
from dtrack.reading.overdue_counts import MEMO

SUITE = "deadlines"


def baseline(ctx: BenchContext, url: str) -> float:
    """The baseline child's peak RSS (MB), measured once per back-end and run."""
    if "baseline_mb" not in ctx.extra:
        ctx.extra["baseline_mb"] = Timing([in_child("baseline", url)["peak_rss_mb"] for _ in range(3)]).median
    return ctx.extra["baseline_mb"]


def run(ctx: BenchContext) -> list[Result]:
    url = ctx.big_url()
    db = Database(url)
    as_of = AS_OF
    today = Today.of(Clock(pinned=as_of))
    with db.session() as session:
        rows = session.scalar(select(func.count()).select_from(Task))
        province_id, slug, province_tasks = largest_province(session)
        province = session.get(Province, province_id)
        region = province.region
    repeat = 3 if ctx.quick else 5
    results: list[Result] = []

    def timed(name: str, scope: Scope, target: str, limit: int | None = 100, forget: bool = False) -> None:
        found: list[int] = []

        def once() -> None:
            if forget:
                MEMO.clear()
            with db.session() as session:
                found.append(overdue_review(session, today, scope, limit=limit).total)

        timing = measure(once, repeat=repeat) if limit is not None else measure(once, repeat=2, warmup=0)
        shown = "all listed" if limit is None else f"first {limit} listed"
        results.append(Result(SUITE, name, ctx.backend, rows, timing.median * 1000, timing.minimum * 1000,
                              timing.maximum * 1000, "ms", target, f"{found[-1]} overdue as of {as_of}, {shown}"))

    # As `dtrack overdue` runs by default: every count, the 100 most overdue tasks listed.
    timed(f"overdue, largest province ({slug}, {province_tasks:,} tasks)", Scope(province=province), "< 50 ms")
    timed(f"overdue, one region ({region})", Scope(region=region), "")
    timed("overdue, nationwide (first page)", Scope(), "< 300 ms")
    if db.dialect == "postgresql":
        # The row above repeats on unchanged data, so after its warm-up PostgreSQL answers the counts from
        # the snapshot memo; this one empties it first: the first request after any commit.
        timed("overdue, nationwide (first page), nothing remembered", Scope(), "< 300 ms", forget=True)
    # As `dtrack overdue --json` runs: every overdue task loaded and judged.
    timed("overdue, nationwide, full list", Scope(), "", limit=None)
    db.dispose()

    base = baseline(ctx, url)
    first = in_child("sweep", url)
    ctx.extra["swept"] = True
    results.append(Result(SUITE, "reminder sweep (first of the day, writes)", ctx.backend, rows, first["seconds"],
                          first["seconds"], first["seconds"], "s", "< 30 s",
                          f"{first['reminders']:,} reminders written, {first['scanned']:,} open tasks checked, "
                          f"{first['periods_opened']} period tasks opened, {first['checkpoints']} checkpoints rolled"))
    growth = first["peak_rss_mb"] - base
    results.append(Result(SUITE, "reminder sweep (first): peak RSS growth", ctx.backend, rows, growth, growth, growth,
                          "MB", "< 50 MB", f"child VmHWM {first['peak_rss_mb']:.0f} MB, baseline child {base:.0f} MB"))
    again = [in_child("sweep", url) for _ in range(1 if ctx.quick else 2)]
    timing = Timing([a["seconds"] for a in again])
    results.append(Result(SUITE, "reminder sweep (repeat, idempotent)", ctx.backend, rows, timing.median,
                          timing.minimum, timing.maximum, "s", "< 30 s", f"{again[-1]['reminders']} written"))
    return results
