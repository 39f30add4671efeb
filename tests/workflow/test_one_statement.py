"""A transition's writes as one statement on PostgreSQL (issue 25): two round trips, the same rows.

`workflow.one_statement` folds the guarded UPDATE, the audit INSERT and the
cancellation of stale reminders into one statement on a connection in
autocommit mode. Its reminder rule is written against the UPDATE's returned
row, so it is checked here against the reference rule
(`reminders.cancel_stale_of_task`, which SQLite runs after the UPDATE) on
every state change of a task's life, with reminders of every kind pending.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, insert, select, update
from sqlalchemy.exc import IntegrityError

from bench.wire import RoundTrips
from dtrack.errors import ConcurrentUpdate
from dtrack.persistence.models import Event, Reminder, Task
from dtrack.workflow.reminders import cancel_stale_of_task
from dtrack.workflow.tasks import find_task
from dtrack.workflow.vocabulary import ReminderKind

KEY = "20/CT-BCT:9:ha-noi:2025-H2"  # a task with a deadline: its reminders can be stale or not
LIFE = [("start", "province"), ("update", "province"), ("submit", "province"), ("send_back", "overseer"),
        ("submit", "province"), ("accept", "overseer"), ("reopen", "overseer"), ("block", "province"),
        ("unblock", "province")]
NOTES = {"send_back": "thiếu số liệu", "reopen": "cần bổ sung", "block": "chờ kinh phí"}


def _add_reminders(db, task_id: int, step: int) -> set[int]:
    """A pending reminder of each kind, for the task's deadline and for another one (stale whatever the state)."""
    with db.session() as s:
        due = s.get(Task, task_id).due_on
        ids = set()
        for kind in ReminderKind:
            for due_on in (due, due - timedelta(days=30)):
                ids.add(s.execute(insert(Reminder).values(
                    task_id=task_id, due_on=due_on, kind=kind.value, remind_on=date(2026, 1, 1) + timedelta(days=step),
                    audience="province", days=1, created_at=datetime(2026, 1, 1, tzinfo=UTC)).returning(Reminder.id)
                ).scalar_one())
        return ids


def _cancelled(connection, ids: set[int]) -> set[int]:
    return set(connection.scalars(select(Reminder.id).where(Reminder.id.in_(ids), Reminder.cancelled_at.is_not(None))))


def test_stale_reminders_are_cancelled_as_the_reference_rule_says(world, db):
    people = {"province": world.user("province", "ha-noi"), "overseer": world.user("overseer", None)}
    with db.session() as s:
        task_id = find_task(s, KEY)[0].id
    seen_cancelled = 0
    for step, (trigger, who) in enumerate(LIFE):
        ids = _add_reminders(db, task_id, step)
        outcome = world.fire(KEY, trigger, people[who], note=NOTES.get(trigger),
                             progress=40 if trigger == "update" else None)
        with db.engine.connect() as connection:  # never committed: the reference's answer, then rolled back
            by_fire = _cancelled(connection, ids)
            if outcome.from_state == outcome.to_state:  # no change of state: no reminder is cancelled
                assert by_fire == set(), trigger
                continue
            connection.execute(update(Reminder).where(Reminder.id.in_(ids)).values(cancelled_at=None))
            cancel_stale_of_task(connection, datetime(2026, 1, 5, tzinfo=UTC), task_id)
            assert _cancelled(connection, ids) == by_fire, (trigger, step)
            connection.rollback()
            # Nor is any reminder of an earlier step left pending that the new state makes stale.
            assert cancel_stale_of_task(connection, datetime(2026, 1, 5, tzinfo=UTC), task_id) == 0, trigger
            connection.rollback()
        seen_cancelled += len(by_fire)
    assert seen_cancelled > 0  # the rule was exercised, not only its empty case


def test_a_transition_waits_for_the_server_twice_on_postgresql(world, db):
    officer = world.user("province", "ha-noi")
    world.fire("20/CT-BCT:1:ha-noi", "start", officer)  # connects, reads the lifecycle
    if db.dialect != "postgresql":  # no wire: the writes are one transaction, one commit
        commits = []

        def committed(connection) -> None:
            commits.append(connection)

        event.listen(db.engine, "commit", committed)
        world.fire("20/CT-BCT:1:ha-noi", "update", officer, progress=30)
        event.remove(db.engine, "commit", committed)
        assert len(commits) == 1
        return
    with db.session() as s:
        task_id = find_task(s, KEY)[0].id
    _add_reminders(db, task_id, 0)
    # A submission also reads what its directive requires (workflow.submission): one more read, not a write.
    for key, trigger, progress in (("20/CT-BCT:1:ha-noi", "update", 40), ("20/CT-BCT:1:ha-noi", "update", 50),
                                   (KEY, "start", None)):  # the last cancels the reminders: a CTE of the write
        with RoundTrips(db.engine) as trips:
            world.fire(key, trigger, officer, progress=progress)
        assert trips.count == 2, (key, trigger)  # the read, and the one statement that writes and commits


def test_a_failed_write_leaves_nothing_behind(world, db, monkeypatch):
    """The one statement is atomic: an audit row that cannot be written takes the task's UPDATE with it."""
    import dtrack.workflow.service as service

    officer = world.user("province", "ha-noi")
    key = "20/CT-BCT:2:ha-noi"
    world.fire(key, "start", officer)
    with db.session() as s:
        task = find_task(s, key)[0]
        before = (task.state, task.progress, task.version, len(task.events))
    real_write = service._write

    def write_with_no_such_actor(connection, task_id, version, changes, event, *args):
        return real_write(connection, task_id, version, changes, {**event, "actor_id": 10**8}, *args)

    monkeypatch.setattr(service, "_write", write_with_no_such_actor)
    with pytest.raises(IntegrityError):  # the audit row's actor is no user: its foreign key refuses it
        world.fire(key, "submit", officer, progress=20)
    with db.session() as s:
        task = find_task(s, key)[0]
        assert (task.state, task.progress, task.version, len(task.events)) == before


def test_a_stale_version_writes_nothing(world, db):
    officer = world.user("province", "ha-noi")
    key = "20/CT-BCT:3:ha-noi"
    world.fire(key, "start", officer)
    with db.session() as s:
        version = find_task(s, key)[0].version
    world.fire(key, "update", officer, progress=10)
    with pytest.raises(ConcurrentUpdate):
        world.fire(key, "update", officer, progress=90, expected_version=version)
    with db.session() as s:
        task = find_task(s, key)[0]
        assert task.progress == 10
        assert s.scalar(select(Event.progress).where(Event.task_id == task.id).order_by(Event.id.desc())) == 10


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_connection_pinged_after_idling_can_still_autocommit(db, monkeypatch):
    """The idle ping (`database._ping_if_idle`) ends the transaction its SELECT began: the next checkout may
    switch to autocommit (the session lookup, a transition). Seen as 500s in `make bench-cluster`."""
    from dtrack.persistence import database

    with db.statement_connection() as connection:
        connection.exec_driver_sql("SELECT 1")
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.0)  # every pooled connection counts as idle
    for _ in range(2):
        with db.statement_connection() as connection:
            assert connection.exec_driver_sql("SELECT 1").scalar() == 1
