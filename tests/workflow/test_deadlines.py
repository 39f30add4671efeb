"""Deadline arithmetic, recurring periods, checkpoints, and the tasks they produce."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from dtrack.config.clock import Clock
from dtrack.config.settings import display, load_settings
from dtrack.config.today import Today
from dtrack.errors import InvalidInput, RuleError
from dtrack.persistence.models import Event, Task, TaskGroup
from dtrack.workflow.assignments import open_periods
from dtrack.workflow.checkpoints import roll_checkpoints
from dtrack.workflow.deadlines import (
    Offset,
    Recurring,
    WorkCalendar,
    add_working_days,
    checkpoints,
    is_working_day,
    legal_deadline,
    next_checkpoint,
    parse_rule,
    period_label,
    period_title,
    periods_open,
)
from dtrack.workflow.timeliness import classify
from dtrack.workflow.vocabulary import DeadlineStatus, DeadlineTrigger, State

PLAIN = WorkCalendar()
TET_2026 = [date(2026, 2, 16) + timedelta(days=i) for i in range(5)]  # Lunar New Year's Eve .. 4th day
G9 = {"rrule": "FREQ=YEARLY;BYMONTH=6,12;BYMONTHDAY=15", "period_vi": "Báo cáo khuyến công {period_vi}",
      "period_en": "Industrial promotion report for {period_en}"}

# Around Tết and year ends, where the arithmetic is most likely to go wrong.
starts = st.one_of(
    st.dates(date(2024, 12, 15), date(2025, 2, 15)),
    st.dates(date(2025, 12, 15), date(2026, 3, 1)),
    st.dates(date(2026, 12, 15), date(2027, 2, 28)),
    st.dates(date(2024, 1, 1), date(2030, 12, 31)),
)


@settings(max_examples=200, deadline=None)
@given(start=starts, count=st.integers(1, 80))
def test_adding_working_days_never_lands_on_a_day_off(start, count):
    due = add_working_days(start, count, PLAIN)
    assert due.weekday() < 5
    assert is_working_day(due, PLAIN)
    # Exactly `count` working days lie in (start, due].
    span = [start + timedelta(days=i) for i in range(1, (due - start).days + 1)]
    assert sum(is_working_day(d, PLAIN) for d in span) == count


@settings(max_examples=200, deadline=None)
@given(start=starts, count=st.integers(1, 60), extra=st.integers(0, 10), later=st.integers(0, 30))
def test_adding_working_days_is_monotonic(start, count, extra, later):
    assert add_working_days(start, count + extra, PLAIN) >= add_working_days(start, count, PLAIN)
    assert add_working_days(start + timedelta(days=later), count, PLAIN) >= add_working_days(start, count, PLAIN)
    assert add_working_days(start, count + 1, PLAIN) > add_working_days(start, count, PLAIN)


def test_tet_is_skipped():
    # Friday 13 Feb 2026; Tết 2026 runs Mon 16 to Fri 20 Feb: the next working day is Mon 23 Feb.
    assert add_working_days(date(2026, 2, 13), 1, PLAIN) == date(2026, 2, 23)
    assert not any(is_working_day(d, PLAIN) for d in TET_2026)
    # Year end: Wed 31 Dec 2025 + 1 working day skips New Year's Day.
    assert add_working_days(date(2025, 12, 31), 1, PLAIN) == date(2026, 1, 2)


def test_make_up_working_days_and_extra_days_off_count():
    saturday, bridge = date(2026, 1, 3), date(2026, 1, 2)
    adjusted = WorkCalendar(frozenset({saturday}), frozenset({bridge}))
    assert add_working_days(date(2025, 12, 31), 1, PLAIN) == bridge
    assert add_working_days(date(2025, 12, 31), 1, adjusted) == saturday
    assert Offset(1, "working_days").due(date(2025, 12, 31), adjusted) == saturday


def test_calendar_settings_are_checked_at_start_up():
    loaded = load_settings({"DTRACK_EXTRA_WORKING_DAYS": "2026-01-03, 2026-02-28", "DTRACK_EXTRA_DAYS_OFF": ""})
    assert loaded.extra_working_days == (date(2026, 1, 3), date(2026, 2, 28))
    assert loaded.extra_days_off == ()
    with pytest.raises(InvalidInput, match="DTRACK_EXTRA_DAYS_OFF") as refused:
        load_settings({"DTRACK_EXTRA_DAYS_OFF": "2026-02-30"})
    assert refused.value.field == "extra_days_off"
    with pytest.raises(InvalidInput, match="zero_days_before"):
        load_settings({"DTRACK_REMIND_BEFORE_DAYS": "7,0"})
    with pytest.raises(InvalidInput):
        load_settings({"DTRACK_DIGEST_TIME": "25:00"})
    assert load_settings({}).remind_before_days == (14, 7, 1)
    assert display(load_settings({"DTRACK_DIGEST_TIME": "6:05"}).digest_time) == "06:05"
    assert display(loaded.extra_working_days) == "2026-01-03,2026-02-28"


@pytest.mark.parametrize("bad", [
    {"rrule": "FREQ=SOMETIMES"}, {"rrule": "FREQ=MONTHLY;BYMONTHDAY=40"}, "2026-02-30", "+0 days", "next week",
])
def test_bad_rules_are_refused(bad):
    with pytest.raises(RuleError):
        parse_rule(bad)


@pytest.mark.parametrize(("rule", "expected"), [
    ("FREQ=YEARLY;BYMONTH=6,12;BYMONTHDAY=15", ["2025-H2", "2026-H1", "2026-H2", "2027-H1"]),
    ("FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=20", ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]),
    ("FREQ=MONTHLY;BYMONTHDAY=5", ["2025-11", "2025-12", "2026-01", "2026-02"]),
    ("FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=31", ["2025", "2026", "2027"]),
])
def test_recurrence_gives_the_right_periods_without_duplicates(rule, expected):
    found = periods_open(Recurring(rule), date(2025, 11, 3), date(2027, 1, 1))
    labels = [p.label for p in found][: len(expected)]
    assert labels == expected
    assert len({p.label for p in found}) == len(found)
    # Each period opens the day after the previous occurrence (the rule's raw
    # date, so a deadline moved past a day off never moves an opening); the
    # first on assignment.
    assert found[0].opens_on == date(2025, 11, 3)
    for before, after in zip(found, found[1:], strict=False):
        assert after.opens_on == before.raw_due_on + timedelta(days=1)
    # Each deadline is the legal one: e.g. the 2025-Q4 report's raw 20/12/2025
    # is a Saturday, so it is due Monday 22/12/2025.
    for period in found:
        assert period.due_on == PLAIN.next_working_day(period.raw_due_on)


@settings(max_examples=60, deadline=None)
@given(assigned=st.dates(date(2024, 1, 1), date(2027, 12, 31)), days=st.integers(0, 900))
def test_periods_open_grow_with_time_and_never_repeat(assigned, days):
    rule = Recurring(G9["rrule"])
    now = periods_open(rule, assigned, assigned + timedelta(days=days))
    later = periods_open(rule, assigned, assigned + timedelta(days=days + 40))
    assert [p.label for p in later[: len(now)]] == [p.label for p in now]
    assert len({p.label for p in later}) == len(later)
    assert all(p.opens_on <= assigned + timedelta(days=days) for p in now)


def test_period_titles_in_both_languages():
    rule = parse_rule(G9)
    assert period_title(rule, "2026-H1", "vi", "") == "Báo cáo khuyến công 6 tháng đầu năm 2026"
    assert period_title(rule, "2026-H2", "en", "") == "Industrial promotion report for the second half of 2026"
    assert period_title(Recurring("FREQ=MONTHLY"), "2026-03", "vi", "Báo cáo") == "Báo cáo (tháng 3 năm 2026)"
    assert period_label(date(2026, 9, 30), 3) == "2026-Q3"


def test_continuous_checkpoints_repeat_the_offset_from_assignment():
    rule = parse_rule("+6 months")
    first = list(zip(range(3), checkpoints(rule, date(2025, 8, 31)), strict=False))
    # Counted from the assignment date each time, so the end of month does not
    # drift (28/02, 31/08, 28/02), then moved past days off: 28/02/2026 is a
    # Saturday (-> Monday 02/03/2026); Monday 31/08/2026 is the day off swapped
    # for Saturday 22/08 and 01-02/09 are National Day (-> Thursday 03/09/2026);
    # 28/02/2027 is a Sunday (-> Monday 01/03/2027).
    assert [d for _, d in first] == [date(2026, 3, 2), date(2026, 9, 3), date(2027, 3, 1)]
    # After the checkpoint in force, whether stored as its legal or (before the
    # rule) its raw date, comes the next one, never the same checkpoint again.
    assert next_checkpoint(rule, date(2025, 8, 31), date(2026, 3, 2)) == date(2026, 9, 3)
    assert next_checkpoint(rule, date(2025, 8, 31), date(2026, 2, 28)) == date(2026, 9, 3)


def _group_tasks(db, ordinal: int) -> list[Task]:
    with db.session() as s:
        return list(s.scalars(select(Task).join(TaskGroup).where(TaskGroup.ordinal == ordinal).order_by(Task.id)))


def test_recurring_group_gets_one_task_per_period_and_province(db):
    tasks = _group_tasks(db, 9)
    assert len(tasks) == 34
    assert {t.period for t in tasks} == {"2025-H2"}
    assert {t.due_on for t in tasks} == {date(2025, 12, 15)}
    now = Clock(pinned=date(2026, 1, 5)).now()
    with db.session() as s:
        assert open_periods(s, date(2025, 12, 15), now) == 0  # the next period has not opened yet
        assert open_periods(s, date(2025, 12, 16), now) == 34
        assert open_periods(s, date(2026, 3, 1), now) == 0  # never twice
    with db.session() as s:
        assert open_periods(s, date(2026, 12, 15), now) == 34  # 2026-H2; catch-up after downtime
    tasks = _group_tasks(db, 9)
    periods = {(t.province_id, t.period) for t in tasks}
    assert len(periods) == len(tasks) == 34 * 3
    h1 = next(t for t in tasks if t.period == "2026-H1")
    assert (h1.assigned_on, h1.due_on, h1.original_due_on) == (date(2025, 12, 16), date(2026, 6, 15), date(2026, 6, 15))


def test_reviewed_continuous_task_moves_to_its_next_checkpoint(world):
    province = world.user("province", "ha-noi")
    overseer = world.user("overseer", None)
    for trigger, actor in (("start", province), ("submit", province), ("accept", overseer)):
        world.fire("20/CT-BCT:3:ha-noi", trigger, actor)
    db = world.db
    checkpoint = date(2026, 11, 3)
    now = world.clock.now()
    with db.session() as s:
        assert roll_checkpoints(s, checkpoint, now) == 0  # not passed yet
        assert roll_checkpoints(s, checkpoint + timedelta(days=1), now) == 1
    with db.session() as s:
        assert roll_checkpoints(s, checkpoint + timedelta(days=1), now) == 0
        task = s.scalars(select(Task).join(TaskGroup).where(TaskGroup.ordinal == 3, Task.province_id == 1)).one()
        assert (task.state, task.due_on, task.completed_at) == (State.IN_PROGRESS, date(2027, 11, 3), None)
        event = s.scalars(select(Event).where(Event.task_id == task.id).order_by(Event.id.desc())).first()
        assert (event.trigger, event.from_due_on, event.to_due_on) == (DeadlineTrigger.CHECKPOINT, checkpoint,
                                                                       date(2027, 11, 3))
        # Open continuous tasks whose checkpoint passed stay overdue against it.
        assert s.scalar(select(func.count()).select_from(Task).join(TaskGroup).where(
            TaskGroup.ordinal == 3, Task.due_on == checkpoint)) == 33


# --- deadlines that follow the law (Civil Code 2015, art. 148) ----------------------

any_day = st.dates(date(2000, 1, 1), date(2099, 12, 31))
# Any calendar: random declared make-up working days and days off, near the
# dates drawn (a set of days anywhere would rarely touch them).
calendars = st.builds(
    lambda base, on, off: WorkCalendar(frozenset(base + timedelta(days=d) for d in on),
                                       frozenset(base + timedelta(days=d) for d in off)),
    any_day, st.lists(st.integers(-10, 40), max_size=8), st.lists(st.integers(-10, 40), max_size=12),
)


@settings(max_examples=300, deadline=None)
@given(day=any_day, calendar=calendars, near=st.integers(0, 30))
def test_the_legal_deadline_is_the_first_working_day_from_the_raw_date(day, calendar, near):
    # Draw the day near the calendar's adjustments half the time, so they matter.
    if calendar.extra_days_off and near % 2:
        day = min(calendar.extra_days_off) + timedelta(days=near % 7 - 3)
    legal = legal_deadline(day, calendar)
    assert calendar.is_working_day(legal)
    assert legal >= day
    assert (legal == day) == calendar.is_working_day(day)
    # The first working day: none is skipped in between.
    assert not any(calendar.is_working_day(day + timedelta(days=i)) for i in range((legal - day).days))


@settings(max_examples=150, deadline=None)
@given(assigned=any_day, calendar=calendars, rule=st.sampled_from([
    "+6 months", "+90 days", "+2 weeks", "+1 year", "+30 working days", "2026-05-03", "2027-01-10",
    {"rrule": "FREQ=YEARLY;BYMONTH=1,4,7,10;BYMONTHDAY=10"}, {"rrule": "FREQ=MONTHLY;BYMONTHDAY=-1"},
]))
def test_every_rule_gives_the_legal_deadline_of_its_raw_date(assigned, calendar, rule):
    parsed = parse_rule(rule)
    raw = parsed.raw_due(assigned, calendar)
    if raw is None:
        return
    due = parsed.due(assigned, calendar)
    assert due == calendar.next_working_day(raw)
    assert calendar.is_working_day(due) and due >= raw


def test_a_deadline_on_a_day_off_moves_to_the_next_working_day():
    # A quarterly report due on the 10th: 10/01/2027 is a Sunday, so it is due
    # Monday 11/01/2027, and on that Monday it is not overdue yet.
    quarterly = parse_rule({"rrule": "FREQ=YEARLY;BYMONTH=1,4,7,10;BYMONTHDAY=10"})
    assert quarterly.raw_due(date(2026, 12, 1)) == date(2027, 1, 10)
    assert quarterly.due(date(2026, 12, 1), PLAIN) == date(2027, 1, 11)
    status = classify(State.IN_PROGRESS.value, quarterly.due(date(2026, 12, 1), PLAIN), Today(date(2027, 1, 11)))
    assert status.status == DeadlineStatus.DUE_SOON
    # +6 months from Monday 03/11/2025 is Sunday 03/05/2026 -> Monday 04/05/2026.
    assert parse_rule("+6 months").due(date(2025, 11, 3), PLAIN) == date(2026, 5, 4)
    # A fixed date in Tết 2027 (Saturday 06/02, holidays to Wednesday 10/02) -> Thursday 11/02/2027.
    assert parse_rule("2027-02-06").due(date(2026, 1, 1), PLAIN) == date(2027, 2, 11)
    # A declared make-up working day (làm bù) is a working day: the deadline stays on it.
    make_up = WorkCalendar(frozenset({date(2027, 1, 10)}))
    assert quarterly.due(date(2026, 12, 1), make_up) == date(2027, 1, 10)
    # "+N working days" already ended on a working day; the rule leaves it there.
    assert parse_rule("+1 working day").due(date(2026, 2, 13), PLAIN) == date(2026, 2, 23)


def test_seeded_tasks_get_legal_deadlines(db):
    # Directive 20's groups 1 and 5 are "+6 months" from Monday 03/11/2025:
    # Sunday 03/05/2026, so due Monday 04/05/2026 (30/04 and 01/05 are holidays,
    # but before it). Group 9's 15/12/2025 is a Monday, so it stays.
    assert {t.due_on for t in _group_tasks(db, 1)} == {date(2026, 5, 4)}
    assert {(t.due_on, t.original_due_on) for t in _group_tasks(db, 5)} == {(date(2026, 5, 4), date(2026, 5, 4))}
    assert {t.due_on for t in _group_tasks(db, 9)} == {date(2025, 12, 15)}
