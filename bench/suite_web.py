"""The web application under load: `dtrack serve` as a process, a load generator in another.

On the scale data set (`ctx.big_url()`: the season of bench/generate.py
FULL_SHAPE, 955,244 tasks; small in --quick) the server runs as an operator
starts it (`dtrack serve --workers 2`, see bench/webserver.py), its today the
season's own day (DTRACK_TODAY = bench.season.AS_OF, as the deadlines suite
judges it: the real date would make nearly every open task overdue), and
`bench/loadgen.py` drives it from a separate process over 127.0.0.1, each
simulated client with its own keep-alive connection and its own logged-in
session. Measured, at 1, 10 and 50 concurrent clients (1 and 10 in --quick),
bounded in requests and seconds per cell:

- GET /healthz: no database, no session, the framework's floor;
- GET /province as the officer of commune unit xa-0001 (318 tasks over 23 directives), and as
  Hà Nội's officer (its 309 tasks each delegated to its 126 communes: 38,934 parts, issue 24);
- GET /review, GET /overdue (nationwide, first page), GET /overdue?province=ha-noi, GET /status (first
  page of units) as the overseer;
- GET /dashboard and GET /scorecard (nationwide, every directive) as the overseer;
- POST /tasks/{id}/actions/update as that officer: progress alternating 41/42 on
  in-progress tasks, one task per client, the version carried as the form does
  (read from the page once, then counted up).

On PostgreSQL the server keeps rendered pages until the next commit
(web/page_memo.py) and the load generator writes nothing while it reads, so
the pages are measured again on a server started with DTRACK_PAGE_MEMO=no
(rows "... (page memo off)", 1 and 50 clients): what each request costs when
it renders. Then, on both back-ends, the pages again (1 and 50 clients) while bench/writer.py, a
process of its own, fires 20 progress updates a second on random in-progress tasks of the same
database (rows "... under writes"; goals of issue 25: median < 100 ms, p99 < 500 ms at 50 clients):
the memo rarely answers then, as in a ministry at work; what it still does is share one render
of a page among the requests that arrived before that render began (web/page_memo.py), so the 50
clients cost about one render per render time. They share one login per role: the memo's key holds
the user, so 50 different users would not share. Beside the POST, the durable commit of one row on the raw driver
connection: the part of the POST that no server code can remove; and the same progress update through
the engine in process (`Tracker.fire`): the POST's median over it is issue 25's "POST transition / engine
transition, 1 client" (goal <= 2), what HTTP, the session, the form and the redirect add.

Rows per page and level: median latency (with min and max), p99, requests/s,
and the median's ratio to /healthz at the same level. Goals (issue 10):
median < 50 ms and p99 < 250 ms at 50 clients for every page on PostgreSQL;
the POST within 3x the floor at 1 client.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from bench.context import BenchContext, Result, measure
from bench.season import AS_OF
from bench.webserver import ServerProcess, add_user
from dtrack.config.clock import Clock
from dtrack.config.today import Today
from dtrack.persistence.database import Database
from dtrack.persistence.models import Province, Task, TaskGroup
from dtrack.reading.dashboard import keep_trend
from dtrack.workflow.service import Tracker
from dtrack.workflow.vocabulary import Owner, State

SUITE = "web"
ROOT = Path(__file__).resolve().parents[1]
UNIT = "xa-0001"  # a commune-level unit of the data set (318 tasks of 23 directives in the season)
OFFICER = {"email": "web.officer@xa-0001.bench.example.vn", "password": "bench-officer-Mật-khẩu-1"}
OVERSEER = {"email": "web.overseer@khuyencong.bench.example.vn", "password": "bench-overseer-Mật-khẩu-1"}
# Hà Nội's officer: the season delegates every Hà Nội task to its 126 communes (bench/season_parts.py, issue 24).
HANOI = {"email": "web.officer@ha-noi.bench.example.vn", "password": "bench-hanoi-Mật-khẩu-1"}
# The writer of the "under writes" rows (bench/writer.py): an admin, who may update any province's task.
WRITER = {"email": "web.writer@khuyencong.bench.example.vn", "password": "bench-writer-Mật-khẩu-1"}
WRITES_PER_SECOND = 20  # progress updates on random in-progress tasks while the pages are measured
UNDER_WRITES = " under writes"
SCENARIOS = [
    {"name": "GET /healthz (floor)", "path": "/healthz"},
    {"name": f"GET /province ({UNIT})", "path": "/province", "as": "officer"},
    {"name": "GET /province (ha-noi, every task delegated to 126 communes)", "path": "/province", "as": "hanoi"},
    {"name": "GET /review", "path": "/review", "as": "overseer"},
    {"name": "GET /overdue (page 1)", "path": "/overdue", "as": "overseer"},
    {"name": "GET /overdue?province=ha-noi", "path": "/overdue?province=ha-noi", "as": "overseer"},
    {"name": "GET /status", "path": "/status", "as": "overseer"},
    {"name": "GET /dashboard", "path": "/dashboard", "as": "overseer"},
    {"name": "GET /scorecard", "path": "/scorecard", "as": "overseer"},
    {"name": "POST update (transition)", "method": "POST", "as": "officer"},
]
FLOOR = SCENARIOS[0]["name"]
POST = SCENARIOS[-1]["name"]
# PostgreSQL keeps rendered pages until the next commit (web/page_memo.py) and the load generator
# writes nothing while it reads: the pages again on a server that renders every request.
MEMO_OFF = " (page memo off)"
COMMIT = "durable commit, the driver alone (POST's own floor)"
ENGINE = "engine transition, in process (the POST's work without the web)"


def _plan(ctx: BenchContext, base: str, tasks: list[int]) -> dict:
    levels = [1, 10] if ctx.quick else [1, 10, 50]
    scenarios = [dict(s, tasks=tasks) if s["name"] == POST else s for s in SCENARIOS]
    return {
        "base": base, "levels": levels, "accounts": {"officer": OFFICER, "overseer": OVERSEER, "hanoi": HANOI},
        "scenarios": scenarios,
        # Bounded twice: requests per cell and seconds per cell.
        "max_requests": 20 if ctx.quick else 600,
        "max_requests_single": 8 if ctx.quick else 150,
        "max_seconds": 1.0 if ctx.quick else 15.0,
    }


def _pages_only(ctx: BenchContext, base: str, tasks: list[int]) -> dict:
    """The GET rows alone, at 1 and 50 clients: for the memo-off and the under-writes phases."""
    plan = _plan(ctx, base, tasks)
    plan["levels"] = [1] if ctx.quick else [1, 50]
    plan["scenarios"] = [s for s in plan["scenarios"] if s.get("method", "GET") == "GET"]
    return plan


def _prepare(url: str) -> tuple[int, list[int]]:
    """The number of tasks, and the unit's in-progress tasks the POSTs update."""
    db = Database(url)
    with db.session() as session:
        total = int(session.scalar(select(func.count()).select_from(Task)) or 0)
        tasks = list(session.scalars(
            # Groups the province owns (the Department's own follow-up groups take no province update).
            select(Task.id).join(Province).join(TaskGroup)
            .where(Province.slug == UNIT, Task.state == State.IN_PROGRESS.value, TaskGroup.owner == Owner.PROVINCE)
            .order_by(Task.id).limit(50)
        ))
        # The scheduler's daily job (`usecases.scheduler`): the trend's closed months kept, as on a server in use.
        # Without it each dashboard render read every checkpoint (5 s at 955,244 tasks) and kept nothing.
        start = time.perf_counter()
        months = keep_trend(session, Today(AS_OF))
        print(f"  dashboard trend: {months} months kept in {time.perf_counter() - start:.0f} s", flush=True)
    db.dispose()
    add_user(url, OFFICER["email"], "Cán bộ xã (benchmark)", "province", OFFICER["password"], province=UNIT)
    add_user(url, OVERSEER["email"], "Giám sát web (benchmark)", "overseer", OVERSEER["password"])
    add_user(url, HANOI["email"], "Cán bộ Hà Nội (benchmark)", "province", HANOI["password"], province="ha-noi")
    add_user(url, WRITER["email"], "Người ghi (benchmark)", "admin", WRITER["password"])
    return total, tasks


