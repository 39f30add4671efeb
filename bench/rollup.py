"""A full pass over every task, run as its own process so its peak RSS can be measured.

`python -m bench.rollup URL` builds the status matrix (reading.status) of
every directive, then streams all tasks through the timeliness rules
(workflow.timeliness.classify) and counts them per region, state and
deadline status. It prints JSON: tasks seen, seconds, the counts.
"""
from __future__ import annotations

import json
import sys
import time
from collections import Counter
from datetime import date

from sqlalchemy import select

from dtrack.config.clock import Clock
from dtrack.config.today import Today
from dtrack.persistence.database import Database
from dtrack.persistence.models import Directive, Province, Task
from dtrack.reading.status import status_matrix
from dtrack.workflow.timeliness import classify

AS_OF = date(2026, 1, 5)
BATCH = 10_000


def full_pass(url: str) -> dict[str, object]:
    db = Database(url)
    today = Today.of(Clock(pinned=AS_OF))
    start = time.perf_counter()
    cells = 0
    counts: Counter = Counter()
    with db.session() as session:
        for code in session.scalars(select(Directive.code).order_by(Directive.code)).all():
            matrix = status_matrix(session, code, today)
            cells += len(matrix.cells)
            for region in matrix.regions():
                matrix.state_counts(region)
            del matrix
            session.expunge_all()  # keep one directive's matrix in memory at a time
        rows = session.execute(
            select(Province.region, Task.state, Task.due_on, Task.submitted_at, Task.completed_at)
            .join(Task.province)
            .execution_options(yield_per=BATCH)
        )
        tasks = 0
        for region, state, due_on, submitted_at, completed_at in rows:
            status = classify(state, due_on, today, submitted_at=submitted_at, completed_at=completed_at)
            counts[(region, state, status.status.value)] += 1
            tasks += 1
    db.dispose()
    return {
        "peak_rss_mb": _peak_rss_mb(),
        "tasks": tasks,
        "matrix_cells": cells,
        "seconds": time.perf_counter() - start,
        "counts": {"/".join(key): n for key, n in sorted(counts.items())},
    }


def _peak_rss_mb() -> float:
    """This process's own high-water RSS (VmHWM).

    Not getrusage's ru_maxrss: on Linux that keeps the RSS of the parent
    between fork and exec, so a large bench process would be counted as the
    child's (seen: 773 MB reported for a pass that peaks near 120 MB).
    """
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    raise RuntimeError("no VmHWM in /proc/self/status")


if __name__ == "__main__":
    print(json.dumps(full_pass(sys.argv[1])))
