"""What a benchmark suite gets: the back-end, database URLs, timing helpers.

A suite is `run(ctx: BenchContext) -> list[Result]`. Figures are medians over
repeated runs with min and max; timing never decides a test's pass or fail.
"""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Result:
    suite: str
    name: str  # what was measured, e.g. "transitions/s (engine)"
    backend: str  # sqlite | postgresql
    rows: int  # how many tasks/items the run covered
    median: float
    minimum: float
    maximum: float
    unit: str  # "s", "ms", "ops/s", "MB", "ratio"
    target: str = ""  # e.g. "< 0.3 s"; informative only
    note: str = ""


@dataclass
class Timing:
    samples: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def minimum(self) -> float:
        return min(self.samples)

    @property
    def maximum(self) -> float:
        return max(self.samples)


def measure(fn: Callable[[], Any], repeat: int = 5, warmup: int = 1) -> Timing:
    """Run `fn` warmup + repeat times; the samples are wall-clock seconds."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return Timing(samples)


@dataclass
class BenchContext:
    backend: str  # sqlite | postgresql
    quick: bool
    workdir: str  # a scratch folder for SQLite files and outputs
    fresh_url: Callable[[], str]  # a new, initialised database (34 provinces, 340 tasks)
    big_url: Callable[[], str]  # the scale data set (1M tasks; small in --quick), generated once per run
    extra: dict[str, Any] = field(default_factory=dict)