def _phase(name: str) -> str:
    """Which run a row is of: pages between writes (""), rendered every time, or while the writer writes."""
    return next((phase for phase in (MEMO_OFF, UNDER_WRITES) if name.endswith(phase)), "")


def _p99(samples: list[float]) -> float:
    if len(samples) < 2:
        return samples[0] if samples else 0.0
    return statistics.quantiles(samples, n=100, method="inclusive")[98]


def rows(backend: str, total: int, measured: list[dict], workers: int) -> list[Result]:
    floor = {(m["clients"], _phase(m["name"])): statistics.median(m["latencies_ms"]) for m in measured
             if m["name"].startswith(FLOOR) and m["latencies_ms"]}
    results = []
    for m in measured:
        name, level = m["name"], m["clients"]
        label = f"{name} @ {level}"
        if "error" in m:  # the load generator could not run this cell (e.g. no form to post)
            print(f"  warning: {label}: {m['error']}", flush=True)
            results.append(Result(SUITE, f"{label}: not measured", backend, total, 0, 0, 0, "ms", "", m["error"]))
            continue
        samples = m["latencies_ms"]
        failed = sum(m["failures"].values())
        note = (f"{len(samples)} ok, {failed} failed {m['failures']}, {m['seconds']:.1f} s; "
                f"server: dtrack serve --workers {workers}")
        if not samples:
            results.append(Result(SUITE, f"{label}: latency (no successful request)", backend, total, 0, 0, 0,
                                  "ms", "", note))
            continue
        median, p99 = statistics.median(samples), _p99(samples)
        page = not name.startswith(FLOOR)
        at_top = level == 50 and page and _phase(name) != MEMO_OFF
        # Issue 10's goals for pages between writes; issue 25's for pages while the writer writes.
        goals = ("< 100 ms", "< 500 ms") if _phase(name) == UNDER_WRITES else ("< 50 ms", "< 250 ms")
        results += [
            Result(SUITE, f"{label}: latency", backend, total, median, min(samples), max(samples), "ms",
                   goals[0] if at_top else "", note),
            Result(SUITE, f"{label}: p99", backend, total, p99, p99, p99, "ms", goals[1] if at_top else "", note),
            Result(SUITE, f"{label}: requests/s", backend, total, len(samples) / m["seconds"],
                   len(samples) / m["seconds"], len(samples) / m["seconds"], "req/s", "", note),
        ]
        level_floor = floor.get((level, _phase(name)))
        if page and level_floor:
            ratio = median / level_floor
            results.append(Result(SUITE, f"{label}: median / floor", backend, total, ratio, ratio, ratio, "ratio",
                                  "<= 3" if name == POST and level == 1 else "", note))
        if failed:
            print(f"  warning: {label}: {failed} failed requests {m['failures']}", flush=True)
    return results


