"""The state of tasks at the end of a day: the shortcut (replay only the tasks changed since) is the full replay."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from dtrack.config.clock import Clock
from dtrack.config.today import Today
from dtrack.persistence.models import Task
from dtrack.usecases.demo import SEASON_END, SEASON_START
from dtrack.workflow.history import STANDING_COLUMNS, replay, standing_rows
from dtrack.workflow.tasks import list_tasks


@pytest.fixture
def db_url(demo_url) -> str:
    """Every test here starts from the demo season (a copy of the run's template)."""
    return demo_url


season = st.dates(min_value=SEASON_START - timedelta(days=3), max_value=SEASON_END + timedelta(days=3))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=season)
def test_standing_on_a_day_is_the_replay_of_every_event_until_it_ends(db, day: date):
    today = Today.of(Clock(pinned=day))
    with db.session() as s:
        got = {row.id: standing for row, standing in standing_rows(s, select(*STANDING_COLUMNS), today)}
        assigned = set(s.scalars(select(Task.id).where(Task.assigned_on <= day)))
        assert set(got) == assigned  # tasks not yet assigned that day do not count
        assert got == replay(s, assigned, today.ends_at())
        # tasks list gives the same states.
        assert {v.id: v.state for v in list_tasks(s, today=today)} == {i: g.state for i, g in got.items()}
