"""Reminder policy, idempotent sweeps (also two at once on PostgreSQL), and cancellation."""
from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from dtrack.config.clock import Clock
from dtrack.persistence.database import Database
from dtrack.persistence.models import Reminder, Task
from dtrack.workflow.reminders import ReminderPolicy, due_reminders, sweep
from dtrack.workflow.vocabulary import ReminderKind as K
from dtrack.workflow.vocabulary import Role, State

POLICY = ReminderPolicy()
DUE = date(2026, 3, 10)


def kinds(as_of: date, state: str = State.IN_PROGRESS, submitted_on: date | None = None):
    return [(d.kind, d.remind_on, d.audience, d.days) for d in due_reminders(POLICY, state, DUE, submitted_on, as_of)]


def test_policy_defaults():
    assert kinds(date(2026, 2, 23)) == []  # 15 days before: nothing yet
    assert kinds(date(2026, 2, 24)) == [(K.BEFORE_DEADLINE, date(2026, 2, 24), Role.PROVINCE, 14)]
    assert kinds(date(2026, 3, 5)) == [(K.BEFORE_DEADLINE, date(2026, 3, 3), Role.PROVINCE, 7)]  # latest only
    assert kinds(DUE) == [(K.BEFORE_DEADLINE, date(2026, 3, 9), Role.PROVINCE, 1)]
    assert kinds(date(2026, 3, 11)) == [(K.OVERDUE, date(2026, 3, 11), Role.PROVINCE, -1)]  # the day after
    assert kinds(date(2026, 3, 17)) == [(K.OVERDUE, date(2026, 3, 11), Role.PROVINCE, -1)]
    assert kinds(date(2026, 3, 18)) == [(K.OVERDUE, date(2026, 3, 18), Role.PROVINCE, -8)]  # every 7 days
    assert kinds(date(2026, 3, 24)) == [(K.OVERDUE, date(2026, 3, 18), Role.PROVINCE, -8),
                                        (K.ESCALATION, date(2026, 3, 24), Role.OVERSEER, -14)]
    assert kinds(date(2026, 4, 1), State.COMPLETED) == []
    assert kinds(date(2026, 3, 19), State.SUBMITTED, date(2026, 3, 12)) == [
        (K.REVIEW_NUDGE, date(2026, 3, 19), Role.OVERSEER, 7)]
    assert kinds(date(2026, 3, 18), State.SUBMITTED, date(2026, 3, 12)) == []


@settings(max_examples=200, deadline=None)
@given(offset=st.integers(-120, 60))
def test_a_reminder_never_falls_due_in_the_future_or_before_its_window(offset):
    as_of = DUE + timedelta(days=offset)
    for due in due_reminders(POLICY, State.NOT_STARTED, DUE, None, as_of):
        assert due.remind_on <= as_of
        assert due.remind_on >= DUE - timedelta(days=max(POLICY.before_days))
        # The reminder stays the same until the next one falls due (a daily sweep writes each once).
        later = due_reminders(POLICY, State.NOT_STARTED, DUE, None, as_of + timedelta(days=1))
        assert due.kind in {d.kind for d in later} or due.kind == K.BEFORE_DEADLINE


def reminder_keys(db: Database) -> list[tuple]:
    with db.session() as s:
        return sorted(s.execute(select(Reminder.task_id, Reminder.due_on, Reminder.kind, Reminder.remind_on)).all())


def test_sweep_is_idempotent_and_catches_up(db):
    # 5 Jan 2026: the 34 reports for 2025-H2 are 21 days overdue: an overdue reminder and an escalation each.
    clock = Clock(pinned=date(2026, 1, 5))
    first = sweep(db, clock, batch=50)
    assert (first.generated[K.OVERDUE], first.generated[K.ESCALATION], first.periods_opened) == (34, 34, 34)
    keys = reminder_keys(db)
    assert len(keys) == 68
    second = sweep(db, clock, batch=7)
    assert (second.total, second.periods_opened) == (0, 0)
    assert reminder_keys(db) == keys
    # After a crash that lost part of the work, the next sweep writes exactly what is missing.
    with db.session() as s:
        s.execute(delete(Reminder).where(Reminder.id.in_(select(Reminder.id).order_by(Reminder.id).limit(20))))
    assert sweep(db, clock).total == 20
    assert reminder_keys(db) == keys
    # Later days add only what newly fell due.
    later = sweep(db, Clock(pinned=date(2026, 1, 6)))
    assert later.generated[K.OVERDUE] == 34 and later.total == 34  # day 22 overdue: the every-7-days reminder


def test_state_changes_cancel_reminders_that_no_longer_apply(world):
    officer = world.user("province", "ha-noi")
    overseer = world.user("overseer", None)
    db = world.db
    sweep(db, world.clock)
    key = "20/CT-BCT:9:ha-noi:2025-H2"
    world.fire(key, "start", officer)

    def pending() -> set[str]:
        with db.session() as s:
            return set(s.scalars(select(Reminder.kind).join(Task).where(
                Task.period == "2025-H2", Task.province_id == 1,
                Reminder.cancelled_at.is_(None), Reminder.consumed_at.is_(None))))

    assert pending() == {K.OVERDUE, K.ESCALATION}
    world.fire(key, "submit", officer)
    assert pending() == set()  # the province no longer owes it
    world.clock = Clock(pinned=date(2026, 1, 12))
    sweep(db, world.clock)
    assert pending() == {K.REVIEW_NUDGE}
    world.fire(key, "accept", overseer)
    assert pending() == set()
    assert sweep(db, world.clock).total == 0  # nothing for a completed task
    with db.session() as s:
        cancelled = s.scalar(select(func.count()).select_from(Reminder).where(Reminder.cancelled_at.is_not(None)))
    assert cancelled == 3


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_two_concurrent_sweeps_write_each_reminder_once(db_url):
    databases = [Database(db_url) for _ in range(2)]
    clock = Clock(pinned=date(2026, 1, 20))
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run(database: Database) -> None:
        try:
            barrier.wait()
            results.append(sweep(database, clock, batch=5))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(d,)) for d in databases]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    keys = reminder_keys(databases[0])
    assert len(keys) == len(set(keys)) == 68
    assert sum(r.total for r in results) == 68  # between them, each written exactly once
    with databases[0].session() as s:
        assert s.scalar(select(func.count()).select_from(Task).where(Task.period == "2026-H1")) == 34
    for d in databases:
        d.dispose()
