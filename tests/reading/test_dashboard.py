"""The dashboard's figures agree with the overdue review, the four cells and the on-time rule, on the demo season.

The expected figures are worked out again here from the deadlines and the events table alone
(`tests.reports.test_totals.truth`), for today, for past days and for every month's end of the trend;
the four cells per region are the four-cell matrix's (`reading.four_cells`, which judges task by task).
"""
from __future__ import annotations

import calendar
import tomllib
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dtrack.config.today import Today
from dtrack.reading.dashboard import CALL_LIST, Counts, ProvinceFigures, call_list, dashboard, month_ends
from dtrack.reading.dashboard_sql import FIELDS
from dtrack.reading.four_cells import timeliness_matrix
from dtrack.reading.overdue import overdue_review
from dtrack.reading.scope import Scope
from dtrack.reading.scorecard import ScoreRow, ranked, scorecard
from dtrack.seeds import __file__ as seeds_init
from dtrack.usecases.demo import SEASON_END
from dtrack.web.tile_map import TILES, place
from tests.reports.test_totals import DAYS, truth


@pytest.fixture(autouse=True)
def time_for_every_month(monkeypatch):
    """Every month of the trend worked out on the first page, however loaded the machine (one test says otherwise)."""
    from dtrack.reading import dashboard as module

    monkeypatch.setattr(module, "MONTH_BUDGET", 600.0)


# Past days (events after them are replayed from the audit trail) and the season's last day (rows as they stand).
SEASON_DAYS = (*DAYS, date(2026, 2, 14))
CELLS = {"completed_on_time": "completed_on_time", "completed_late": "completed_late",
         "within": "open_within_deadline", "overdue": "overdue", "awaiting": "awaiting_review"}


@pytest.mark.parametrize("day", SEASON_DAYS, ids=[d.isoformat() for d in SEASON_DAYS])
def test_the_dashboard_agrees_with_the_events_the_review_and_the_four_cells(demo_db, day):
    expected = truth(demo_db, day)
    today = Today(day)
    with demo_db.session() as session:
        found = dashboard(session, today)
        review = overdue_review(session, today)
        cells = timeliness_matrix(session, today)
    assert len(found.provinces) == 34
    overdue = {p.slug: p.counts.overdue for p in found.provinces if p.counts.overdue}
    assert overdue == dict(expected["province"]) == dict(review.per_province)
    rates = {p.slug: (p.counts.on_time, p.counts.due) for p in found.provinces if p.counts.due}
    assert rates == {slug: r for slug, r in expected["rate"].items() if slug != "all" and r[1]}
    assert (found.total.on_time, found.total.due) == expected["rate"]["all"]
    for region, counts in found.regions.items():
        theirs = cells.by_region[region]
        assert {ours: counts.figures[ours] for ours in CELLS} == {
            ours: theirs.counts[cell] for ours, cell in CELLS.items()}
        assert (counts.on_time, counts.due) == (theirs.rate.on_time, theirs.rate.due)
        assert counts.overdue == expected["region"][region]
    # Share overdue: the open overdue tasks over the tasks due (the rate's denominator).
    for p in found.provinces:
        assert p.counts.share_overdue == (p.counts.overdue / p.counts.due if p.counts.due else None)


def test_the_trend_is_each_month_end_as_it_stood(demo_db):
    with demo_db.session() as session:
        found = dashboard(session, Today(SEASON_END))
    assert found.trend[0].day == date(2025, 11, 30) and found.trend[-1].day == SEASON_END
    for point in found.trend:
        expected = truth(demo_db, point.day)
        assert (point.counts.on_time, point.counts.due) == expected["rate"]["all"], point.day
        assert point.counts.overdue == expected["total"], point.day
    assert found.trend[-1].counts.figures == found.total.figures


def test_a_directive_narrows_every_figure(demo_db):
    with demo_db.session() as session:
        every = dashboard(session, Today(SEASON_END))
        one = dashboard(session, Today(SEASON_END), Scope(directive="20/CT-BCT"))
        none = dashboard(session, Today(SEASON_END), Scope(directive="no-such-directive"))
    assert one.total.figures == every.total.figures  # the demo's tasks are all Directive 20's
    assert none.total.due == 0 and none.trend == [] and none.call_list == []


def test_the_call_list_follows_its_rule(demo_db):
    with demo_db.session() as session:
        found = dashboard(session, Today(SEASON_END))
    assert 0 < len(found.call_list) <= CALL_LIST
    keys = [(-p.counts.overdue_days, -p.counts.overdue) for p in found.call_list]
    assert keys == sorted(keys)
    left_out = [p for p in found.provinces if p not in found.call_list and p.counts.overdue]
    assert all((-p.counts.overdue_days, -p.counts.overdue) >= keys[-1] for p in left_out)


