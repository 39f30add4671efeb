"""What issue 13 added, measured: evidence upload/download, the JSON API at scale, bulk accept.

- A 10 MB evidence file uploaded and downloaded through the web application
  (in-process ASGI client: multipart parsing, the content check, hashing,
  the write with fsync, the row and its audit event), MB/s, on a fresh database.
- `GET /api/v1/tasks` on the scale data set (about 1M tasks): the first page
  (100 tasks) for an overseer token and one province's listing; median and p99.
- Bulk accept of 500 submitted tasks (`accept_submissions`, one transaction
  each) against 500 others accepted one by one through `Tracker.fire`: the
  time and the per-task cost of each way (the bulk path should cost no more).
  It changes 1,000 of the scale set's tasks, so this suite runs after the others.
"""
from __future__ import annotations

import os
import statistics
import time

from sqlalchemy import select

from bench.context import BenchContext, Result
from dtrack.config.clock import Clock
from dtrack.config.settings import load_settings
from dtrack.persistence.database import Database
from dtrack.persistence.models import Task, User
from dtrack.workflow.vocabulary import Role, State

SUITE = "collaboration"
MB = 1_000_000


def _p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def _uploads(ctx: BenchContext) -> list[Result]:
    from starlette.testclient import TestClient

    from dtrack.accounts.admin import set_password
    from dtrack.web.app import build_app
    from dtrack.workflow.users import add_user

    url = ctx.fresh_url()
    db = Database(url)
    settings = load_settings({}, database_url=url, evidence_dir=os.path.join(ctx.workdir, f"evidence-{ctx.backend}"),
                             evidence_max_mb="20")
    clock = Clock()
    email, password = "can.bo@soct.hanoi.example.vn", "Mật-khẩu-đo-tốc-độ-2026"
    with db.session() as session:
        add_user(session, email=email, name="Cán bộ đo", role="province", province="ha-noi", now=clock.now())
    set_password(db, clock, email, password)
    client = TestClient(build_app(db, settings, clock), follow_redirects=False)
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    with db.session() as session:
        task_id = session.scalar(select(Task.id).join(Task.province).where(Task.state == State.NOT_STARTED.value)
                                 .order_by(Task.id).limit(1))
    csrf = client.get(f"/tasks/{task_id}").text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    repeat = 3 if ctx.quick else 5
    up, down = [], []
    for i in range(repeat):
        content = b"%PDF-1.7\n" + os.urandom(10 * MB - 9)  # each one new: no de-duplication shortcut
        started = time.perf_counter()
        answer = client.post(f"/tasks/{task_id}/files", data={"csrf_token": csrf},
                             files={"file": (f"Hồ sơ {i}.pdf", content, "application/pdf")})
        up.append(time.perf_counter() - started)
        assert answer.status_code == 303, answer.text[:300]
        file_id = client.get(f"/tasks/{task_id}").text.split('data-file="')[-1].split('"', 1)[0]
        started = time.perf_counter()
        got = client.get(f"/tasks/{task_id}/files/{file_id}")
        down.append(time.perf_counter() - started)
        assert got.content == content
    db.dispose()
    mbps = [10 / s for s in up], [10 / s for s in down]
    return [Result(SUITE, f"evidence upload, 10 MB ({what})", ctx.backend, repeat, statistics.median(v), min(v),
                   max(v), "MB/s", "", "through the web app in-process: multipart, content check, SHA-256, fsync")
            for what, v in (("web", mbps[0]),)] + [
        Result(SUITE, "evidence download, 10 MB (web)", ctx.backend, repeat, statistics.median(mbps[1]),
               min(mbps[1]), max(mbps[1]), "MB/s", "")]


def _api(ctx: BenchContext, url: str, db: Database) -> list[Result]:
    from starlette.testclient import TestClient

    from dtrack.accounts.api_tokens import create_token
    from dtrack.web.app import build_app

    settings = load_settings({}, database_url=url)
    clock = Clock()
    with db.session() as session:
        overseer = session.scalar(select(User.id).where(User.role == Role.OVERSEER.value).order_by(User.id).limit(1))
        officer, province = session.execute(select(User.id, User.province_id).where(User.role == Role.PROVINCE.value)
                                            .order_by(User.id).limit(1)).one()
        rows = session.scalar(select(Task.id).order_by(Task.id.desc()).limit(1)) or 0
    client = TestClient(build_app(db, settings, clock))
    results = []
    count = 15 if ctx.quick else 60
    for who, user_id, query in (("overseer, first page of 100", overseer, "?limit=100"),
                                ("province token, its own listing", officer, "?limit=100")):
        token = create_token(db, clock, user_id, "bench", 30).token
        headers = {"Authorization": f"Bearer {token}"}
        client.get("/api/v1/tasks" + query, headers=headers)  # warm
        samples = []
        for _ in range(count):
            started = time.perf_counter()
            answer = client.get("/api/v1/tasks" + query, headers=headers)
            samples.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200, answer.text[:200]
        total = answer.json()["total"]
        results.append(Result(SUITE, f"API GET /api/v1/tasks ({who})", ctx.backend, rows, statistics.median(samples),
                              min(samples), max(samples), "ms", "", f"p99 {_p99(samples):.1f} ms over {count}; "
                              f"{total:,} tasks match"))
    return results


def _bulk(ctx: BenchContext, db: Database) -> list[Result]:
    from dtrack.workflow.bulk import accept_submissions
    from dtrack.workflow.service import Tracker

    n = 50 if ctx.quick else 500
    clock = Clock()
    with db.session() as session:
        overseer = session.scalars(
            select(User).where(User.role == Role.OVERSEER.value).order_by(User.id).limit(1)).one()
        session.expunge(overseer)
        submitted = [str(i) for i in session.scalars(select(Task.id).where(Task.state == State.SUBMITTED.value)
                                                     .order_by(Task.id).limit(2 * n))]
    if len(submitted) < 2 * n:
        return [Result(SUITE, "bulk accept", ctx.backend, len(submitted), 0, 0, 0, "s", "",
                       f"skipped: only {len(submitted)} submitted tasks in the data set")]
    started = time.perf_counter()
    done = accept_submissions(db, clock, overseer, submitted[:n])
    bulk = time.perf_counter() - started
    tracker = Tracker(db, clock)
    started = time.perf_counter()
    for ref in submitted[n:]:
        tracker.fire(ref, "accept", overseer.email)
    single = time.perf_counter() - started
    return [Result(SUITE, f"bulk accept of {n} submissions (one transaction each)", ctx.backend, n, bulk, bulk, bulk,
                   "s", "", f"{len(done.done)} accepted, {len(done.refused)} refused; "
                   f"{1000 * bulk / n:.1f} ms per task vs {1000 * single / n:.1f} ms one by one "
                   f"(ratio {bulk / single:.2f})")]


def run(ctx: BenchContext) -> list[Result]:
    results = _uploads(ctx)
    url = ctx.big_url()
    db = Database(url)
    try:
        results += _api(ctx, url, db)
        results += _bulk(ctx, db)
    finally:
        db.dispose()
    return results
