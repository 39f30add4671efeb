"""The web's overdue list, status matrix and four-cell matrix count what `dtrack overdue` counts, on the demo."""
from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from dtrack.usecases.demo import run_demo
from tests.reports.test_totals import DAYS, truth


@pytest.fixture
def db_url(demo_url) -> str:
    """Every test here starts from the demo season (a copy of the run's template)."""
    return demo_url


@pytest.mark.parametrize("day", DAYS, ids=[d.isoformat() for d in DAYS])
def test_web_totals_agree_with_the_events(site, day: date):
    run_demo(site.db)
    noon = datetime.combine(day, time(12), tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")).astimezone(UTC)
    object.__setattr__(site.clock, "_now", noon)
    overseer = site.client("overseer")
    expected = truth(site.db, day)
    overdue = overseer.get("/overdue?format=json").json()
    assert overdue["total_overdue"] == expected["total"]
    assert overdue["per_province"] == dict(expected["province"])
    assert len(overdue["overdue"]) == min(50, expected["total"])  # one page of the list, the whole count
    south = overseer.get("/overdue?format=json&region=south").json()
    assert south["total_overdue"] == expected["region"]["south"]
    cells = overseer.get("/matrix?format=json").json()
    assert cells["total"]["overdue"] == expected["total"]
    status = overseer.get("/status?format=json").json()
    assert sum(sum(p["overdue"].values()) for p in status["provinces"]) == expected["total"]
    page = overseer.get("/status")
    assert page.text.count('class="overdue-mark"') == sum(
        1 for p in status["provinces"] for n in p["overdue"].values() if n)
