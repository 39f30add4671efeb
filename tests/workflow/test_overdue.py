"""Timeliness at the boundary days, the overdue review, the four-cell matrix, and deadline extensions."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from dtrack.config.clock import Clock
from dtrack.config.today import Today
from dtrack.errors import InvalidInput, PermissionDenied
from dtrack.persistence.models import Event, Reminder, Task
from dtrack.reading.overdue import Scope, overdue_review, timeliness_matrix
from dtrack.workflow.extension import extend
from dtrack.workflow.reminders import sweep
from dtrack.workflow.timeliness import Timeliness, classify
from dtrack.workflow.vocabulary import DeadlineStatus as D
from dtrack.workflow.vocabulary import DeadlineTrigger, State

DUE = date(2026, 3, 10)


def local_noon(day: date) -> datetime:
    return Clock(pinned=day).now()


@pytest.mark.parametrize(("state", "as_of", "submitted", "completed", "expected"), [
    (State.IN_PROGRESS, date(2026, 3, 1), None, None, Timeliness(D.ON_TRACK, 9)),
    (State.IN_PROGRESS, date(2026, 3, 3), None, None, Timeliness(D.DUE_SOON, 7)),  # exactly N days left
    (State.NOT_STARTED, DUE, None, None, Timeliness(D.DUE_SOON, 0)),  # the deadline day itself is on time
    (State.NOT_STARTED, date(2026, 3, 11), None, None, Timeliness(D.OVERDUE, 1)),  # the day after
    (State.BLOCKED, date(2026, 4, 9), None, None, Timeliness(D.OVERDUE, 30)),
    (State.SUBMITTED, date(2026, 3, 20), date(2026, 3, 12), None, Timeliness(D.AWAITING_REVIEW, 8)),
    (State.COMPLETED, date(2026, 5, 1), DUE, date(2026, 4, 30), Timeliness(D.COMPLETED_ON_TIME)),  # on the deadline
    (State.COMPLETED, date(2026, 5, 1), date(2026, 3, 11), date(2026, 3, 12), Timeliness(D.COMPLETED_LATE, 1)),
    (State.IN_PROGRESS, date(2026, 3, 1), None, None, Timeliness(D.ON_TRACK, 9)),
])
def test_classification_at_boundary_days(state, as_of, submitted, completed, expected):
    got = classify(state, DUE, Today(as_of, due_soon_days=7),
                   submitted_at=local_noon(submitted) if submitted else None,
                   completed_at=local_noon(completed) if completed else None)
    assert got == expected


def test_a_submission_late_in_the_evening_local_time_counts_on_its_local_day():
    # 23:30 on the deadline in Hà Nội is 16:30 UTC the same day: on time.
    at = datetime(2026, 3, 10, 16, 30, tzinfo=UTC)
    assert classify(State.COMPLETED, DUE, Today(date(2026, 4, 1)), submitted_at=at).status == D.COMPLETED_ON_TIME
    # 00:30 local on 11 March is 17:30 UTC on 10 March: late.
    late = datetime(2026, 3, 10, 17, 30, tzinfo=UTC)
    assert classify(State.COMPLETED, DUE, Today(date(2026, 4, 1)), submitted_at=late) == Timeliness(D.COMPLETED_LATE, 1)


def test_overdue_review_sorts_by_days_and_keeps_submissions_apart(world):
    # As of 5 Jan 2026 the group 9 reports for 2025-H2 (due 15 Dec 2025) are 21 days overdue.
    ha_noi = world.user("province", "ha-noi")
    hue = world.user("province", "hue")
    world.fire("20/CT-BCT:9:ha-noi:2025-H2", "start", ha_noi)
    world.fire("20/CT-BCT:9:ha-noi:2025-H2", "submit", ha_noi)
    world.fire("20/CT-BCT:9:hue:2025-H2", "start", hue)
    with world.db.session() as s:
        review = overdue_review(s, Today(date(2026, 1, 5)))
        assert len(review.overdue) == 33 and {t.days for t in review.overdue} == {21}
        assert [t.key for t in review.awaiting_review] == ["20/CT-BCT:9:ha-noi:2025-H2"]
        assert review.awaiting_review[0].days == 0
        assert review.overdue[0].title_vi == "Báo cáo khuyến công 6 tháng cuối năm 2025"
        regions = review.counts("region")
        assert regions["north"] + regions["central"] + regions["south"] == 33
        assert overdue_review(s, Today(date(2026, 1, 5)), min_days=22).overdue == []
        assert len(overdue_review(s, Today(date(2026, 1, 5)), min_days=21).overdue) == 33
        assert len(overdue_review(s, Today(date(2026, 1, 5)), Scope(region="south")).overdue) == regions["south"]
        # On the deadline day nothing is overdue yet.
        assert overdue_review(s, Today(date(2025, 12, 15))).overdue == []
        with pytest.raises(InvalidInput, match="field=min_days"):
            overdue_review(s, Today(date(2026, 1, 5)), min_days=-1)


def test_four_cell_matrix_counts_and_on_time_rate(world):
    officer = world.user("province", "ha-noi")
    overseer = world.user("overseer", None)
    early, late = Clock(pinned=date(2025, 12, 1)), Clock(pinned=date(2025, 12, 20))
    world.clock = early
    for trigger, actor in (("start", officer), ("submit", officer), ("accept", overseer)):
        world.fire("20/CT-BCT:1:ha-noi", trigger, actor)
    world.clock = late
    for trigger, actor in (("start", officer), ("submit", officer), ("accept", overseer)):
        world.fire("20/CT-BCT:9:ha-noi:2025-H2", trigger, actor)
    with world.db.session() as s:
        matrix = timeliness_matrix(s, Today(date(2026, 1, 5)))
    cells = matrix.by_province["ha-noi"].counts
    assert (cells["completed_on_time"], cells["completed_late"], cells["overdue"],
            cells["open_within_deadline"]) == (1, 1, 0, 7)
    # The Government Office's rule: group 1 was finished early, its deadline (03/05/2026) has not come, so it
    # is not due yet; the late report is: 0 of 1 task due was completed on time.
    assert matrix.by_province["ha-noi"].on_time_rate == 0.0
    assert (matrix.by_province["ha-noi"].rate.on_time, matrix.by_province["ha-noi"].rate.due) == (0, 1)
    assert matrix.total.counts["overdue"] == 33
    assert sum(c.counts["overdue"] for c in matrix.by_region.values()) == 33
    # Huế has completed nothing, but its half-year report is overdue: 0 of 1 due, not "no rate".
    assert matrix.by_province["hue"].on_time_rate == 0.0


def test_extension_is_audited_and_cancels_old_reminders(world):
    overseer = world.user("overseer", None)
    db = world.db
    result = sweep(db, world.clock)
    assert result.generated["overdue"] == 34
    done = extend(db, world.clock, overseer, date(2026, 1, 30), "Chờ số liệu của xã sau sắp xếp",
                  task_refs=["20/CT-BCT:9:ha-noi:2025-H2"])
    assert [(d.from_due_on, d.to_due_on, d.original_due_on) for d in done] == [
        (date(2025, 12, 15), date(2026, 1, 30), date(2025, 12, 15))]
    with db.session() as s:
        task = s.scalars(select(Task).where(Task.id == s.scalar(
            select(Event.task_id).where(Event.trigger == DeadlineTrigger.EXTEND)))).one()
        assert (task.due_on, task.original_due_on, task.state) == (date(2026, 1, 30), date(2025, 12, 15), "not_started")
        event = task.events[-1]
        assert (event.from_state, event.to_state, event.note) == (
            "not_started", "not_started", "Chờ số liệu của xã sau sắp xếp")
        assert (event.from_due_on, event.to_due_on, event.actor.email) == (
            date(2025, 12, 15), date(2026, 1, 30), overseer)
        pending = s.scalar(select(func.count()).select_from(Reminder).where(
            Reminder.task_id == task.id, Reminder.cancelled_at.is_(None)))
        assert pending == 0
        review = overdue_review(s, Today.of(world.clock))
    assert "20/CT-BCT:9:ha-noi:2025-H2" not in {t.key for t in review.overdue}
    # The extended task now gets reminders for its new deadline only.
    again = sweep(db, Clock(pinned=date(2026, 1, 24)))
    with db.session() as s:
        rows = s.execute(select(Reminder.kind, Reminder.due_on).where(
            Reminder.task_id == task.id, Reminder.cancelled_at.is_(None))).all()
    assert rows == [("before_deadline", date(2026, 1, 30))]
    assert again.generated["before_deadline"] >= 1


def test_group_extension_for_many_provinces_is_all_or_nothing(world):
    overseer = world.user("overseer", None)
    province_user = world.user("province", "ha-noi")
    db = world.db
    with pytest.raises(InvalidInput, match="not_after_deadline"):
        extend(db, world.clock, overseer, date(2025, 12, 15), "x", directive="20/CT-BCT", group=9)
    with pytest.raises(PermissionDenied):
        extend(db, world.clock, province_user, date(2026, 2, 1), "x", directive="20/CT-BCT", group=9)
    with pytest.raises(InvalidInput, match="reason"):
        extend(db, world.clock, overseer, date(2026, 2, 1), "  ", directive="20/CT-BCT", group=9)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Event).where(Event.trigger == "extend")) == 0
    done = extend(db, world.clock, overseer, date(2026, 2, 1), "Gia hạn chung", directive="20/CT-BCT", group=9,
                  period="2025-H2")
    assert len(done) == 34
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Event).where(Event.trigger == "extend")) == 34
        assert overdue_review(s, Today.of(world.clock)).overdue == []


def test_a_limit_cuts_the_lists_never_the_totals(world):
    # As of 30 June 2026, 4 x 34 tasks are overdue, by 4 different deadlines (ties of 34 tasks
    # each, two groups sharing 3 May); five submissions wait for review, submitted on two days.
    day = date(2026, 6, 30)
    ha_noi, hue = world.user("province", "ha-noi"), world.user("province", "hue")
    for when, key, officer in ((date(2026, 6, 1), "20/CT-BCT:1:ha-noi", ha_noi),
                               (date(2026, 6, 1), "20/CT-BCT:1:hue", hue),
                               (date(2026, 6, 2), "20/CT-BCT:2:ha-noi", ha_noi),
                               (date(2026, 6, 2), "20/CT-BCT:5:hue", hue),
                               (date(2026, 6, 2), "20/CT-BCT:5:ha-noi", ha_noi)):
        world.clock = Clock(pinned=when)
        world.fire(key, "start", officer)
        world.fire(key, "submit", officer)
    with world.db.session() as s:
        for scope in (Scope(), Scope(region="north"), Scope(group=5)):
            full = overdue_review(s, Today(day), scope)
            assert full.total == len(full.overdue) and full.awaiting_total == len(full.awaiting_review)
            for limit in (1, 3, 8, 33, 34, 35, 66, 67, 100, 131, 132, 500):
                cut = overdue_review(s, Today(day), scope, limit=limit)
                assert (cut.total, cut.per_province, cut.per_region, cut.awaiting_total) == (
                    full.total, full.per_province, full.per_region, full.awaiting_total)
                assert cut.overdue == full.overdue[:limit] and cut.awaiting_review == full.awaiting_review[:limit]
                data = cut.to_json()
                assert (data["total_overdue"], data["listed_overdue"]) == (full.total, min(limit, full.total))
                assert (data["total_awaiting_review"], data["listed_awaiting_review"]) == (
                    full.awaiting_total, min(limit, full.awaiting_total))
        everything = overdue_review(s, Today(day))
        assert (everything.total, everything.awaiting_total) == (4 * 34 - 5, 5)
        nothing = overdue_review(s, Today(day), limit=0)
        assert nothing.overdue == [] and nothing.total == 131
