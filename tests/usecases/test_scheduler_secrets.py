"""The scheduler's job store (apscheduler_jobs) holds no connection details or secrets, running or stopped."""
from __future__ import annotations

import pickle

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.usecases.test_scheduler import Scheduler

SECRET = "Job-Store-Pa55word"


def stored_jobs(url: str) -> dict[str, bytes]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, job_state FROM apscheduler_jobs"))
            return {row.id: bytes(row.job_state) for row in rows}
    finally:
        engine.dispose()


def assert_no_secret(jobs: dict[str, bytes], url: str) -> None:
    parsed = make_url(url)
    # What must not be there: the URL in any spelling, its password, host and database (or SQLite file).
    needles = {url, parsed.render_as_string(hide_password=True), str(parsed.database)}
    if parsed.password:
        needles.add(parsed.password)
    if parsed.host:
        needles.add(f"{parsed.host}:{parsed.port or 5432}")
    assert sorted(jobs) == ["daily-digest", "reminder-sweep"]
    for job_id, state in jobs.items():
        job = pickle.loads(state)
        assert job["args"] == () and job["kwargs"] == {}, job_id  # a job carries nothing at all
        assert job["func"] in ("dtrack.usecases.scheduler:sweep_job", "dtrack.usecases.scheduler:digest_job")
        for needle in needles:
            assert needle.encode() not in state, (job_id, needle)


def store_jobs_the_old_way(db_url: str, url: str) -> None:
    """What an earlier version left behind: the jobs with the database URL (and its password) as arguments."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    engine = create_engine(db_url)
    old = BackgroundScheduler(jobstores={"default": SQLAlchemyJobStore(engine=engine)})
    old.start(paused=True)
    # (Today's job functions take no arguments, so APScheduler would refuse them with these: a stand-in.)
    for job_id in ("daily-digest", "reminder-sweep"):
        old.add_job("builtins:print", "interval", hours=1, id=job_id, args=[url, None])
    old.shutdown(wait=False)
    engine.dispose()


def test_job_store_keeps_no_url_or_password(db_url):
    url = db_url
    if make_url(db_url).get_backend_name() == "postgresql":
        # The test server trusts local connections: a password in the URL is accepted and ignored.
        url = make_url(db_url).set(password=SECRET).render_as_string(hide_password=False)
    store_jobs_the_old_way(db_url, url)
    assert any(url.encode() in state for state in stored_jobs(db_url).values())  # the check below can fail
    scheduler = Scheduler(url, "2026-01-05")
    try:
        scheduler.wait_for("sweep as of 2026-01-05", times=2)
        assert_no_secret(stored_jobs(db_url), url)  # while it runs
    finally:
        assert scheduler.stop() == 0
    assert_no_secret(stored_jobs(db_url), url)  # and after it stopped
