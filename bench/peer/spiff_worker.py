"""The peer: SpiffWorkflow doing the job of dtrack's engine, transition by transition (issue 25).

Run by the peer's own interpreter (bench/peer/.venv, `make bench` installs it;
SpiffWorkflow is never one of dtrack's dependencies), as a child process of
bench/suite_peer.py, so that it can be interleaved with the engine chunk by
chunk in rotating order. It imports nothing from dtrack.

    spiff_worker.py DATABASE_URL STEPS.json

One BPMN workflow instance per dtrack task (bench/peer/task.bpmn: a user task
per lifecycle state, an exclusive gateway on the action taken), kept in its
own table `peer_workflows(task_id, state, version, data)` in the database it
is given, serialized after each step with `BpmnWorkflowSerializer` (the
library's default JSON, as its documentation describes). Per transition, the
same job as the engine, in ONE transaction on a pooled connection:

1. one statement reading the workflow row by the task's key with the actor by
   e-mail (as the engine's read and the same-job floor's);
2. the checks: actor active; a judging action (send back, accept, reopen) by
   an overseer, any other by the task's own province or an overseer; four eyes
   on accept (the last submitter may not accept);
3. deserialize; the move allowed: the READY user task is the state read and
   the gateway after it has a route for the action; complete it with the
   action, progress and note in its data and run the engine steps;
4. serialize; version-checked UPDATE of the row; INSERT into dtrack's `events`
   audit table; commit.

Line protocol on stdin/stdout, one line each way: the worker prints
`ready <tasks>` once its workflows are in place; `run I J` runs steps[I:J]
and answers `ok <seconds>`; `quit` ends. A refused or failed step answers
`error <message>` and the worker exits.
"""
from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.bpmn.serializer import DEFAULT_CONFIG, BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine

MODEL = Path(__file__).with_name("task.bpmn")
PROCESS = "dtrack_task"
JUDGING = {"send_back", "accept", "reopen"}  # fired by an overseer (workflow.actions: Who.OVERSEER)
JUDGES = {"overseer", "admin"}
_ROUTE = re.compile(r'action\s*==\s*"(\w+)"')


class Refused(Exception):
    """A move the model, the actor's rights or the row's version refuses."""


class Model:
    """The parsed BPMN process, its serializer, and the routes each user task's gateway offers."""

    def __init__(self, path: Path = MODEL) -> None:
        parser = BpmnParser()
        parser.add_bpmn_file(str(path))
        self.spec = parser.get_spec(PROCESS)
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(DEFAULT_CONFIG))
        # state -> {action: next state}, read from the model itself (conditions on the gateways).
        self.routes: dict[str, dict[str, str]] = {}
        for name, spec in self.spec.task_specs.items():
            if getattr(spec, "manual", False):
                gateway = spec.outputs[0]
                self.routes[name] = {_action(cond.args[0]): dest for cond, dest in gateway.cond_task_specs}

    def new(self) -> BpmnWorkflow:
        """A workflow for a task just assigned: waiting at its first user task (not started)."""
        workflow = BpmnWorkflow(self.spec)
        workflow.do_engine_steps()
        return workflow

    def dumps(self, workflow: BpmnWorkflow) -> str:
        return str(self.serializer.serialize_json(workflow))

    def loads(self, data: str) -> BpmnWorkflow:
        return self.serializer.deserialize_json(data)

    def fire(self, workflow: BpmnWorkflow, state: str, action: str, data: dict[str, Any]) -> str:
        """Complete the ready user task `state` with `action`; the state the workflow then waits in."""
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        if len(ready) != 1 or ready[0].task_spec.name != state:
            raise Refused(f"not waiting in {state}: {[t.task_spec.name for t in ready]}")
        if action not in self.routes.get(state, {}):
            raise Refused(f"{action} not allowed in {state}")
        task = ready[0]
        task.data.update(data, action=action)
        task.run()
        workflow.do_engine_steps()
        return waiting_in(workflow)


def waiting_in(workflow: BpmnWorkflow) -> str:
    """The name of the one user task the workflow waits on (its lifecycle state)."""
    ready = workflow.get_tasks(state=TaskState.READY, manual=True)
    if len(ready) != 1:
        raise Refused(f"{len(ready)} ready user tasks")
    return str(ready[0].task_spec.name)


