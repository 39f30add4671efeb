"""The engine against the reference implementation (tests/workflow/oracle.py), over random action sequences.

Two tasks of the same group in two provinces start alike; each step is done
on one by `Tracker.fire` and on the other by the oracle, by the same kind
of actor (its own province's officer, the other province's, a disabled
officer, an overseer, an admin) with the same inputs. Both must answer the
same (the same outcome, or the same error with the same code and field)
and leave the same rows.
"""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update

from dtrack.errors import DtrackError, TransitionNotAllowed
from dtrack.persistence.models import Event, Task, User
from dtrack.workflow.service import Tracker
from dtrack.workflow.tasks import find_task
from tests.workflow import oracle

TRIGGERS = [*oracle.TRIGGERS, "send-back", "launch"]
KINDS = ["own", "other", "disabled", "overseer", "admin"]
# Inputs weighted (a value listed thrice is drawn thrice as often): mostly acceptable, now and then a mistake.
NOTES = st.sampled_from(["Thiếu phụ lục", "Thiếu phụ lục", "Thiếu phụ lục", None, "  ", "x" * 4001])
EVIDENCE = st.sampled_from([None, None, None, " Công văn 45/SCT-KC ", "a\x00b"])
PROGRESS = st.sampled_from([None, None, None, 0, 55, "70%", "abc", 101])
VERSIONS = st.sampled_from([None, None, None, "current", "stale"])


def _step(data, state: str) -> tuple:
    """One step: three times in four an action the state allows, by an actor who may (so every state is
    reached); else any trigger, by anyone."""
    if data.draw(st.integers(0, 3)):
        trigger = data.draw(st.sampled_from([t for t in oracle.TRIGGERS if (state, t) in oracle.MOVES]))
        may = ["overseer", "admin"] if trigger in oracle.OVERSEERS_ONLY else ["own", "admin"]
        kind = data.draw(st.sampled_from(may))
    else:
        trigger, kind = data.draw(st.sampled_from(TRIGGERS)), data.draw(st.sampled_from(KINDS))
    return trigger, kind, data.draw(NOTES), data.draw(EVIDENCE), data.draw(PROGRESS), data.draw(VERSIONS)


@pytest.fixture
def sides(world):
    """Per side (the engine's, the oracle's): its task key and its actors by kind; the tasks reset per example."""
    overseer, admin = world.user("overseer", None), world.user("admin", None)
    officers = {slug: world.user("province", slug) for slug in ("ha-noi", "hue")}
    disabled = {slug: world.user("province", slug) for slug in ("ha-noi", "hue")}
    with world.db.session() as session:
        session.execute(update(User).where(User.email.in_(disabled.values()))
                        .values(disabled_at=datetime(2025, 1, 1, tzinfo=UTC)))
    built = {}
    for slug, other in (("ha-noi", "hue"), ("hue", "ha-noi")):
        built[slug] = (f"20/CT-BCT:2:{slug}", {"own": officers[slug], "other": officers[other],
                                                "disabled": disabled[slug], "overseer": overseer, "admin": admin})
    return built


def _reset(db, keys) -> None:
    with db.session() as session:
        ids = [find_task(session, key)[0].id for key in keys]
        session.execute(delete(Event).where(Event.task_id.in_(ids)))
        session.execute(update(Task).where(Task.id.in_(ids)).values(
            state="not_started", progress=0, version=1, submitted_at=None, completed_at=None))


def _answer(fire, *args, **kwargs) -> tuple:
    """What a side answered: the outcome without ids and keys, or the error's kind, code, field and choices."""
    try:
        outcome = fire(*args, **kwargs)
    except DtrackError as exc:
        allowed = exc.allowed if isinstance(exc, TransitionNotAllowed) else None
        return ("refused", type(exc).__name__, exc.error_code, exc.field, allowed)
    shaped = outcome if isinstance(outcome, dict) else outcome.to_json()
    return ("done", {k: v for k, v in shaped.items() if k not in ("task_id", "task_key", "event_id")})


def _trail(db, key: str, kinds: dict[str, str]) -> tuple:
    with db.session() as session:
        task = find_task(session, key)[0]
        emails = dict(session.execute(select(User.id, User.email)).all())
        who = {email: kind for kind, email in kinds.items()}
        return ((task.state, task.progress, task.version, task.submitted_at, task.completed_at, task.updated_at),
                [(who[emails[e.actor_id]], e.trigger, e.from_state, e.to_state, e.progress, e.note, e.evidence, e.at)
                 for e in task.events])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_engine_does_what_the_oracle_does(world, sides, data):
    tracker = Tracker(world.db, world.clock)
    run = {"ha-noi": tracker.fire, "hue": lambda *args, **kw: oracle.fire(world.db, world.clock, *args, **kw)}
    _reset(world.db, [key for key, _ in sides.values()])
    for _ in range(data.draw(st.integers(1, 25))):
        with world.db.session() as session:
            state = find_task(session, sides["ha-noi"][0])[0].state
        trigger, kind, note, evidence, progress, version = _step(data, state)
        answers = []
        for slug, (key, actors) in sides.items():
            with world.db.session() as session:
                seen = find_task(session, key)[0].version
            expected = {None: None, "current": seen, "stale": seen - 1 if seen > 1 else 99}[version]
            answers.append(_answer(run[slug], key, trigger, actors[kind], note=note, evidence=evidence,
                                   progress=progress, expected_version=expected))
        assert answers[0] == answers[1], (trigger, kind, note, evidence, progress, version)
    (key_a, kinds_a), (key_b, kinds_b) = sides.values()
    assert _trail(world.db, key_a, kinds_a) == _trail(world.db, key_b, kinds_b)
