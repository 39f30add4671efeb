"""`python -m bench.cluster [--seconds 40] [--clients 6] [--no-digest]`: several servers on one PostgreSQL.

What `make bench-cluster` runs (issue 25): a fresh PostgreSQL database, 3
`dtrack serve` processes on their own ports, 2 `dtrack scheduler` processes
(one leads, one waits on the leader lock), and `--clients` threads that log
in and write through a small round-robin client (bench/cluster_client.py)
for a fixed time. In the middle the bench kills -9 one server and the
leading scheduler. Afterwards it checks, on the database:

- every transition a client saw confirmed (303) has its audit event (lost:
  confirmed minus events, per task; an answer cut off by the kill is
  "unknown": its event may or may not exist, and is counted apart);
- reminders are written exactly once (no two for one key, and one more
  sweep finds none missing);
- the day's digests are built exactly once (one per recipient, one more
  build queues none) and all are delivered (the .eml folder), with the
  digest time set so that it falls after the leader's death: the standby
  builds them;
- how long the standby took to lead after the kill.

It ends by printing `lost: N` for transitions and for mails, and writes
bench/results-cluster.json. PostgreSQL only (DTRACK_BENCH_PG_URL, as
bench/scratch.py); the database is dropped at the end.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bench.cluster_client import ClusterClient, Tally
from bench.context import Result
from bench.scratch import Scratch
from bench.webserver import ServerProcess, dtrack_command
from dtrack.config.clock import Clock
from dtrack.persistence.database import Database
from dtrack.persistence.models import Event, Outbox, Province, Reminder, Task, TaskGroup, User
from dtrack.workflow.service import Tracker
from dtrack.workflow.vocabulary import Owner, Role

HERE = Path(__file__).resolve().parent
AS_OF = date(2026, 1, 5)  # Directive 20's 2025-H2 reports are overdue: reminders and digests to write
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SERVERS, SCHEDULERS = 3, 2
INTERVAL = 2.0  # seconds between sweeps; the standby checks the lock every INTERVAL / 2
PASSWORD = "cum-may-chu-Mat-khau-2026"
SECRET = "bench-cluster-shared-secret-0123456789abcdef"  # every server signs the same login forms
TASKS_PER_CLIENT = 4
KILL_BEFORE_DIGEST = 8.0  # seconds between the leader's death and the digest time


def officer(slug: str) -> str:
    return f"khuyencong.{slug}@cluster.example.vn"


def prepare(url: str, clients: int) -> tuple[list[str], list[list[int]]]:
    """Users (an officer per province, two overseers), the load's passwords, and its started tasks."""
    from dtrack.accounts.admin import set_password
    from dtrack.workflow.users import add_user

    db = Database(url)
    now = datetime(2026, 1, 5, 1, tzinfo=UTC)
    with db.session() as session:
        slugs = list(session.scalars(select(Province.slug).where(Province.kind == "province").order_by(Province.id)))
        for slug in slugs:
            add_user(session, email=officer(slug), name=f"Cán bộ {slug}", role=Role.PROVINCE, province=slug, now=now)
        for n in (1, 2):
            add_user(session, email=f"giam.sat.{n}@cluster.example.vn", name=f"Giám sát {n}", role=Role.OVERSEER,
                     province=None, now=now)
    clock = Clock(pinned=AS_OF)
    emails = [officer(slug) for slug in slugs[:clients]]
    tracker, tasks = Tracker(db, clock), []
    for slug, email in zip(slugs, emails, strict=False):
        set_password(db, clock, email, PASSWORD)
        with db.session() as session:
            ids = list(session.scalars(select(Task.id).join(Province).join(TaskGroup).where(
                Province.slug == slug, TaskGroup.owner == Owner.PROVINCE, Task.state == "not_started")
                .order_by(Task.id).limit(TASKS_PER_CLIENT)))
        for task_id in ids:
            tracker.fire(task_id, "start", email)
        tasks.append(ids)
    db.dispose()
    return emails, tasks


class Scheduler:
    """`dtrack scheduler` as a process of its own, its log in a file."""

    def __init__(self, url: str, log: Path, env: dict[str, str]) -> None:
        self.log = log
        argv = [*dtrack_command(), "--db", url, "scheduler", "--interval-seconds", str(INTERVAL),
                "--as-of", AS_OF.isoformat()]
        with open(log, "wb") as out:
            self.process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            env=env, start_new_session=True)

    def leads(self) -> bool:
        return "leader: " in self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)


