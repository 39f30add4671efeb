"""Opening many periods at once writes rows in batches and holds no ORM objects (issue 12: flat sweep memory)."""
from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from dtrack.persistence.models import Task
from dtrack.workflow import assignments
from dtrack.workflow.assignments import open_periods


def test_years_of_missed_periods_are_inserted_in_batches_without_objects(db, monkeypatch):
    monkeypatch.setattr(assignments, "INSERT_BATCH", 7)  # several batches even on the 34 provinces
    now = datetime(2030, 1, 2, tzinfo=UTC)
    with db.session() as session:
        before = session.scalar(select(func.count()).select_from(Task))
        created = open_periods(session, date(2029, 12, 31), now)
        held = [obj for obj in session.identity_map.values() if isinstance(obj, Task)]
        after = session.scalar(select(func.count()).select_from(Task))
    assert created > 7 and after - before == created
    assert held == [] and created % 34 == 0  # every period for every province, none as an object
    with db.session() as session:
        assert open_periods(session, date(2029, 12, 31), now) == 0  # and never twice
        periods = session.execute(
            select(Task.period, func.count()).where(Task.period != "").group_by(Task.period)).all()
    assert all(count == 34 for _, count in periods)
