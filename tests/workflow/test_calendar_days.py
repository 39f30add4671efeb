"""Days off declared in the database, and deadlines that never end on a day off, however they are set."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from dtrack.errors import InvalidInput, PermissionDenied
from dtrack.persistence.models import CalendarDay, Event, Task
from dtrack.workflow.calendar_days import calendar_in_force, list_days
from dtrack.workflow.calendar_declarations import declare, preview, withdraw
from dtrack.workflow.deadlines import STATUTORY, WorkCalendar
from dtrack.workflow.extension import extend
from dtrack.workflow.extension_requests import grant_request, request_extension
from dtrack.workflow.tasks import find_task
from dtrack.workflow.users import find_user
from dtrack.workflow.vocabulary import DeadlineTrigger

KEY = "20/CT-BCT:2:ha-noi"
TODAY = date(2026, 1, 5)


def _due(db, key: str = KEY) -> date:
    with db.session() as s:
        return find_task(s, key)[0].due_on


def _declare(world, admin: str, day: date, working: bool = False, note: str = "Nghỉ bù theo thông báo"):
    with world.db.session() as s:
        return declare(s, find_user(s, admin), day, working, note, TODAY, world.clock.now())


def _rows(db) -> tuple:
    with db.session() as s:
        return (tuple(s.execute(select(Task.id, Task.due_on, Task.version).order_by(Task.id))),
                s.scalar(select(Event.id).order_by(Event.id.desc()).limit(1)),
                tuple(s.execute(select(CalendarDay.id, CalendarDay.withdrawn_at))))


def test_an_extension_to_a_holiday_is_the_next_working_day(world):
    overseer = world.user("overseer", None)
    # Friday 30/04/2027 (Reunification Day), then 1 May on a Saturday and its day in lieu on Monday 03/05.
    [done] = extend(world.db, world.clock, overseer, date(2027, 4, 30), "Chờ vốn", task_refs=[KEY])
    assert (done.asked_on, done.to_due_on, done.moved_off_day_off) == (date(2027, 4, 30), date(2027, 5, 4), True)
    assert _due(world.db) == date(2027, 5, 4)
    with world.db.session() as s:
        event = s.scalars(select(Event).where(Event.trigger == DeadlineTrigger.EXTEND.value)).one()
        assert event.to_due_on == date(2027, 5, 4)  # the audit says the deadline in force
    # A working day is kept as asked.
    [kept] = extend(world.db, world.clock, overseer, date(2027, 5, 7), "Thêm ba ngày", task_refs=[KEY])
    assert (kept.to_due_on, kept.moved_off_day_off) == (date(2027, 5, 7), False)


def test_a_granted_request_on_tet_is_the_first_working_day_after_it(world):
    officer, overseer = world.user("province", "ha-noi"), world.user("overseer", None)
    asked = request_extension(world.db, world.clock, officer, KEY, date(2027, 2, 6), "Chờ ý kiến các xã")
    done = grant_request(world.db, world.clock, overseer, asked.id)
    assert done.extended is not None and done.extended.asked_on == date(2027, 2, 6)
    due = done.extended.to_due_on
    assert due > date(2027, 2, 6) and STATUTORY.is_working_day(due)
    assert all(not STATUTORY.is_working_day(date(2027, 2, 6) + timedelta(days=n))
               for n in range((due - date(2027, 2, 6)).days))
    assert done.request.granted_due_on == due == _due(world.db)


def test_declaring_a_day_off_moves_the_deadlines_on_it_extended_ones_too_audited(world):
    admin, overseer = world.user("admin", None), world.user("overseer", None)
    extend(world.db, world.clock, overseer, date(2027, 3, 10), "Chờ hướng dẫn", task_refs=[KEY])
    before = _rows(world.db)
    with world.db.session() as s:
        shown = preview(s, date(2027, 3, 10), False, TODAY, world.clock.now(), note="Nghỉ bù")
    assert [(m.task_key, m.from_due_on, m.to_due_on) for m in shown.recomputed.moved] == [
        (KEY, date(2027, 3, 10), date(2027, 3, 11))]
    assert _rows(world.db) == before  # a preview changes nothing

    change = _declare(world, admin, date(2027, 3, 10), note="Nghỉ bù, Thông báo 99/TB-VPCP")
    assert [m.task_key for m in change.recomputed.moved] == [KEY]
    assert _due(world.db) == date(2027, 3, 11)
    with world.db.session() as s:
        event = s.scalars(select(Event).where(Event.trigger == DeadlineTrigger.RECOMPUTE.value)).one()
        assert (event.actor.email, event.note) == (admin, "Nghỉ bù, Thông báo 99/TB-VPCP")
        assert (event.from_due_on, event.to_due_on) == (date(2027, 3, 10), date(2027, 3, 11))
        assert not calendar_in_force(s).is_working_day(date(2027, 3, 10))
        [row] = list_days(s)
        assert (row.day, row.working, row.declared_by) == (date(2027, 3, 10), False, admin)
    # An extension onto the declared day gives the day after it.
    [done] = extend(world.db, world.clock, overseer, date(2027, 3, 10), "Lại", task_refs=["20/CT-BCT:2:hue"])
    assert done.to_due_on == date(2027, 3, 11)

    # Withdrawn: the declaration stays, marked; an extended deadline is not moved back before the asked day.
    with world.db.session() as s:
        gone = withdraw(s, find_user(s, admin), date(2027, 3, 10), TODAY, world.clock.now())
    assert gone.withdrawn and _due(world.db) == date(2027, 3, 11)
    with world.db.session() as s:
        assert list_days(s) == [] and len(list_days(s, with_withdrawn=True)) == 1
        assert calendar_in_force(s).is_working_day(date(2027, 3, 10))


def test_a_make_up_working_day_counts_as_working(world):
    admin = world.user("admin", None)
    saturday = date(2027, 2, 20)
    assert not STATUTORY.is_working_day(saturday)
    _declare(world, admin, saturday, working=True, note="Làm bù cho ngày nghỉ Tết")
    with world.db.session() as s:
        assert calendar_in_force(s).is_working_day(saturday)
        # Over the settings' days too: a declaration wins over DTRACK_EXTRA_DAYS_OFF.
        assert calendar_in_force(s, WorkCalendar(extra_days_off=frozenset({saturday}))).is_working_day(saturday)


@pytest.mark.parametrize("case", ["not_admin", "weekend_off", "twice", "no_note", "far_year", "withdraw_unknown"])
def test_a_refused_declaration_changes_nothing(world, case):
    admin, overseer = world.user("admin", None), world.user("overseer", None)
    _declare(world, admin, date(2027, 3, 10))
    before = _rows(world.db)
    expected = {"not_admin": PermissionDenied, "weekend_off": InvalidInput, "twice": InvalidInput,
                "no_note": InvalidInput, "far_year": InvalidInput, "withdraw_unknown": InvalidInput}[case]
    with pytest.raises(expected) as raised, world.db.session() as s:
        who = find_user(s, overseer if case == "not_admin" else admin)
        if case == "withdraw_unknown":
            withdraw(s, who, date(2027, 3, 12), TODAY, world.clock.now())
        day = {"weekend_off": date(2027, 3, 13), "far_year": date(2207, 3, 10)}.get(case, date(2027, 3, 10))
        declare(s, who, day, False, "  " if case == "no_note" else "Lý do", TODAY, world.clock.now())
    if expected is InvalidInput:
        assert raised.value.field in {"day", "note"}
        assert raised.value.error_code == {"weekend_off": "calendar_day_already_off", "twice": "calendar_day_declared",
                                     "no_note": "calendar_day_needs_note", "far_year": "calendar_day_out_of_range",
                                     "withdraw_unknown": "calendar_day_not_declared"}[case]
    assert _rows(world.db) == before


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(step=st.integers(min_value=1, max_value=400), days_off=st.sets(st.integers(0, 12), max_size=4))
def test_any_extension_on_any_calendar_is_a_working_day_not_before_the_asked_day(world, step, days_off):
    """However many days off are declared near it, an extension lands on the first working day from the asked day."""
    if not getattr(world, "_people", None):
        world._people = (world.user("admin", None), world.user("overseer", None))
    admin, overseer = world._people
    asked = _due(world.db) + timedelta(days=step)
    with world.db.session() as s:
        actor = find_user(s, admin)
        for offset in sorted(days_off):
            day = asked + timedelta(days=offset)
            if calendar_in_force(s).is_working_day(day) and day.year <= TODAY.year + 5:
                declare(s, actor, day, False, "Nghỉ bù", TODAY, world.clock.now())
    [done] = extend(world.db, world.clock, overseer, asked, "Thêm thời gian", task_refs=[KEY])
    with world.db.session() as s:
        calendar = calendar_in_force(s)
    assert done.to_due_on >= asked and calendar.is_working_day(done.to_due_on)
    assert all(not calendar.is_working_day(asked + timedelta(days=n)) for n in range((done.to_due_on - asked).days))
    assert _due(world.db) == done.to_due_on
