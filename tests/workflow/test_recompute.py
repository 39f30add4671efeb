"""Days off declared later reach deadlines already set: `recompute` under the calendar in force."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from dtrack.config.clock import Clock
from dtrack.persistence.models import Event, Reminder, Task, TaskGroup
from dtrack.workflow import recompute as recompute_module
from dtrack.workflow.deadlines import WorkCalendar, add_working_days
from dtrack.workflow.extension import extend
from dtrack.workflow.recompute import recompute
from dtrack.workflow.reminders import sweep
from dtrack.workflow.vocabulary import DeadlineTrigger, State
from tests.conftest import ASSIGNED_ON

# The test world's deadlines (tasks assigned Monday 03/11/2025):
#   groups 1, 5  "+6 months"        -> Sunday 03/05/2026 -> Monday 04/05/2026
#   group 2      "+90 working days" -> counted over 15/12/2025 and later
#   group 9      2025-H2 report     -> Monday 15/12/2025
#   continuous   "+12 months"       -> Tuesday 03/11/2026
# The Government then declares Monday 04/05/2026 (bridge after 30/04-01/05)
# and Monday 15/12/2025 days off.
DECLARED = WorkCalendar(extra_days_off=frozenset({date(2026, 5, 4), date(2025, 12, 15)}))
NOW = Clock(pinned=date(2025, 12, 1)).now()


def _deadlines(db) -> dict[int, tuple[int, str, date | None, date | None]]:
    with db.session() as s:
        return {r.id: (r.ordinal, r.state, r.due_on, r.original_due_on) for r in s.execute(
            select(Task.id, TaskGroup.ordinal, Task.state, Task.due_on, Task.original_due_on).join(TaskGroup))}


def _recompute_events(db) -> list[Event]:
    with db.session() as s:
        return list(s.scalars(select(Event).where(Event.trigger == DeadlineTrigger.RECOMPUTE).order_by(Event.id)))


def test_dry_run_lists_then_recompute_moves_each_open_rule_deadline_once(world):
    db = world.db
    officer, overseer = world.user("province", "ha-noi"), world.user("overseer", None)
    # Left alone: an overseer's explicit date on a working day, and a completed task.
    extend(db, world.clock, overseer, date(2026, 6, 1), "Chờ hướng dẫn của Bộ", task_refs=["20/CT-BCT:1:ha-noi"])
    for trigger, actor in (("start", officer), ("submit", officer), ("accept", overseer)):
        world.fire("20/CT-BCT:5:ha-noi", trigger, actor)
    before = _deadlines(db)
    # The calendar the tasks were assigned on moves nothing.
    assert recompute_session(db, WorkCalendar(), dry_run=True).moved == []

    preview = recompute_session(db, dry_run=True)
    assert _deadlines(db) == before and _recompute_events(db) == []
    # 34 provinces x groups 1, 5 (04/05 -> 05/05), 2 (one working day later)
    # and 9 (15/12 -> 16/12), less Hà Nội's extended group 1 and completed group 5.
    assert len(preview.moved) == 4 * 34 - 2
    assert preview.examined == 9 * 34 + 1 - 1  # group 10 is one Department task; less the completed one
    moves = {m.task_key: (m.from_due_on, m.to_due_on) for m in preview.moved}
    assert moves["20/CT-BCT:1:hue"] == (date(2026, 5, 4), date(2026, 5, 5))
    assert moves["20/CT-BCT:9:ha-noi:2025-H2"] == (date(2025, 12, 15), date(2025, 12, 16))
    # "+90 working days" loses one working day (15/12/2025) in its count, so it ends one working day later.
    old_g2 = add_working_days(ASSIGNED_ON, 90)
    assert moves["20/CT-BCT:2:ha-noi"] == (old_g2, add_working_days(old_g2, 1, DECLARED))
    assert "20/CT-BCT:1:ha-noi" not in moves and "20/CT-BCT:5:ha-noi" not in moves

    done = recompute_session(db)
    assert done.moved == preview.moved and done.skipped == []
    after = _deadlines(db)
    changed = {task_id for task_id in after if after[task_id] != before[task_id]}
    assert len(changed) == len(done.moved)
    # The directive's own deadline is corrected, so it is not shown as extended.
    assert all(after[t][2] == after[t][3] for t in changed)
    events = _recompute_events(db)
    assert len(events) == len(done.moved) and {e.task_id for e in events} == changed
    assert all(e.actor_id is None and e.from_state == e.to_state and e.from_due_on == before[e.task_id][2]
               and e.to_due_on == after[e.task_id][2] for e in events)
    # Once applied, the same calendar moves nothing more.
    assert recompute_session(db).moved == []


def recompute_session(db, calendar: WorkCalendar = DECLARED, dry_run: bool = False):
    with db.session() as s:
        return recompute(s, NOW.date(), NOW, calendar, dry_run=dry_run)


def test_a_task_changed_meanwhile_keeps_its_change_and_is_reported(world, monkeypatch):
    db = world.db
    officer = world.user("province", "ha-noi")
    real = recompute_module._open_tasks

    def read_then_someone_acts(session):
        found = real(session)
        world.fire("20/CT-BCT:9:ha-noi:2025-H2", "start", officer)  # its own transaction, committed
        return found

    monkeypatch.setattr(recompute_module, "_open_tasks", read_then_someone_acts)
    done = recompute_session(db, WorkCalendar(extra_days_off=frozenset({date(2025, 12, 15)})))
    assert done.skipped == ["20/CT-BCT:9:ha-noi:2025-H2"]
    with db.session() as s:
        task = s.scalars(select(Task).where(Task.period == "2025-H2", Task.province_id == 1)).one()
        # The officer's start stands; the deadline waits for the next run.
        assert (task.state, task.due_on) == (State.IN_PROGRESS, date(2025, 12, 15))
    assert len({m.task_key for m in done.moved}) == len(done.moved)
    assert "20/CT-BCT:9:ha-noi:2025-H2" not in {m.task_key for m in done.moved}
    assert len(_recompute_events(db)) == len(done.moved)


def test_a_continuous_task_is_recomputed_against_the_checkpoint_in_force(world):
    db = world.db
    officer, overseer = world.user("province", "ha-noi"), world.user("overseer", None)
    for trigger, actor in (("start", officer), ("submit", officer), ("accept", overseer)):
        world.fire("20/CT-BCT:3:ha-noi", trigger, actor)
    sweep(db, Clock(pinned=date(2026, 11, 4)))  # review accepted, 03/11/2026 passed: next checkpoint 03/11/2027
    # Wednesday 03/11/2027 declared a day off: only the task now on that checkpoint moves.
    done = recompute_session(db, WorkCalendar(extra_days_off=frozenset({date(2027, 11, 3)})))
    assert [(m.task_key, m.from_due_on, m.to_due_on) for m in done.moved] == [
        ("20/CT-BCT:3:ha-noi", date(2027, 11, 3), date(2027, 11, 4))]


def test_the_reminders_of_a_moved_deadline_are_cancelled(world):
    db = world.db
    sweep(db, Clock(pinned=date(2025, 12, 1)))  # "14 days before 15/12/2025" reminders for group 9

    def live(due_on: date) -> int:
        with db.session() as s:
            return s.scalar(select(func.count()).select_from(Reminder).where(
                Reminder.cancelled_at.is_(None), Reminder.due_on == due_on))

    assert live(date(2025, 12, 15)) == 34
    recompute_session(db, WorkCalendar(extra_days_off=frozenset({date(2025, 12, 15)})))
    assert live(date(2025, 12, 15)) == 0
