"""`python -m bench.levers [-n N] [--backend ...]`: the engine against its same-job floor, quickly.

For measuring one change before and after (docs/performance.md, "Levers"):
the same rotating engine / same-job floor / writes-only chunks as the
engine suite, on fresh scratch databases, printing the medians and ratios.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from bench.scratch import Scratch
from bench.suite_engine import CHUNKS, _timed, engine_writer, plan, side_by_side
from dtrack.persistence.database import Database
from dtrack.workflow.lifecycle import Lifecycle

# Each lever, undone: how the engine ran before it (for an A/B in one process).
UNDO = {
    "pre-ping": lambda db: setattr(db.engine.pool, "_pre_ping", True),
    # The (state, trigger) -> destination table instead of firing the shared machine.
    "move-table": lambda db: setattr(Lifecycle, "moves", property(lambda self: None)),
}
# What UNDO changes, as it is, restored before every chunk.
_KEPT = ((Lifecycle, "moves"),)


def ab(backend: str, lever: str, n: int) -> None:
    """The engine without `lever` (A) and with it (B), alternating chunk by chunk on identical databases."""
    with tempfile.TemporaryDirectory() as folder:
        scratch = Scratch(backend, Path(folder), quick=True)
        try:
            urls = (scratch.fresh_url(), scratch.fresh_url())
            steps = plan(urls[0], n)
            plan(urls[1], 1)
            dbs = [Database(url) for url in urls]
            kept = [(owner, name, getattr(owner, name)) for owner, name in _KEPT]
            fns = [engine_writer(db) for db in dbs]
            size = max(1, (n - 1) // CHUNKS)
            samples: list[list[float]] = [[], []]
            chunks = [steps[k:k + size] for k in range(0, n, size)]
            for i, chunk in enumerate(chunks):  # the first chunk warms both up
                for side in (0, 1):
                    for owner, name, value in kept:
                        setattr(owner, name, value)
                    dbs[side].engine.pool._pre_ping = False
                    if side == 0:
                        UNDO[lever](dbs[0])
                    seconds = _timed(chunk, fns[side])
                    if i > 0:
                        samples[side].append(seconds)
            for owner, name, value in kept:
                setattr(owner, name, value)
            for db in dbs:
                db.dispose()
        finally:
            scratch.close()
    gain = sorted(a / b for a, b in zip(*samples, strict=True))
    print(f"{backend} {lever}: without {1 / statistics.median(samples[0]):,.0f}/s, with "
          f"{1 / statistics.median(samples[1]):,.0f}/s; with / without {statistics.median(gain):.3f} "
          f"({gain[0]:.3f}-{gain[-1]:.3f})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.levers")
    parser.add_argument("-n", type=int, default=3000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--ab", choices=sorted(UNDO), help="engine without and with this lever, alternating")
    args = parser.parse_args()
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        if args.ab:
            ab(backend, args.ab, args.n)
            continue
        with tempfile.TemporaryDirectory() as folder:
            scratch = Scratch(backend, Path(folder), quick=True)
            try:
                urls = (scratch.fresh_url(), scratch.fresh_url(), scratch.fresh_url())
                steps = plan(urls[0], args.n)
                for url in urls[1:]:
                    plan(url, 1)
                engine_s, same_s, raw_s = side_by_side(urls, steps)
            finally:
                scratch.close()
        rate = lambda xs: 1 / statistics.median(xs)  # noqa: E731
        same = sorted(c / e for e, c in zip(engine_s, same_s, strict=True))
        raw = sorted(r / e for e, r in zip(engine_s, raw_s, strict=True))
        print(f"{backend}: engine {rate(engine_s):,.0f}/s, same-job floor {rate(same_s):,.0f}/s, writes only "
              f"{rate(raw_s):,.0f}/s; engine/floor {statistics.median(same):.3f} ({same[0]:.3f}-{same[-1]:.3f}), "
              f"engine/raw {statistics.median(raw):.3f} ({raw[0]:.3f}-{raw[-1]:.3f})", flush=True)


if __name__ == "__main__":
    main()