def _wait(predicate, seconds: float, step: float = 0.05) -> float | None:
    """Seconds until `predicate()` holds, or None after `seconds`."""
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        if predicate():
            return time.perf_counter() - start
        time.sleep(step)
    return None


def digest_minute(load_start: float, seconds: float) -> datetime:
    """The local minute the digest is set to: KILL_BEFORE_DIGEST after the kill, at mid-run."""
    kill_at = datetime.now(TZ) + timedelta(seconds=load_start + seconds / 2 + KILL_BEFORE_DIGEST)
    return kill_at.replace(second=0, microsecond=0) + timedelta(minutes=1)


def check(url: str, emails: list[str], tally: Tally, mail_dir: Path, digest: bool) -> dict[str, int]:
    """What the database shows after the run, against what the clients were told."""
    from dtrack.config.settings import load_settings
    from dtrack.notifications.digest_sending import build_digests
    from dtrack.workflow.reminders import sweep

    db = Database(url)
    with db.session() as session:
        actors = dict(session.execute(select(User.id, User.email).where(User.email.in_(emails))).all())
        events = dict(session.execute(select(Event.task_id, func.count()).where(
            Event.trigger == "update", Event.actor_id.in_(actors)).group_by(Event.task_id)).all())
        reminders = session.scalar(select(func.count()).select_from(Reminder)) or 0
        twice = session.scalar(select(func.count()).select_from(
            select(Reminder.task_id).group_by(Reminder.task_id, Reminder.due_on, Reminder.kind, Reminder.remind_on)
            .having(func.count() > 1).subquery())) or 0
        mails = session.execute(select(Outbox.message_id, Outbox.state, Outbox.attempts).where(
            Outbox.key_date == AS_OF)).all()
    lost = sum(max(0, n - events.get(task, 0)) for task, n in tally.confirmed.items())
    extra = sum(max(0, n - tally.confirmed.get(task, 0)) for task, n in events.items())
    missing_reminders = sweep(db, Clock(pinned=AS_OF)).total  # one more sweep: what the cluster did not write
    # One more build: the digests the cluster did not write (only once their time has come).
    built_again = build_digests(db, Clock(pinned=AS_OF), load_settings(database_url=url)).queued if digest else 0
    files = {p.name.split("--", 1)[-1].removesuffix(".eml").strip("<>") for p in mail_dir.glob("*.eml")}
    # The folder names a file by the Message-ID's part before "@" (notifications.transport.FileConnection).
    delivered = sum(1 for m in mails if m.state == "sent" and m.message_id.strip("<>").split("@")[0] in files)
    db.dispose()
    return {"transitions confirmed": sum(tally.confirmed.values()), "audit events": sum(events.values()),
            "transitions lost": lost, "events beyond confirmed": extra, "answers cut off": tally.unknown,
            "reminders": reminders, "reminders written twice": twice, "reminders missing": missing_reminders,
            "digests built": len(mails), "digests built again": built_again, "digests delivered": delivered,
            "digests sent more than once": sum(1 for m in mails if m.state == "sent" and m.attempts > 1),
            "mails lost": len(mails) - delivered + built_again}


