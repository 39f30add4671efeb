"""One benchmark phase in its own process, so its memory peak is its own.

`python -m bench.phase PHASE URL` runs PHASE on the database at URL as of
the data set's day and prints JSON: seconds, the process's peak RSS
(`VmHWM` from /proc/self/status: it starts afresh at exec, unlike
getrusage's ru_maxrss, which keeps the parent's size across fork) and what
the phase found. Phase `baseline` imports what the others import and opens
a connection, nothing more: the other phases report their growth over it. Every phase first loads
what does not depend on the data (`_warm_up`), the baseline included.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import date

from bench.generate import AS_OF

PHASES = ("baseline", "sweep", "digests", "rollup")


def peak_rss_mb() -> float:
    """This process's own high-water resident size (VmHWM), in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    raise RuntimeError("no VmHWM in /proc/self/status")


def run_phase(phase: str, url: str, as_of: date = AS_OF) -> dict[str, object]:
    from sqlalchemy import text

    from dtrack.config.clock import Clock
    from dtrack.config.settings import load_settings
    from dtrack.notifications.digest_sending import build_digests
    from dtrack.persistence.database import Database
    from dtrack.workflow.reminders import sweep

    db = Database(url)
    clock = Clock(pinned=as_of)
    with db.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    _warm_up(as_of)
    found: dict[str, object] = {}
    start = time.perf_counter()
    if phase == "sweep":
        result = sweep(db, clock)
        found = {"reminders": result.total, "scanned": result.scanned, "cancelled": result.cancelled,
                 "periods_opened": result.periods_opened, "checkpoints": result.checkpoints}
    elif phase == "digests":
        settings = load_settings(environ={"DTRACK_MAIL_RETRY_SECONDS": "0", "DTRACK_DIGEST_WEEKDAY": "sunday"})
        report = build_digests(db, clock, settings)
        found = {"queued": report.queued, "nothing": report.nothing, "reminders_consumed": report.reminders_consumed}
    elif phase == "rollup":
        from bench.rollup import full_pass

        db.dispose()
        found = {k: v for k, v in full_pass(url).items() if k in ("tasks", "matrix_cells")}
    elif phase != "baseline":
        raise SystemExit(f"unknown phase {phase!r}; phases: {', '.join(PHASES)}")
    seconds = time.perf_counter() - start
    db.dispose()
    return {"phase": phase, "seconds": seconds, "peak_rss_mb": peak_rss_mb(), **found}


def _warm_up(as_of: date) -> None:
    """Load what every phase loads whatever the data: the holiday calendar, the digest templates.

    Their size does not grow with the data set, so the baseline includes them
    and a phase's growth is what its data costs.
    """
    from dtrack.templates.environment import environment
    from dtrack.workflow.deadlines import STATUTORY

    STATUTORY.is_working_day(as_of)
    for name in ("email/digest.txt.j2", "email/digest.html.j2"):
        environment().get_template(name)


def in_child(phase: str, url: str) -> dict:
    """Run `phase` in a new interpreter and return its JSON report."""
    child = subprocess.run([sys.executable, "-m", "bench.phase", phase, url], stdout=subprocess.PIPE, text=True)
    if child.returncode:
        raise RuntimeError(f"bench.phase {phase} exited with {child.returncode}")
    return json.loads(child.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    print(json.dumps(run_phase(sys.argv[1], sys.argv[2])))
