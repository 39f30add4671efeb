"""A peer side by side (issue 25): dtrack's engine against SpiffWorkflow doing the same job.

The peer (bench/peer/spiff_worker.py) runs in its own interpreter,
bench/peer/.venv, which `make bench` builds: SpiffWorkflow is never one of
dtrack's dependencies, and neither CI nor `make test` needs it. On each
back-end both get identical fresh databases (Directive 20's tasks) and the
same planned transitions (`suite_engine.plan`); the engine fires them through
`Tracker.fire` in this process, the peer in its child process, chunk by chunk
in an order that rotates each chunk, so neither always runs after the other
and both share the machine's background load. The ratio is per chunk.

Per transition the peer reads its workflow row by the task's key with the
actor, checks the actor's rights and four eyes, deserializes the BPMN
workflow, checks the move against the ready user task and its gateway,
completes it, serializes, writes the row under its version, inserts the
audit event and commits: the engine's job, the library's way.
"""
from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from types import TracebackType

from sqlalchemy import text

from bench.context import BenchContext, Result, Timing
from bench.suite_engine import Step, engine_writer, plan
from dtrack.persistence.database import Database

SUITE = "peer"
FULL_N = 2_000  # DTRACK_BENCH_PEER_N overrides; about 12 s of the engine and a minute of the peer per back-end
CHUNKS = 10
HERE = Path(__file__).resolve().parent
PEER_PYTHON = HERE / "peer" / ".venv" / "bin" / "python"
WORKER = HERE / "peer" / "spiff_worker.py"
RATIO = "dtrack / SpiffWorkflow"


class PeerError(RuntimeError):
    """The peer refused a planned step or stopped answering."""


class Peer:
    """The SpiffWorkflow worker as a child process, driven by its line protocol (see its docstring)."""

    def __init__(self, url: str, steps: list[Step], python: Path = PEER_PYTHON) -> None:
        with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8", delete=False) as handle:
            json.dump([{**asdict(s), "trigger": s.trigger.value} for s in steps], handle)
        self._steps_path = Path(handle.name)
        self._process = subprocess.Popen([str(python), str(WORKER), url, str(self._steps_path)],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.tasks = int(self._answer("ready"))

    def _answer(self, expected: str) -> str:
        assert self._process.stdout is not None
        line = self._process.stdout.readline().strip()
        word, _, rest = line.partition(" ")
        if word != expected:
            raise PeerError(line or f"the peer ended (exit {self._process.wait()})")
        return rest

    def run(self, first: int, last: int) -> float:
        """Seconds the peer took for steps[first:last], timed inside it (the pipe is not in the figure)."""
        assert self._process.stdin is not None
        self._process.stdin.write(f"run {first} {last}\n")
        self._process.stdin.flush()
        return float(self._answer("ok"))

    def close(self) -> None:
        if self._process.stdin is not None:
            try:
                self._process.stdin.write("quit\n")
                self._process.stdin.close()
            except BrokenPipeError:  # it stopped on a refused step: nothing to tell it
                pass
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._steps_path.unlink(missing_ok=True)

    def __enter__(self) -> Peer:
        return self

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()


def side_by_side(engine_url: str, peer_url: str, steps: list[Step]) -> tuple[list[float], list[float]]:
    """Seconds per step of each chunk for the engine and the peer, in rotating order; step 0 warms both up."""
    db = Database(engine_url)
    fire = engine_writer(db)
    engine_s: list[float] = []
    peer_s: list[float] = []
    with Peer(peer_url, steps) as peer:
        fire(steps[0])
        peer.run(0, 1)
        size = max(1, (len(steps) - 1) // CHUNKS)
        for n, first in enumerate(range(1, len(steps) - size + 1, size)):
            chunk = steps[first:first + size]

            def engine_chunk(chunk: list[Step] = chunk) -> float:
                start = time.perf_counter()
                for s in chunk:
                    fire(s)
                return time.perf_counter() - start

            def peer_chunk(first: int = first) -> float:
                return peer.run(first, first + size)

            if n % 2 == 0:
                engine_s.append(engine_chunk() / size)
                peer_s.append(peer_chunk() / size)
            else:
                peer_s.append(peer_chunk() / size)
                engine_s.append(engine_chunk() / size)
    db.dispose()
    return engine_s, peer_s


def same_outcome(engine_url: str, peer_url: str) -> tuple[int, int]:
    """Both sides ended with every task in the same state and wrote the same number of audit events."""
    engine_db, peer_db = Database(engine_url), Database(peer_url)
    with engine_db.transaction() as conn:
        states = dict(conn.execute(text("SELECT id, state FROM tasks")).all())
        engine_events = conn.execute(text("SELECT count(*) FROM events")).scalar_one()
    with peer_db.transaction() as conn:
        peer_states = dict(conn.execute(text("SELECT task_id, state FROM peer_workflows")).all())
        peer_events = conn.execute(text("SELECT count(*) FROM events")).scalar_one()
    engine_db.dispose()
    peer_db.dispose()
    if states != peer_states or engine_events != peer_events:
        differ = sum(1 for k in states if states[k] != peer_states.get(k))
        raise PeerError(f"different outcomes: {differ} task states, events {engine_events} vs {peer_events}")
    return len(states), int(engine_events)


def skipped(ctx: BenchContext, why: str) -> list[Result]:
    return [Result(SUITE, RATIO, ctx.backend, 0, 0, 0, 0, "ratio", ">= 3", f"skipped: {why}")]


def run(ctx: BenchContext) -> list[Result]:
    if ctx.quick:
        return skipped(ctx, "not in --quick (the peer's environment is `make bench`'s)")
    if not PEER_PYTHON.exists():
        return skipped(ctx, f"no {PEER_PYTHON.relative_to(HERE.parent)} (`make bench` builds it)")
    n = int(os.environ.get("DTRACK_BENCH_PEER_N", FULL_N))
    engine_url, peer_url = ctx.fresh_url(), ctx.fresh_url()
    steps = plan(engine_url, n)
    plan(peer_url, 1)  # the same users on the peer's database
    engine_s, peer_s = side_by_side(engine_url, peer_url, steps)
    tasks, events = same_outcome(engine_url, peer_url)
    n = events  # the transitions both ran: the warm-up step and CHUNKS chunks of equal size
    work = f"{n:,} transitions over Directive 20's {tasks} tasks"

    def rate(name: str, per_step: list[float], note: str) -> Result:
        timing = Timing(sorted(1 / s for s in per_step))
        return Result(SUITE, name, ctx.backend, n, timing.median, timing.minimum, timing.maximum, "ops/s", "",
                      note)

    ratio = Timing(sorted(p / e for e, p in zip(engine_s, peer_s, strict=True)))
    return [
        rate("transitions/s, engine (Tracker.fire)", engine_s, f"{work}, one transaction each"),
        rate("transitions/s, SpiffWorkflow (BPMN user tasks)", peer_s,
             f"{work}: read row + actor, checks, deserialize, complete the user task, serialize, "
             "version-checked UPDATE, audit INSERT, commit; its own venv and process"),
        Result(SUITE, RATIO, ctx.backend, n, ratio.median, ratio.minimum, ratio.maximum, "ratio", ">= 3",
               f"engine speed / peer speed per chunk of N/{CHUNKS}, rotating order; {work}; "
               "both sides end with the same states and audit events"),
    ]