def run(seconds: float, clients: int, digest: bool, workdir: Path) -> dict[str, object]:
    scratch = Scratch("postgresql", workdir, quick=True)
    servers: list[ServerProcess] = []
    schedulers: list[Scheduler] = []
    try:
        url = scratch.fresh_url()
        emails, tasks = prepare(url, clients)
        mail_dir = workdir / "mail"
        env = {**os.environ, "DTRACK_DATABASE_URL": url, "DTRACK_WEB_SECRET": SECRET, "DTRACK_TODAY": AS_OF.isoformat(),
               "DTRACK_MAIL_DIR": str(mail_dir), "PYTHONUNBUFFERED": "1"}
        for n in range(SERVERS):
            servers.append(ServerProcess(url, workdir / f"server-{n}.log", env=env))
        bases = [server.start() for server in servers]
        tally = Tally()
        load = [ClusterClient(bases, tally, email, PASSWORD, ids) for email, ids in zip(emails, tasks, strict=True)]
        for client in load:
            client.login()
        # The digest falls after the kill, whole minutes only: the schedulers start once its time is set.
        start_in = 4.0
        at = digest_minute(start_in, seconds) if digest else (datetime.now(TZ) + timedelta(hours=12))
        if digest:
            wait = (at - datetime.now(TZ)).total_seconds() - KILL_BEFORE_DIGEST - seconds / 2 - start_in
            time.sleep(max(0.0, wait))
        env["DTRACK_DIGEST_TIME"] = at.strftime("%H:%M")
        schedulers = [Scheduler(url, workdir / f"scheduler-{n}.log", env) for n in range(SCHEDULERS)]
        if _wait(lambda: any(s.leads() for s in schedulers), 30) is None:
            raise RuntimeError("no scheduler took the lead within 30 s")
        leader = next(s for s in schedulers if s.leads())
        standby = next(s for s in schedulers if s is not leader)
        time.sleep(max(0.0, start_in - 1.0))
        stop = threading.Event()
        threads = [threading.Thread(target=client.work, args=(stop,)) for client in load]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        time.sleep(seconds / 2)
        assert servers[0].process is not None
        os.killpg(servers[0].process.pid, signal.SIGKILL)
        os.killpg(leader.process.pid, signal.SIGKILL)
        killed_at = time.perf_counter() - started
        took_over = _wait(standby.leads, 60, 0.01)
        time.sleep(max(0.0, seconds - (time.perf_counter() - started)))
        stop.set()
        for thread in threads:
            thread.join(60)
        ran = time.perf_counter() - started
        if digest:  # the standby builds and sends the day's digests at the digest time
            _wait(lambda: len(list(mail_dir.glob("*.eml"))) > 0 and datetime.now(TZ) > at + timedelta(seconds=8),
                  max(10.0, (at - datetime.now(TZ)).total_seconds() + 30), 0.5)
        for server in servers:
            server.stop()
        standby.stop()
        found = check(url, emails, tally, mail_dir, digest)
    finally:
        for server in servers:
            server.stop()
        for scheduler in schedulers:
            scheduler.stop(signal.SIGKILL)
        scratch.close()
    return {"seconds": round(ran, 1), "killed at": round(killed_at, 1), "servers": SERVERS, "clients": clients,
            "requests answered": tally.answered, "requests failed": tally.failed, "failures": dict(tally.failures),
            "retried on another server": tally.retried, "POST median ms": tally.median_ms(),
            "standby leads after s": None if took_over is None else round(took_over, 2),
            "digest time": at.strftime("%H:%M") if digest else None, **found}


def results(summary: dict[str, object]) -> list[Result]:
    rows = summary.get("transitions confirmed", 0)

    def row(name: str, value: object, unit: str, target: str = "") -> Result:
        number = float(value) if isinstance(value, int | float) else float("nan")
        return Result("cluster", name, "postgresql", int(rows) if isinstance(rows, int) else 0, number, number,
                      number, unit, target, f"{SERVERS} servers, {SCHEDULERS} schedulers, one killed -9 each")

    return [row("cluster: requests answered", summary["requests answered"], "count"),
            row("cluster: transitions lost", summary["transitions lost"], "count", "0"),
            row("cluster: mails lost", summary["mails lost"], "count", "0"),
            row("cluster: reminders written twice", summary["reminders written twice"], "count", "0"),
            row("cluster: standby scheduler leads after", summary["standby leads after s"] or -1, "s")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cluster", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=40.0, help="How long the load runs (default 40).")
    parser.add_argument("--clients", type=int, default=6, help="Writing clients, one province each (default 6).")
    parser.add_argument("--no-digest", action="store_true", help="Do not wait for a digest time (short runs).")
    parser.add_argument("--output", default=str(HERE / "results-cluster.json"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cluster-", dir=HERE / "data" if (HERE / "data").is_dir() else None) as d:
        summary = run(args.seconds, args.clients, not args.no_digest, Path(d))
    for name, value in summary.items():
        print(f"{name:>32}: {value}")
    Path(args.output).write_text(json.dumps({
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"), "summary": summary,
        "results": [asdict(r) for r in results(summary)]}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"lost: {summary['transitions lost']} transitions")
    print(f"lost: {summary['mails lost']} mails")
    return 0 if summary["transitions lost"] == 0 and summary["mails lost"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
