"""`python -m bench.levers [-n N] [--backend ...]`: the engine against both floors, N transitions, quickly.

For measuring one change before and after (docs/performance.md, "Levers"):
the same alternating engine / Core floor / DB-API floor chunks as the
engine suite, on fresh scratch databases, printing the medians and ratios.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from bench.scratch import Scratch
from bench.suite_engine import plan, side_by_side


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.levers")
    parser.add_argument("-n", type=int, default=3000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        with tempfile.TemporaryDirectory() as folder:
            scratch = Scratch(backend, Path(folder), quick=True)
            try:
                urls = (scratch.fresh_url(), scratch.fresh_url(), scratch.fresh_url())
                steps = plan(urls[0], args.n)
                for url in urls[1:]:
                    plan(url, 1)
                engine_s, core_s, raw_s = side_by_side(urls, steps)
            finally:
                scratch.close()
        rate = lambda xs: 1 / statistics.median(xs)  # noqa: E731
        core = sorted(c / e for e, c in zip(engine_s, core_s))
        raw = sorted(r / e for e, r in zip(engine_s, raw_s))
        print(f"{backend}: engine {rate(engine_s):,.0f}/s, Core floor {rate(core_s):,.0f}/s, raw {rate(raw_s):,.0f}/s; "
              f"engine/Core {statistics.median(core):.3f} ({core[0]:.3f}-{core[-1]:.3f}), "
              f"engine/raw {statistics.median(raw):.3f} ({raw[0]:.3f}-{raw[-1]:.3f})", flush=True)


if __name__ == "__main__":
    main()
