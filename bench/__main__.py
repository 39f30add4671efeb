"""`python -m bench [--quick] [--backend sqlite|postgresql|both] [--only SUITE]`.

Builds one BenchContext per back-end (SQLite files in a scratch folder under
bench/data/; PostgreSQL scratch databases on DTRACK_BENCH_PG_URL, dropped at
the end), runs every suite in `bench.SUITES`, prints one table and writes
bench/results.json with a description of the machine. Timing never fails
anything: the exit status is non-zero only if a suite crashed.

To run a suite again on a season generated before (bench/generate.py, full
size), name its database in DTRACK_BENCH_SEASON_SQLITE or
DTRACK_BENCH_SEASON_POSTGRESQL: it is used instead of generating one, written
to by the suites, and not dropped (bench/scratch.py).
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
import traceback
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

from bench import SEPARATE_IN_FULL, SUITES
from bench.context import BenchContext, Result
from bench.scratch import Scratch, pg_database_url

HERE = Path(__file__).resolve().parent
COLUMNS = ("suite", "measurement", "backend", "rows", "median", "min", "max", "unit", "target")


def _suite_module(name: str) -> str:
    return name if name.startswith("bench.") else f"bench.{name}"


def _short(name: str) -> str:
    return name.removeprefix("bench.").removeprefix("suite_")


def machine(backends: list[str]) -> dict[str, object]:
    """What the figures ran on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    info: dict[str, object] = {
        "cpu": cpu, "cores": os.cpu_count(), "ram_gb": ram, "os": platform.platform(),
        "python": platform.python_version(), "sqlite": sqlite3.sqlite_version, "postgresql": None,
    }
    if "postgresql" in backends:
        engine = create_engine(pg_database_url("postgres"))
        with engine.connect() as conn:
            info["postgresql"] = conn.execute(text("SHOW server_version")).scalar()
        engine.dispose()
    return info


def format_number(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def table(results: list[Result]) -> str:
    """The results as a plain-text (and Markdown-compatible) table."""
    rows = [COLUMNS] + [
        (r.suite, r.name, r.backend, f"{r.rows:,}", format_number(r.median), format_number(r.minimum),
         format_number(r.maximum), r.unit, r.target)
        for r in results
    ]
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(COLUMNS))]
    numeric = {3, 4, 5, 6}
    lines = []
    for n, row in enumerate(rows):
        cells = [str(c).rjust(w) if i in numeric and n else str(c).ljust(w)
                 for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        lines.append("| " + " | ".join(cells) + " |")
        if n == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="Small sizes: the CI smoke run (a minute or two).")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both",
                        help="Which database back-end(s) to measure (default: both).")
    parser.add_argument("--only", metavar="SUITE", action="append",
                        help="Run only this suite (e.g. engine); may be repeated.")
    parser.add_argument("--output", metavar="PATH", default=str(HERE / "results.json"),
                        help="Where to write the JSON results (default: bench/results.json).")
    args = parser.parse_args(argv)

    suites = [s for s in SUITES if not args.only or _short(s) in {_short(o) for o in args.only}]
    if not args.quick and not args.only:
        suites = [s for s in suites if s not in SEPARATE_IN_FULL]
    if args.only and not suites:
        parser.error(f"no suite named {', '.join(args.only)}; suites: {', '.join(_short(s) for s in SUITES)}")
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    (HERE / "data").mkdir(exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="run-", dir=HERE / "data"))
    started = time.perf_counter()
    results: list[Result] = []
    failures: list[str] = []
    try:
        for backend in backends:
            scratch = Scratch(backend, workdir / backend, args.quick)
            scratch.workdir.mkdir()
            ctx = BenchContext(backend, args.quick, str(scratch.workdir), scratch.fresh_url, scratch.big_url,
                               extra={"scratch": scratch})
            try:
                for name in suites:
                    print(f"[{backend}] {_short(name)}", flush=True)
                    suite_start = time.perf_counter()
                    try:
                        found = importlib.import_module(_suite_module(name)).run(ctx)
                    except Exception:  # noqa: BLE001 - report and go on with the other suites
                        traceback.print_exc()
                        failures.append(f"{_short(name)} on {backend}")
                        continue
                    results.extend(found)
                    print(f"  {len(found)} results in {time.perf_counter() - suite_start:.1f} s", flush=True)
            finally:
                scratch.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print()
    print(table(results))
    report = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "seconds": round(time.perf_counter() - started, 1),
        "machine": machine(backends),
        "failures": failures,
        "results": [asdict(r) for r in results],
    }
    output = Path(args.output)
    output.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"\nwrote {output} ({report['seconds']} s)")
    if failures:
        print("suites that crashed: " + ", ".join(failures), file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
