"""The overseer's dashboard and the provinces' scorecard as pages, on the demo season (both back-ends).

The page's figures are the review's and the four cells' (the JSON of /overdue and /matrix, worked out by
other code), a tile per province links to its overdue list, the charts are SVG with titles and need no
script, numbers are written the Vietnamese way, and a past day is shown as it stood.
"""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dtrack.usecases.demo import SEASON_END
from dtrack.web.charts import BANDS, _nice, band
from tests.reports.test_totals import truth


@pytest.fixture
def db_url(demo_url) -> str:
    """Every test here starts from the demo season (a copy of the run's template)."""
    return demo_url


@pytest.fixture
def overseer(site):
    noon = datetime.combine(SEASON_END, time(12), tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")).astimezone(UTC)
    object.__setattr__(site.clock, "_now", noon)
    return site.client("overseer")


def test_the_overseer_lands_on_the_dashboard_and_its_figures_are_the_lists(site, overseer):
    assert overseer.get("/").headers["location"] == "/dashboard"
    page = overseer.get("/dashboard")
    assert page.status_code == 200
    html = page.text
    data = overseer.get("/dashboard?format=json").json()
    review = overseer.get("/overdue?format=json").json()
    cells = overseer.get("/matrix?format=json").json()
    assert {p["slug"]: p["overdue"] for p in data["provinces"] if p["overdue"]} == review["per_province"]
    assert data["total"]["overdue"] == review["total_overdue"]
    assert (data["total"]["on_time"], data["total"]["due"]) == (cells["total"]["rate_on_time"],
                                                               cells["total"]["rate_due"])
    for region, counts in data["regions"].items():
        assert counts["overdue"] == cells["regions"][region]["overdue"]
        assert counts["completed_late"] == cells["regions"][region]["completed_late"]
    # A tile per province, each linking to the province's overdue list.
    tiles = re.findall(r'<a href="/overdue\?province=([a-z-]+)" aria-label="[^"]+" data-province="\1"', html)
    assert len(tiles) == len(set(tiles)) == 34
    # The KPI: the rate with its denominator, written the Vietnamese way ("34,4 %").
    rate = data["total"]["on_time"] / data["total"]["due"]
    shown = f"{rate * 100:.1f}".replace(".", ",") + " %"
    assert f'data-kpi="on_time_rate">{shown}<' in html
    assert f'{data["total"]["on_time"]}/{data["total"]["due"]}' in html
    # The call list: the ten provinces, each a link to its list.
    for slug in data["call_list"]:
        assert f'<li data-province="{slug}"><a href="/overdue?province={slug}">' in html


def test_the_page_works_without_script_and_its_charts_say_what_they_show(overseer):
    html = overseer.get("/dashboard").text
    assert "<script" not in html
    assert html.count("<svg") >= 3
    for svg in re.findall(r"<svg[^>]*>.*?</svg>", html, flags=re.S):
        assert "<title" in svg and ('aria-labelledby="' in svg or 'aria-hidden="true"' in svg)
    assert re.search(r"\d+,\d %", html) and not re.search(r"\d+\.\d ?%", html)
    assert "/static/dashboard.css" in html
    assert "Văn phòng Chính phủ" in html  # the rule under the figures


def test_a_past_day_is_shown_as_it_stood(site, overseer):
    day = date(2026, 3, 31)
    data = overseer.get(f"/dashboard?as_of={day.isoformat()}&format=json").json()
    expected = truth(site.db, day)
    assert data["as_of"] == day.isoformat()
    assert {p["slug"]: p["overdue"] for p in data["provinces"] if p["overdue"]} == dict(expected["province"])
    assert (data["total"]["on_time"], data["total"]["due"]) == expected["rate"]["all"]
    assert data["trend"][-1]["day"] == day.isoformat()
    page = overseer.get("/dashboard?as_of=31/03/2026").text
    assert "31/03/2026" in page


def test_wrong_filters_are_said_beside_them(overseer):
    page = overseer.get("/dashboard?directive=khong-co")
    assert page.status_code == 422 and 'data-field="directive"' in page.text
    page = overseer.get("/dashboard?as_of=2027-01-01")
    assert page.status_code == 422 and 'id="as_of-error"' in page.text
    page = overseer.get("/scorecard?year=abc")
    assert page.status_code == 422 and 'id="year-error"' in page.text
    assert "--" not in re.sub(r"<!--.*?-->", "", page.text).split("<main")[1].replace("–", "")


def test_the_scorecard_ranks_every_province_with_its_formula(overseer):
    page = overseer.get("/scorecard?year=2026")
    assert page.status_code == 200
    html = page.text
    data = overseer.get("/scorecard?year=2026&format=json").json()
    assert len(data["rows"]) == 34 and data["rows"][0]["rank"] == 1
    assert html.count("<tr data-province=") == 34
    assert "Cách tính" in html and "Xếp hạng:" in html and "Tỷ lệ đúng hạn =" in html
    first = data["rows"][0]
    assert f'data-province="{first["slug"]}" data-rank="1"' in html


def test_the_province_sees_its_own_rank_and_trend(site):
    noon = datetime.combine(SEASON_END, time(12), tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")).astimezone(UTC)
    object.__setattr__(site.clock, "_now", noon)
    officer = site.client("own")
    html = officer.get("/province").text
    assert 'class="rank-block"' in html and 'data-of="34"' in html
    overseer = site.client("overseer")
    rows = overseer.get("/scorecard?format=json").json()["rows"]
    mine = next(r for r in rows if r["slug"] == "ha-noi")
    assert f'data-rank="{mine["rank"]}"' in html
    assert officer.get("/dashboard").status_code == 403


@given(st.integers(0, 10**7))
def test_the_overdue_scale_has_four_whole_round_steps(value):
    top = _nice(value)
    assert top >= max(value, 1) and top % 4 == 0 and top <= max(8, 2 * value + 8)
    step = top // 4
    assert str(step).rstrip("0") in ("1", "2", "25", "5")


@given(st.one_of(st.none(), st.floats(0, 1)))
def test_every_share_falls_in_one_band_of_the_legend(share):
    assert band(share) in {"none", *(name for _, name in BANDS)}
    if share is not None and share >= 0.5:
        assert band(share) == "b4"
    if share == 0:
        assert band(share) == "b0"
