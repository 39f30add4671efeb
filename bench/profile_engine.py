"""Where a transition's time goes: `python -m bench.profile_engine [--backend B] [-n N]`.

Fires N planned transitions through `Tracker.fire` under cProfile on a
scratch database and prints the SQL statements per transition, the rate
and the functions with the most cumulative time. docs/performance.md
summarises its output.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import event

from bench.scratch import Scratch
from bench.suite_engine import plan
from dtrack.config.clock import Clock
from dtrack.persistence.database import Database
from dtrack.workflow.service import Tracker


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_engine", description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite", help="Which back-end.")
    parser.add_argument("-n", type=int, default=2000, help="How many transitions (default 2000).")
    parser.add_argument("--top", type=int, default=30, help="How many functions to list.")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="profile-"))
    scratch = Scratch(args.backend, workdir, quick=True)
    try:
        url = scratch.fresh_url()
        steps = plan(url, args.n)
        db = Database(url)
        tracker = Tracker(db, Clock(pinned=date(2026, 1, 5)))
        statements = [0]
        event.listen(db.engine, "before_cursor_execute", lambda *_: statements.__setitem__(0, statements[0] + 1))
        tracker.fire(steps[0].key, steps[0].trigger, steps[0].actor)  # warm up: connect, build the machine
        statements[0] = 0
        profile = cProfile.Profile()
        start = time.perf_counter()
        profile.enable()
        for s in steps[1:]:
            tracker.fire(s.key, s.trigger, s.actor, note=s.note, progress=s.progress)
        profile.disable()
        seconds = time.perf_counter() - start
        fired = len(steps) - 1
        print(f"{fired} transitions on {args.backend}: {fired / seconds:.0f}/s under the profiler, "
              f"{statements[0] / fired:.1f} SQL statements each (plus BEGIN/COMMIT)")
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)
        db.dispose()
    finally:
        scratch.close()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
