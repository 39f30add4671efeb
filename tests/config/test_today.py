"""`Today`: one day, zone and due-soon window, built once at the edge and read the same way everywhere."""
from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from dtrack.config.clock import Clock
from dtrack.config.today import Today
from dtrack.workflow.timeliness import classify
from dtrack.workflow.vocabulary import DEPARTMENT_SLUG, DeadlineStatus, State


def test_the_day_ends_at_midnight_in_its_zone():
    hanoi, utc = Today(date(2026, 1, 5)), Today(date(2026, 1, 5), "UTC")
    assert hanoi.ends_at() == datetime(2026, 1, 5, 17, 0, tzinfo=UTC)  # 00:00 on the 6th in Hà Nội
    assert utc.ends_at() == datetime(2026, 1, 6, 0, 0, tzinfo=UTC)
    evening = datetime(2026, 1, 5, 18, 30, tzinfo=UTC)  # 01:30 on the 6th in Hà Nội
    assert (hanoi.local_date(evening), utc.local_date(evening)) == (date(2026, 1, 6), date(2026, 1, 5))
    assert hanoi.on(date(2026, 1, 1)) == Today(date(2026, 1, 1))
    assert Today.of(Clock("UTC", date(2026, 1, 5)), 3) == Today(date(2026, 1, 5), "UTC", 3)


def test_one_value_carries_the_due_soon_window_and_the_zone_into_the_verdict():
    due = date(2026, 1, 15)
    assert classify(State.IN_PROGRESS, due, Today(date(2026, 1, 5))).status == DeadlineStatus.ON_TRACK
    assert classify(State.IN_PROGRESS, due, Today(date(2026, 1, 5), due_soon_days=10)).status == DeadlineStatus.DUE_SOON
    submitted = datetime(2026, 1, 15, 18, 0, tzinfo=UTC)  # the 16th in Hà Nội, still the 15th in UTC
    late = classify(State.COMPLETED, due, Today(date(2026, 2, 1)), submitted_at=submitted)
    on_time = classify(State.COMPLETED, due, Today(date(2026, 2, 1), "UTC"), submitted_at=submitted)
    assert (late.status, on_time.status) == (DeadlineStatus.COMPLETED_LATE, DeadlineStatus.COMPLETED_ON_TIME)


@pytest.mark.parametrize("as_of", ["2026-04-20", "20/04/2026", "2026-10-01"])
def test_as_of_given_once_is_the_day_of_the_list_the_overdue_review_and_the_status(world, cli_runner, monkeypatch,
                                                                                  as_of):
    """One --as-of (typed either way, over DTRACK_TODAY) and a wide due-soon window: every view judges alike."""
    monkeypatch.setenv("DTRACK_DUE_SOON_DAYS", "40")
    day = date(2026, 10, 1) if as_of.startswith("2026-10") else date(2026, 4, 20)

    def answer(*args: str) -> Any:
        result = cli_runner(*args, "--directive", "20/CT-BCT", "--as-of", as_of, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    tasks, review, status = answer("tasks", "list"), answer("overdue"), answer("status")
    assert review["as_of"] == status["as_of"] == day.isoformat()
    assert all(date.fromisoformat(t["assigned_on"]) <= day for t in tasks)

    def keys(deadline_status: str, *, provinces_only: bool = False) -> set[str]:
        return {t["key"] for t in tasks if t["deadline_status"] == deadline_status
                and not (provinces_only and t["province"] == DEPARTMENT_SLUG)}

    assert keys("overdue") == {t["key"] for t in review["overdue"] + review["department_overdue"]}
    assert keys("due_soon"), "the window of 40 days reaches the list"
    counted = status["totals"]["all"]["deadline"]
    assert {name: counted.get(name, 0) for name in ("overdue", "due_soon", "on_track")} == {
        name: len(keys(name, provinces_only=True)) for name in ("overdue", "due_soon", "on_track")}
