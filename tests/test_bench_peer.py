"""The peer benchmark's SpiffWorkflow model does dtrack's job: same moves allowed, same outcome (issue 25).

The peer runs in its own environment, bench/peer/.venv (`make bench` builds
it; SpiffWorkflow is never one of dtrack's dependencies). Without it this
whole file skips: CI and `make test` never need the peer. With it, the BPMN
model (bench/peer/task.bpmn) is held to dtrack's lifecycle, and the worker,
driven through its line protocol, leaves both back-ends' databases in the
state the engine leaves them. Never timings.
"""
from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from bench.suite_engine import CYCLE, OVERSEER, plan
from bench.suite_peer import PEER_PYTHON, Peer, PeerError, same_outcome, side_by_side
from dtrack.persistence.database import Database
from dtrack.workflow.lifecycle import DEFAULT
from dtrack.workflow.vocabulary import State, Trigger
from tests.conftest import _database_copy

pytestmark = pytest.mark.skipif(not PEER_PYTHON.exists(),
                                reason="no bench/peer/.venv: the peer's own environment (`make bench` builds it)")

PEER = Path(__file__).resolve().parent.parent / "bench" / "peer"
# What the model covers: the lifecycle without block/unblock (the planned transitions never block).
MODELLED = [t for t in Trigger if t not in (Trigger.BLOCK, Trigger.UNBLOCK)]
STATES = [s for s in State if s is not State.BLOCKED]

# Asked of the peer's interpreter: every (state, action) the model accepts, where it leads, and
# the planned cycle walked through real workflows serialized and read back after each step.
PROBE = """
import json, sys
import spiff_worker as w
states, actions, cycle = json.loads(sys.stdin.read())
model = w.Model()
answers = {}
for state in states:
    for action in actions:
        workflow = model.new()
        for step in {"not_started": [], "in_progress": ["start"], "submitted": ["start", "submit"],
                     "returned": ["start", "submit", "send_back"],
                     "completed": ["start", "submit", "accept"]}[state]:
            model.fire(workflow, w.waiting_in(workflow), step, {})
        try:
            answers[f"{state} {action}"] = model.fire(model.loads(model.dumps(workflow)), state, action, {})
        except w.Refused:
            answers[f"{state} {action}"] = None
walked, workflow, state = [], model.new(), "not_started"
for action in ["start", *cycle * 3]:
    workflow = model.loads(model.dumps(workflow))
    state = model.fire(workflow, state, action, {"progress": 10, "note": None})
    walked.append(state)
print(json.dumps({"answers": answers, "walked": walked}))
"""


def probe() -> dict:
    done = subprocess.run([str(PEER_PYTHON), "-c", PROBE], cwd=PEER, check=True, capture_output=True, text=True,
                          input=json.dumps([[s.value for s in STATES], [t.value for t in MODELLED],
                                            [t.value for t in CYCLE]]))
    return json.loads(done.stdout)


def test_the_model_allows_exactly_the_lifecycle_moves_and_walks_the_planned_cycle():
    found = probe()
    for state in STATES:
        for trigger in MODELLED:
            allowed = trigger.value in DEFAULT.triggers_from(state.value)
            expected = DEFAULT.destination(state.value, trigger.value) if allowed else None
            assert found["answers"][f"{state.value} {trigger.value}"] == expected, (state, trigger)
    # Refused: accepting work never submitted, submitting before starting, reopening open work.
    assert found["answers"]["in_progress accept"] is None
    assert found["answers"]["not_started submit"] is None
    assert found["answers"]["returned reopen"] is None
    state, expected = State.NOT_STARTED.value, []
    for trigger in [Trigger.START, *CYCLE * 3]:
        state = DEFAULT.destination(state, trigger.value)
        expected.append(state)
    assert found["walked"] == expected


# Any sequence of actions, walked by the model (a refused one leaves the workflow where it was).
WALK = """
import json, sys
import spiff_worker as w
model = w.Model()
workflow, state, found = model.new(), "not_started", []
for action in json.loads(sys.stdin.read()):
    try:
        state = model.fire(workflow, state, action, {})
        found.append(state)
    except w.Refused:
        found.append(None)
    workflow = model.loads(model.dumps(workflow))
print(json.dumps(found))
"""


@settings(max_examples=12, deadline=None)
@given(st.lists(st.sampled_from(MODELLED), max_size=40))
def test_any_sequence_of_actions_meets_the_same_answers_as_the_lifecycle(actions):
    done = subprocess.run([str(PEER_PYTHON), "-c", WALK], cwd=PEER, check=True, capture_output=True, text=True,
                          input=json.dumps([a.value for a in actions]))
    state, expected = State.NOT_STARTED.value, []
    for action in actions:
        if action.value in DEFAULT.triggers_from(state):
            state = DEFAULT.destination(state, action.value)
            expected.append(state)
        else:
            expected.append(None)
    assert json.loads(done.stdout) == expected


@pytest.fixture
def peer_url(backend, tmp_path, request) -> str:
    """A second initialised database, the peer's, beside `db_url` (the engine's)."""
    (tmp_path / "peer").mkdir()
    return _database_copy("initialised", backend, tmp_path / "peer", request)


def test_the_peer_leaves_the_database_as_the_engine_does(db_url, peer_url):
    steps = plan(db_url, 61)
    plan(peer_url, 1)
    engine_s, peer_s = side_by_side(db_url, peer_url, steps)
    assert len(engine_s) == len(peer_s) == 10
    tasks, events = same_outcome(db_url, peer_url)
    db = Database(peer_url)
    with db.transaction() as conn:
        assert (tasks, events) == (conn.execute(text("SELECT count(*) FROM tasks")).scalar_one(), 61)
        audit = conn.execute(text("SELECT trigger, from_state, to_state FROM events ORDER BY id")).all()
        versions = conn.execute(text("SELECT sum(version) FROM peer_workflows")).scalar_one()
    db.dispose()
    assert [tuple(a) for a in audit] == [(s.trigger.value, s.from_state, s.to_state) for s in steps]
    assert versions == tasks + 61  # each transition one version-checked write


def test_the_peer_refuses_a_move_the_lifecycle_refuses(db_url):
    steps = plan(db_url, 1)
    # The overseer may accept, but not a task never started: the model has no such route.
    wrong = replace(steps[0], trigger=Trigger.ACCEPT, actor=OVERSEER, to_state=State.COMPLETED.value)
    with Peer(db_url, [wrong]) as peer, pytest.raises(PeerError, match="accept not allowed in not_started"):
        peer.run(0, 1)
    db = Database(db_url)
    with db.transaction() as conn:
        assert conn.execute(text("SELECT count(*) FROM events")).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM peer_workflows WHERE version > 1")).scalar_one() == 0
    db.dispose()
