"""A transition reads its task and its user in one statement (issue 12), with the same results and errors.

`Tracker.fire` runs on plain Core rows: one read, the two writes, and
`cancel_stale` only for a task with pending reminders; it writes what the
reference implementation (tests/workflow/oracle.py) writes.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dtrack.errors import (
    InvalidInput,
    PermissionDenied,
    TransitionNotAllowed,
    UnknownProvince,
    UnknownTask,
    UnknownUser,
)
from dtrack.persistence.models import Reminder, Task
from dtrack.workflow.reminders import sweep
from dtrack.workflow.service import Tracker
from dtrack.workflow.tasks import find_task, read_for_transition
from tests.conftest import recorded_statements
from tests.workflow import oracle


def _executed(db, action) -> list[str]:
    """Every statement `action` sends to the database, in order."""
    with recorded_statements(db) as sent:
        action()
    return [statement.sql for statement in sent]


def _selects(db, action) -> list[str]:
    return [s for s in _executed(db, action) if s.lstrip().upper().startswith("SELECT")]


def test_a_transition_by_key_reads_once(world, db):
    officer = world.user("province", "ha-noi")
    selects = _selects(db, lambda: world.fire("20/CT-BCT:1:ha-noi", "start", officer))
    assert len(selects) == 1


def test_a_transition_by_id_reads_once_too(world, db):
    # The web and the API post a task's id: they take the same one-query path as a key.
    officer = world.user("province", "ha-noi")
    with db.session() as session:
        task_id = find_task(session, "20/CT-BCT:1:ha-noi")[0].id
    statements = _statements(db, lambda: world.fire(str(task_id), "start", officer))
    # PostgreSQL writes the UPDATE and the audit INSERT as one statement (workflow.one_statement).
    writes = ["WITH WRITTEN AS"] if db.dialect == "postgresql" else ["UPDATE TASKS SET", "INSERT INTO EVENTS"]
    assert statements == ["SELECT TASKS.ID, TASKS.STATE,", *writes]


def test_one_query_finds_task_and_user_or_nothing(world, db):
    officer = world.user("province", "ha-noi")
    with db.session() as session:
        task_id = find_task(session, "20/CT-BCT:1:ha-noi")[0].id
    with db.transaction() as connection:
        row = read_for_transition(connection, " 20/CT-BCT:1:ha-noi ", officer.upper())
        assert (row.id, row.code, row.ordinal, row.slug, row.actor_role) == (
            task_id, "20/CT-BCT", 1, "ha-noi", "province")
        assert read_for_transition(connection, task_id, officer).id == task_id  # the id as an int, as the web has it
        assert read_for_transition(connection, str(task_id), officer).id == task_id
        assert read_for_transition(connection, "20/CT-BCT:1:ha-noi", "nobody@example.vn") is None
        assert read_for_transition(connection, "20/CT-BCT:1:atlantis", officer) is None  # names are looked up after
        assert read_for_transition(connection, 10**9, officer) is None
        assert read_for_transition(connection, 10**30, officer) is None  # never reaches a query: it would overflow
    with pytest.raises(UnknownTask):
        world.fire(10**30, "start", officer)


def test_the_slow_path_still_names_what_is_missing(world, db):
    officer = world.user("province", "ha-noi")
    with pytest.raises(UnknownUser):
        world.fire("20/CT-BCT:1:ha-noi", "start", "nobody@example.vn")
    with pytest.raises(UnknownProvince):
        world.fire("20/CT-BCT:1:atlantis", "start", officer)
    with pytest.raises(UnknownTask):
        world.fire("20/CT-BCT:99:ha-noi", "start", officer)
    with db.session() as session:
        task_id = find_task(session, "20/CT-BCT:1:ha-noi")[0].id
    outcome = world.fire(str(task_id), "start", officer)  # by id: the usual two lookups
    assert (outcome.task_key, outcome.to_state) == ("20/CT-BCT:1:ha-noi", "in_progress")


def _statements(db, action) -> list[str]:
    """The first three words of each statement: what it does, to which table."""
    return [" ".join(s.split()[:3]).upper() for s in _executed(db, action)]


def test_a_transition_without_pending_reminders_is_one_read_and_two_writes(world, db):
    officer = world.user("province", "ha-noi")
    statements = _statements(db, lambda: world.fire("20/CT-BCT:1:ha-noi", "start", officer))
    # PostgreSQL writes the UPDATE and the audit INSERT as one statement (workflow.one_statement).
    writes = ["WITH WRITTEN AS"] if db.dialect == "postgresql" else ["UPDATE TASKS SET", "INSERT INTO EVENTS"]
    assert statements == ["SELECT TASKS.ID, TASKS.STATE,", *writes]


def test_pending_reminders_of_the_old_state_are_still_cancelled(world, db):
    officer = world.user("province", "ha-noi")
    sweep(db, world.clock)  # the 2025-H2 report is overdue on 5 Jan 2026: reminders pending
    key = "20/CT-BCT:9:ha-noi:2025-H2"
    def cancels(action) -> bool:  # PostgreSQL: the cancellation is a CTE of the one write (workflow.one_statement)
        last = " ".join(_executed(db, action)[-1].split()).upper()
        return last.startswith("UPDATE REMINDERS SET") or (last.startswith("WITH") and "UPDATE REMINDERS SET" in last)

    assert cancels(lambda: world.fire(key, "start", officer))  # the state changed and reminders are pending
    assert not cancels(lambda: world.fire(key, "update", officer, progress=20))
    world.fire(key, "submit", officer)
    with db.session() as s:
        pending = s.scalar(select(func.count()).select_from(Reminder).join(Task).where(
            Task.period == "2025-H2", Task.province_id == find_task(s, key)[0].province_id,
            Reminder.cancelled_at.is_(None), Reminder.consumed_at.is_(None)))
    assert pending == 0


def _trail(db, key: str) -> tuple:
    with db.session() as s:
        task = find_task(s, key)[0]
        row = (task.state, task.progress, task.version, task.submitted_at, task.completed_at, task.updated_at)
        return row, [(e.trigger, e.from_state, e.to_state, e.progress, e.note, e.evidence, e.at) for e in task.events]


def test_the_engine_writes_what_the_oracle_writes(world, db):
    """`fire` on plain rows and the ORM reference implementation: same outcomes, same rows."""
    overseer = world.user("overseer", None)
    steps = [("start", "officer", {}), ("update", "officer", {"progress": "40%"}),
             ("submit", "officer", {"evidence": " Công văn 45/SCT-KC "}),
             ("send-back", "overseer", {"note": "Thiếu phụ lục"}), ("update", "officer", {"progress": 70}),
             ("submit", "officer", {}), ("accept", "overseer", {}), ("reopen", "overseer", {"note": "Bổ sung"}),
             ("block", "officer", {"note": "Chờ kinh phí"}), ("unblock", "officer", {"expected_version": 10})]
    fire = {"ha-noi": lambda *args, **kw: Tracker(db, world.clock).fire(*args, **kw).to_json(),
            "hue": lambda *args, **kw: oracle.fire(db, world.clock, *args, **kw)}
    outcomes = {}
    for slug in ("ha-noi", "hue"):
        officer = world.user("province", slug)
        key = f"20/CT-BCT:2:{slug}"
        outcomes[slug] = [fire[slug](key, trigger, officer if who == "officer" else overseer, **kw)
                          for trigger, who, kw in steps]
    for engine, reference in zip(outcomes["ha-noi"], outcomes["hue"], strict=True):
        assert {k: v for k, v in engine.items() if k not in ("task_id", "task_key", "event_id")} == \
               {k: v for k, v in reference.items() if k not in ("task_id", "task_key", "event_id")}
    assert _trail(db, "20/CT-BCT:2:ha-noi") == _trail(db, "20/CT-BCT:2:hue")


def test_a_refusal_writes_nothing_and_says_why(world, db):
    officer, other = world.user("province", "ha-noi"), world.user("province", "hue")
    with pytest.raises(UnknownTask, match="20/CT-BCT:1:ha-noi"):  # another province's: as a missing one
        world.fire("20/CT-BCT:1:ha-noi", "start", other)
    with pytest.raises(PermissionDenied) as denied:
        world.fire("20/CT-BCT:1:ha-noi", "accept", officer)
    assert (denied.value.action, denied.value.reason.code) == ("accept", "overseers_only")
    with pytest.raises(TransitionNotAllowed):
        world.fire("20/CT-BCT:1:ha-noi", "submit", officer)
    with pytest.raises(InvalidInput, match="needs_note"):
        world.fire("20/CT-BCT:1:ha-noi", "block", officer, note="  ")
    assert _trail(db, "20/CT-BCT:1:ha-noi")[1] == []