def _serve_and_load(ctx: BenchContext, url: str, plan_of, workers: int, env: dict[str, str], log: str,
                    writes: dict[str, float] | None = None) -> list[dict]:
    """Start the server, run the load generator's plan against it; with `writes`, while bench/writer.py
    fires transitions on the same database at a steady rate (what it did is put in `writes`)."""
    server = ServerProcess(url, Path(ctx.workdir) / log, workers=workers,
                           env={"DTRACK_TODAY": AS_OF.isoformat(), **env})
    base = server.start()
    writer = None
    try:
        plan = plan_of(base)
        budget = len(plan["scenarios"]) * len(plan["levels"]) * (plan["max_seconds"] + 5) + 300
        if writes is not None:
            writer = subprocess.Popen([sys.executable, "-m", "bench.writer", url, WRITER["email"],
                                       str(WRITES_PER_SECOND), str(budget), AS_OF.isoformat()],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
            time.sleep(2.0)  # the writer has its tasks and is writing before the first request
        done = subprocess.run([sys.executable, "-m", "bench.loadgen"], input=json.dumps(plan), text=True,
                              stdout=subprocess.PIPE, timeout=budget, cwd=ROOT)
        if done.returncode != 0:
            raise RuntimeError(f"the load generator failed ({done.returncode}); server log:\n{server.log_tail()}")
        return json.loads(done.stdout)
    finally:
        if writer is not None:
            out, _ = writer.communicate(input="", timeout=60)  # its stdin closes: it stops and reports
            if writes is not None and out.strip():
                writes.update(json.loads(out.strip().splitlines()[-1]))
        server.stop()


def commit_floor(url: str, repeat: int = 300) -> list[float]:
    """Milliseconds of one INSERT and its COMMIT on the raw driver connection: what no POST can beat.

    A real table (a temporary one is not written to PostgreSQL's WAL, so its
    commit would not wait for the disk), made and dropped here.
    """
    db = Database(url)
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("CREATE TABLE bench_commit_probe (n INTEGER)")
        raw.commit()

        def insert_and_commit() -> None:
            cursor.execute("INSERT INTO bench_commit_probe VALUES (1)")
            raw.commit()

        samples = [seconds * 1000 for seconds in measure(insert_and_commit, repeat=repeat, warmup=0).samples]
        cursor.execute("DROP TABLE bench_commit_probe")
        raw.commit()
        return samples
    finally:
        raw.close()
        db.dispose()


def engine_transition(url: str, tasks: list[int], repeat: int = 150) -> list[float]:
    """Milliseconds of the POST's own work through the engine in this process: the same progress update by the
    same officer on the same tasks (`Tracker.fire`, one transaction each), without HTTP, session or page."""
    db = Database(url)
    tracker = Tracker(db, Clock(pinned=AS_OF))
    with db.session() as session:  # each update must change the progress (an update saying nothing is refused)
        progress = dict(session.execute(select(Task.id, Task.progress).where(Task.id.in_(tasks))).tuples().all())
    turn = iter(range(10**9))

    def update() -> None:
        task = tasks[next(turn) % len(tasks)]
        progress[task] = 43 if progress[task] != 43 else 44
        tracker.fire(task, "update", OFFICER["email"], progress=progress[task])

    try:
        return [seconds * 1000 for seconds in measure(update, repeat=repeat, warmup=len(tasks)).samples]
    finally:
        db.dispose()


def run(ctx: BenchContext) -> list[Result]:
    url = ctx.big_url()
    total, tasks = _prepare(url)
    if not tasks:
        raise RuntimeError(f"no in-progress task in {UNIT} to update")
    # SQLite: the embedded default (one process); PostgreSQL: the production shape (--workers 2).
    workers = int(os.environ.get("DTRACK_BENCH_WEB_WORKERS", "0")) or (2 if ctx.backend == "postgresql" else 1)
    measured = _serve_and_load(ctx, url, lambda base: _plan(ctx, base, tasks), workers, {}, "web-server.log")
    if ctx.backend == "postgresql":
        rendered = _serve_and_load(ctx, url, lambda base: _pages_only(ctx, base, tasks), workers,
                                   {"DTRACK_PAGE_MEMO": "no"},
                                   "web-server-memo-off.log")
        measured += [dict(m, name=m["name"] + MEMO_OFF) for m in rendered]
    writes: dict[str, float] = {}
    if not ctx.quick or os.environ.get("DTRACK_BENCH_UNDER_WRITES"):  # CI's smoke run stays short
        under = _serve_and_load(ctx, url, lambda base: _pages_only(ctx, base, tasks), workers, {},
                                "web-server-under-writes.log", writes)
        measured += [dict(m, name=m["name"] + UNDER_WRITES) for m in under]
    results = rows(ctx.backend, total, measured, workers)
    if writes:
        results.append(Result(SUITE, "writer during the pages under writes: transitions/s", ctx.backend, total,
                              writes["rate"], writes["rate"], writes["rate"], "ops/s", f"{WRITES_PER_SECOND}/s",
                              f"bench/writer.py: {writes['fired']:.0f} progress updates, {writes['failed']:.0f} "
                              f"refused, worst lag {writes['worst_lag_ms']:.0f} ms, {writes['seconds']:.0f} s"))
    floor = commit_floor(url)
    median = statistics.median(floor)
    results.append(Result(SUITE, COMMIT, ctx.backend, total, median, min(floor), max(floor), "ms", "",
                          f"p99 {_p99(floor):.2f} ms; {len(floor)} commits"))
    post = next((r for r in results if r.name == f"{POST} @ 1: latency"), None)
    if post is not None and median:
        ratio = post.median / median
        results.append(Result(SUITE, f"{POST} @ 1: median / durable commit", ctx.backend, total, ratio, ratio,
                              ratio, "ratio", "", "the POST against the commit it has to wait for"))
    engine = engine_transition(url, tasks, repeat=20 if ctx.quick else 150)
    middle = statistics.median(engine)
    results.append(Result(SUITE, ENGINE, ctx.backend, total, middle, min(engine), max(engine), "ms", "",
                          f"p99 {_p99(engine):.2f} ms; {len(engine)} progress updates through Tracker.fire"))
    if post is not None and middle:
        ratio = post.median / middle
        results.append(Result(SUITE, f"{POST} @ 1: median / engine transition", ctx.backend, total, ratio, ratio,
                              ratio, "ratio", "<= 2", "the whole POST (HTTP, session, CSRF, form, redirect) "
                              "against the same update through the engine in process"))
    return results


def pivot(results: list[dict]) -> str:
    """The web rows of a results file as one Markdown table: a line per page, back-end and level."""
    cells: dict[tuple[str, str, int], dict[str, float]] = {}
    for r in results:
        if r["suite"] != SUITE or " @ " not in r["name"] or ": " not in r["name"]:
            continue
        head, metric = r["name"].rsplit(": ", 1)
        page, level = head.rsplit(" @ ", 1)
        cells.setdefault((r["backend"], page, int(level)), {})[metric] = r["median"]
    lines = ["| backend | page | clients | median ms | p99 ms | req/s | median / floor |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for (backend, page, level), m in cells.items():
        ratio = f"{m['median / floor']:.2f}" if "median / floor" in m else ""
        lines.append(f"| {backend} | {page} | {level} | {m.get('latency', 0):.1f} | {m.get('p99', 0):.1f} |"
                     f" {m.get('requests/s', 0):,.0f} | {ratio} |")
    for r in results:  # the POST's own floor, beside the table
        if r["suite"] == SUITE and (r["name"] in (COMMIT, ENGINE) or r["name"].endswith(
                ("median / durable commit", "median / engine transition"))):
            unit = "" if r["unit"] == "ratio" else " " + r["unit"]
            lines.append(f"\n{r['backend']}: {r['name']}: {r['median']:.2f}{unit}")
    return "\n".join(lines)


if __name__ == "__main__":  # python -m bench.suite_web bench/results.json: the docs' table
    print(pivot(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))["results"]))
