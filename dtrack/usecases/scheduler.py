"""`dtrack scheduler`: the long-running process that sweeps reminders and sends the daily digest.

APScheduler 3 runs a few fixed jobs with explicit ids (`replace_existing`),
never one job per task: the reminder sweep at an interval and the daily
digest at a local time. Its job store is the same database (table
`apscheduler_jobs`), with `coalesce=True`, `max_instances=1` and
`misfire_grace_time=None`, so runs missed while the process was down are
caught up once at start (APScheduler's default grace of 1 s would drop
them). The sweep works from the tasks' state, so downtime only delays.

APScheduler 3 does not support two schedulers sharing a job store, so the
process first takes the database's leader lock (`Database.leader_lock`: a
PostgreSQL advisory lock or a file lock beside SQLite, both released when
the process dies). A second process waits on standby and takes over within
one interval of the leader's death.

The job store keeps no secret: the jobs name module-level functions and
carry no arguments at all (APScheduler pickles a job's arguments into the
table, where a database URL would leave its password behind). So a job
takes the database, the settings and `--as-of` that `run` was given from
this process's configuration (`configure`); only a process nobody
configured reads its environment, once. Starting
replaces the stored jobs, so rows an older version wrote with arguments are
overwritten.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from dtrack.accounts.housekeeping import purge_account_rows
from dtrack.config.clock import Clock
from dtrack.config.settings import Settings, load_settings
from dtrack.persistence.database import Database
from dtrack.workflow.reminders import ReminderPolicy, sweep

log = logging.getLogger("dtrack.scheduler")

SWEEP_JOB = "reminder-sweep"
DIGEST_JOB = "daily-digest"


@dataclass
class _Process:
    """What the jobs of this process work on; kept in memory only, never in the job store."""

    db: Database | None = None
    settings: Settings | None = None
    as_of: date | None = None


# The only way to a job's context: APScheduler calls the jobs by name, without arguments.
_PROCESS = _Process()


def configure(db: Database | None, settings: Settings | None = None, as_of: date | None = None) -> None:
    """The database, settings and pinned day the scheduled jobs of this process use (None: from the environment)."""
    _PROCESS.db, _PROCESS.settings, _PROCESS.as_of = db, settings, as_of


def _job_context() -> tuple[Database, Clock, Settings]:
    if _PROCESS.settings is None:  # not configured by `run`: this process's environment, read once
        _PROCESS.settings = load_settings(database_url=_PROCESS.db.url if _PROCESS.db is not None else None)
    settings = _PROCESS.settings
    if _PROCESS.db is None:
        _PROCESS.db = Database(settings.database_url)
    return _PROCESS.db, Clock(settings.timezone, _PROCESS.as_of or settings.today), settings


def sweep_job() -> None:
    """The scheduled reminder sweep (referenced by name from the job store)."""
    db, clock, settings = _job_context()
    result = sweep(db, clock, ReminderPolicy.from_settings(settings))
    log.info(result.line())
    if result.checkpoints:  # deadlines moved: the dashboard's kept months no longer hold (issue 26)
        keep_dashboard(db, clock)


def digest_job() -> None:
    """The scheduled daily step: reminders, then the day's digests, then delivery."""
    from dtrack.notifications.digest_sending import daily_run

    db, clock, settings = _job_context()
    # Sweep first so the digests carry the reminders that fell due today.
    log.info(sweep(db, clock, ReminderPolicy.from_settings(settings)).line())
    # Then the urge letters to prepare (never sent here: an overseer approves), so the digest lists them.
    log.info(prepare_letters(db, clock, settings).line())
    built, sent = daily_run(db, clock, settings)
    log.info("daily digest %s: %d queued, %d already built, %d with nothing to say, %d reminders consumed; "
             "delivery: %d sent, %d to retry, %d failed", built.day.strftime("%d/%m/%Y"), built.queued, built.already,
             built.nothing, built.reminders_consumed, sent.sent, sent.retrying, sent.failed)
    # Once a day is enough: spent session and link rows only take space.
    log.info(purge_account_rows(db, clock, settings).line())
    keep_dashboard(db, clock)


def keep_dashboard(db: Database, clock: Clock) -> None:
    """Work out the dashboard's closed months not kept yet, so that no page has to (`reading.dashboard`)."""
    from dtrack.config.today import Today
    from dtrack.reading.dashboard import keep_trend

    with db.session() as session:
        log.info("dashboard: %d months worked out and kept", keep_trend(session, Today.of(clock)))


def prepare_letters(db: Database, clock: Clock, settings: Settings):
    """The daily escalation step: one pending urge letter per province past its directive's threshold."""
    from dtrack.config.today import Today
    from dtrack.documents.escalation import prepare_escalations

    with db.session() as session:
        return prepare_escalations(session, Today.of(clock, settings.due_soon_days), clock.now())


def _start_jobs(db: Database, settings: Settings, interval_seconds: float):
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=db.engine)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        timezone=ZoneInfo(settings.timezone),
    )
    scheduler.start(paused=True)
    now = datetime.now(UTC)
    # Keep a stored digest's next run: if it passed while we were down, it runs once now.
    stored = scheduler.get_job(DIGEST_JOB)
    at = settings.digest_time
    scheduler.add_job("dtrack.usecases.scheduler:digest_job", "cron", hour=at.hour, minute=at.minute, id=DIGEST_JOB,
                      replace_existing=True,
                      **({"next_run_time": stored.next_run_time} if stored and stored.next_run_time else {}))
    # The sweep runs at once on start (catching up whatever fell due while down), then every interval.
    scheduler.add_job("dtrack.usecases.scheduler:sweep_job", "interval", seconds=interval_seconds, id=SWEEP_JOB,
                      replace_existing=True, next_run_time=now)
    scheduler.resume()
    return scheduler


def run(db: Database, settings: Settings, stop: threading.Event, *, as_of: date | None = None,
        interval_seconds: float | None = None) -> None:
    """Run until `stop` is set: wait for the leader lock, then run the jobs while holding it."""
    interval = interval_seconds or settings.sweep_interval_minutes * 60
    poll = max(0.2, min(interval / 2, 5.0))
    configure(db, settings, as_of)
    lock = db.leader_lock("scheduler")
    standby_said = False
    while not stop.is_set():
        if not lock.acquire():
            if not standby_said:
                log.info("standby: another scheduler holds the leader lock; checking every %.1f s", poll)
                standby_said = True
            stop.wait(poll)
            continue
        standby_said = False
        log.info("leader: sweeping every %g s, daily digest at %s %s", interval,
                 settings.digest_time.strftime("%H:%M"), settings.timezone)
        scheduler = _start_jobs(db, settings, interval)
        try:
            while not stop.wait(poll):
                if not lock.alive():
                    log.warning("lost the leader lock; stopping the jobs")
                    break
        finally:
            scheduler.shutdown(wait=True)
            lock.release()
    log.info("scheduler stopped")


__all__ = ["DIGEST_JOB", "SWEEP_JOB", "configure", "digest_job", "run", "sweep_job"]