def _action(condition: str) -> str:
    found = _ROUTE.search(condition)
    if found is None:
        raise ValueError(f"a route without an action: {condition!r}")
    return found.group(1)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """The engine's own SQLite settings (dtrack/persistence/database.py), so both write alike."""
    cursor = dbapi_connection.cursor()
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=10000", "synchronous=NORMAL"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def connect(url: str) -> Engine:
    options: dict[str, Any] = {}
    if url.startswith("postgresql"):
        options["use_native_hstore"] = False  # as dtrack's engine: no type look-up on connect
    engine = create_engine(url, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def install(engine: Engine, model: Model) -> int:
    """Create `peer_workflows` and one workflow per dtrack task, waiting in the task's state."""
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS peer_workflows"))
        conn.execute(text("CREATE TABLE peer_workflows (task_id INTEGER PRIMARY KEY REFERENCES tasks(id), "
                          "state VARCHAR(32) NOT NULL, version INTEGER NOT NULL, data TEXT NOT NULL)"))
        tasks = conn.execute(text("SELECT id, state FROM tasks ORDER BY id")).all()
        fresh = model.dumps(model.new())
        rows = []
        for task_id, state in tasks:
            if state != "not_started":
                raise Refused(f"task {task_id} is {state}: the peer starts from assigned tasks")
            rows.append({"task_id": task_id, "state": state, "version": 1, "data": fresh})
        if rows:
            conn.execute(text("INSERT INTO peer_workflows (task_id, state, version, data) "
                              "VALUES (:task_id, :state, :version, :data)"), rows)
    return len(tasks)


class Writer:
    """One transition per call, in its own transaction: the job described in the module's docstring."""

    READ = text(
        "SELECT w.task_id, w.state, w.version, w.data, t.province_id, u.id AS actor_id, u.role, "
        "u.province_id AS actor_province_id, u.disabled_at "
        "FROM peer_workflows w JOIN tasks t ON t.id = w.task_id JOIN task_groups g ON g.id = t.group_id "
        "JOIN directives d ON d.id = g.directive_id JOIN provinces p ON p.id = t.province_id "
        "JOIN users u ON u.email = :email "
        "WHERE d.code = :code AND g.ordinal = :ordinal AND p.slug = :slug AND t.period = :period")
    LAST_SUBMITTER = text("SELECT actor_id FROM events WHERE task_id = :tid AND trigger = 'submit' "
                          "ORDER BY id DESC LIMIT 1")
    WRITE = text("UPDATE peer_workflows SET state = :state, version = version + 1, data = :data "
                 "WHERE task_id = :tid AND version = :version")
    AUDIT = text("INSERT INTO events (task_id, actor_id, trigger, from_state, to_state, progress, note, evidence, at) "
                 "VALUES (:task_id, :actor_id, :trigger, :from_state, :to_state, :progress, :note, NULL, :at)")

    def __init__(self, engine: Engine, model: Model) -> None:
        self.engine = engine
        self.model = model
        now = datetime(2026, 1, 5, 1, tzinfo=UTC)  # the engine suite's pinned clock
        self.at: object = "2026-01-05 01:00:00.000000" if engine.dialect.name == "sqlite" else now

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def __call__(self, step: dict[str, Any]) -> None:
        code, ordinal, slug, *period = step["key"].split(":")
        action = step["trigger"]
        with self.transaction() as conn:
            row = conn.execute(self.READ, {"email": step["actor"], "code": code, "ordinal": int(ordinal),
                                           "slug": slug, "period": period[0] if period else ""}).one()
            if row.disabled_at is not None:
                raise Refused("actor disabled")
            judge = row.role in JUDGES
            if action in JUDGING and not judge:
                raise Refused("not an overseer")
            if action not in JUDGING and not (judge or row.actor_province_id == row.province_id):
                raise Refused("not the task's own")
            if action == "accept" and conn.execute(self.LAST_SUBMITTER, {"tid": row.task_id}).scalar() \
                    == row.actor_id:
                raise Refused("four eyes")
            workflow = self.model.loads(row.data)
            data = {"progress": step["progress"], "note": step["note"], "actor": step["actor"]}
            state = self.model.fire(workflow, row.state, action, data)
            done = conn.execute(self.WRITE, {"state": state, "data": self.model.dumps(workflow),
                                             "tid": row.task_id, "version": row.version})
            if done.rowcount != 1:
                raise Refused("lost the race")
            conn.execute(self.AUDIT, {"task_id": row.task_id, "actor_id": row.actor_id, "trigger": action,
                                      "from_state": row.state, "to_state": state, "progress": step["progress"] or 0,
                                      "note": step["note"], "at": self.at})


def serve(url: str, steps: list[dict[str, Any]], lines: Iterator[str], say: Callable[[str], None]) -> None:
    """The line protocol: `ready N`, then `run I J` -> `ok SECONDS` until `quit`."""
    model = Model()
    engine = connect(url)
    writer = Writer(engine, model)
    say(f"ready {install(engine, model)}")
    try:
        for line in lines:
            command, *args = line.split()
            if command == "quit":
                break
            if command != "run":
                say(f"error unknown command {command}")
                return
            first, last = int(args[0]), int(args[1])
            start = time.perf_counter()
            try:
                for step in steps[first:last]:
                    writer(step)
            except Exception as exc:  # noqa: BLE001 - the parent reports it
                say(f"error {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
                return
            say(f"ok {time.perf_counter() - start:.9f}")
    finally:
        engine.dispose()


def main(argv: list[str]) -> int:
    url, steps_file = argv[1], argv[2]
    steps = json.loads(Path(steps_file).read_text(encoding="utf-8"))

    def say(message: str) -> None:
        sys.stdout.write(message + "\n")
        sys.stdout.flush()

    serve(url, steps, (line for line in sys.stdin), say)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