def test_the_scorecard_counts_the_tasks_due_in_the_year(demo_db):
    with demo_db.session() as session:
        card = scorecard(session, Today(SEASON_END), 2026, Scope())
        whole = dashboard(session, Today(SEASON_END))
    assert len(card.rows) == 34 and card.rows[0].rank == 1
    ranks = [r.rank for r in card.rows]
    assert ranks == sorted(ranks)
    # The demo's deadlines before 2026 are few: the year's tasks are at most the whole season's.
    for row in card.rows:
        mine = whole.province(row.slug)
        assert mine is not None and row.counts.due <= mine.counts.due and row.counts.tasks <= mine.counts.tasks
    with demo_db.session() as session:
        last_year = scorecard(session, Today(SEASON_END), 2025, Scope())
    assert last_year.as_of == date(2025, 12, 31)  # a past year is judged at its end


def _counts(draw_values: list[int]) -> Counts:
    return Counts(dict(zip(FIELDS, draw_values, strict=True)))


counts_strategy = st.lists(st.integers(0, 50), min_size=len(FIELDS), max_size=len(FIELDS)).map(_counts)


@given(st.lists(counts_strategy, max_size=40))
def test_the_call_list_is_the_most_overdue_days_first(all_counts):
    provinces = [ProvinceFigures(f"p{i}", f"P{i}", f"P{i}", "north", None, c) for i, c in enumerate(all_counts)]
    chosen = call_list(provinces)
    assert len(chosen) == min(CALL_LIST, sum(1 for p in provinces if p.counts.overdue))
    assert all(p.counts.overdue for p in chosen)
    days = [p.counts.overdue_days for p in chosen]
    assert days == sorted(days, reverse=True)


@given(st.lists(counts_strategy, min_size=1, max_size=40))
def test_ranks_follow_the_rule_and_equals_share_one(all_counts):
    rows = ranked([ScoreRow(0, f"p{i:02}", "", "", "north", c) for i, c in enumerate(all_counts)])
    assert rows[0].rank == 1
    for before, after in zip(rows, rows[1:], strict=False):
        rate_before = before.counts.on_time_rate if before.counts.on_time_rate is not None else -1
        rate_after = after.counts.on_time_rate if after.counts.on_time_rate is not None else -1
        assert rate_before >= rate_after
        if rate_before == rate_after and before.average_days_late is not None and after.average_days_late is not None:
            assert before.average_days_late <= after.average_days_late
        assert after.rank == before.rank or after.rank == rows.index(after) + 1


@given(st.dates(date(2000, 1, 1), date(2100, 1, 1)), st.integers(0, 2000))
def test_month_ends_run_from_the_start_to_the_day(began, length):
    as_of = began + timedelta(days=length)
    days = month_ends(began, as_of)
    assert days[-1] == as_of and days == sorted(days) and len(set(days)) == len(days)
    for day in days[:-1]:
        assert day.day == calendar.monthrange(day.year, day.month)[1] and day < as_of


def test_every_province_of_the_seeds_has_its_own_tile():
    from pathlib import Path

    seeds = tomllib.loads((Path(seeds_init).parent / "provinces.toml").read_text(encoding="utf-8"))
    codes = [p["code"] for p in seeds["provinces"]]
    assert sorted(codes) == sorted(TILES)
    placed = place(codes)
    assert len(set(placed)) == len(placed) == 34
    # North to south: every northern unit's row above every southern one's.
    north = max(TILES[p["code"]][1] for p in seeds["provinces"] if p["region"] == "north")
    south = min(TILES[p["code"]][1] for p in seeds["provinces"] if p["region"] == "south")
    assert north < south
    assert place(["99", None]) == [(0, 16), (1, 16)]  # a unit without a tile still gets one, below the map


def test_months_not_worked_out_in_time_come_on_later_pages(demo_db, monkeypatch):
    """(A closed month kept, and seen again after a deadline moves: tests/reading/test_dashboard_kept.py.)"""
    from sqlalchemy import delete

    from dtrack.persistence.dashboard_models import DashboardFigures
    from dtrack.reading import dashboard as module

    with demo_db.engine.begin() as connection:
        connection.execute(delete(DashboardFigures))
    monkeypatch.setattr(module, "MONTH_BUDGET", 0.0)
    with demo_db.session() as session:
        first = dashboard(session, Today(SEASON_END))
    assert [p.counts is None for p in first.trend] == [True] * (len(first.trend) - 1) + [False]
    assert first.to_json()["trend"][0]["overdue"] is None
    monkeypatch.setattr(module, "MONTH_BUDGET", 60.0)
    with demo_db.session() as session:
        later = dashboard(session, Today(SEASON_END))
    assert all(p.counts is not None for p in later.trend)
