"""The web's overdue list, status matrix and four-cell matrix count what `dtrack overdue` counts, on the demo."""
from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from dtrack.accounts.api_tokens import create_token
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
    # The on-time rate (the Government Office's rule) on the page, its JSON and the API: the same two figures.
    on_time, due = expected["rate"]["all"]
    assert (cells["total"]["rate_on_time"], cells["total"]["rate_due"]) == (on_time, due)
    assert {p: (c["rate_on_time"], c["rate_due"]) for p, c in cells["provinces"].items() if c["rate_due"]} == {
        p: r for p, r in expected["rate"].items() if p != "all" and r[1]}
    user_id = site.scalar("SELECT id FROM users WHERE email = :e", e=site.emails["overseer"])
    token = create_token(site.db, site.clock, user_id, "tổng hợp", 30).token
    api = site.anonymous()
    api.headers["Authorization"] = f"Bearer {token}"
    assert api.get("/api/v1/matrix").json() == cells
    page = overseer.get("/matrix").text
    total_row = page.split('class="total"')[1].split("</tr>")[0]
    assert f'data-on-time="{on_time}" data-due="{due}"' in total_row and f"({on_time}/{due})" in total_row
    assert 'data-legend="on-time-rate"' in page and "Văn phòng Chính phủ" in page
    status = overseer.get("/status?format=json").json()
    assert sum(sum(p["overdue"].values()) for p in status["provinces"]) == expected["total"]
    page = overseer.get("/status")
    assert page.text.count('class="overdue-mark"') == sum(
        1 for p in status["provinces"] for n in p["overdue"].values() if n)
