"""Totals that add up: on the demo season, every view counts the same tasks on the same day.

The national report, `dtrack overdue --json`, the four-cell matrix and
`dtrack status` (its JSON and its ! marks) must give the same overdue count
for the country, each region and each province, on days where a recurring
group has several periods and later transitions have happened since. The
right figures are computed here from the events table alone (the latest
event before the day ends gives the state), not by the code under test.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from dtrack.config.clock import Clock
from dtrack.config.today import Today
from dtrack.persistence.models import Event, Province, Task
from dtrack.reading.four_cells import CELLS
from dtrack.reports.document import ReportOptions
from dtrack.reports.national import national_report
from dtrack.usecases.demo import OVERSEER, run_demo
from dtrack.workflow.exemption import set_applicability
from dtrack.workflow.vocabulary import DeadlineStatus


@pytest.fixture
def db_url(demo_url) -> str:
    """Every test here starts from the demo season (a copy of the run's template)."""
    return demo_url

DAYS = (date(2025, 12, 31), date(2026, 3, 31), date(2026, 6, 30))
OWED = {"not_started", "in_progress", "returned", "blocked"}


@pytest.fixture
def demo(db):
    run_demo(db)
    return db


def truth(db, day: date) -> dict:
    """Overdue tasks per province and region, states and on-time rates, from deadlines and the events table only.

    The provinces' figures leave out the Department's own tasks (its unit, kind "department") and
    tasks marked not applicable that day (the last exempt/restore event before the day ends).

    The on-time rate's two figures (`rate`: (completed on time, due by the day) per province slug and "all")
    follow the Government Office's rule written out here again: a completed task whose deadline is on or
    before the day is due, and on time when the submission that was accepted came by the deadline; an owed
    task past its deadline is due and not on time.
    """
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    until = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    with db.session() as s:
        tasks = s.execute(select(Task.id, Task.assigned_on, Task.due_on, Province.slug, Province.region)
                          .join(Province, Task.province_id == Province.id)
                          .where(Province.kind != "department")).all()
        last: dict[int, str] = {}
        exempt: dict[int, bool] = {}
        finished: dict[int, datetime] = {}  # the last submission (or acceptance) before the day ended
        for task_id, trigger, to_state, at in s.execute(select(Event.task_id, Event.trigger, Event.to_state, Event.at)
                                                        .where(Event.at < until).order_by(Event.at, Event.id)):
            last[task_id] = to_state
            if trigger in ("exempt", "restore"):
                exempt[task_id] = trigger == "exempt"
            if trigger == "submit" or (trigger == "accept" and task_id not in finished):
                finished[task_id] = at
    per_province: Counter = Counter()
    per_region: Counter = Counter()
    states: Counter = Counter()
    rate: dict[str, list[int]] = {"all": [0, 0]}
    for task_id, assigned_on, due_on, slug, region in tasks:
        if assigned_on > day or exempt.get(task_id):
            continue  # not assigned yet on that day, or marked not applicable
        state = last.get(task_id, "not_started")
        states[state] += 1
        if state in OWED and due_on is not None and due_on < day:
            per_province[slug] += 1
            per_region[region] += 1
        on_time = due = 0
        if state in OWED and due_on is not None and due_on < day:
            due = 1
        elif state == "completed" and due_on is not None and due_on <= day:
            due = 1
            on_time = int(task_id not in finished or finished[task_id].astimezone(zone).date() <= due_on)
        for key in (slug, "all"):
            counts = rate.setdefault(key, [0, 0])
            counts[0] += on_time
            counts[1] += due
    return {"province": per_province, "region": per_region, "states": states, "total": sum(per_region.values()),
            "rate": {key: tuple(counts) for key, counts in rate.items()}}


def _status_marks(output: str) -> int:
    """The overdue marks of `dtrack status`: "!x" is one overdue task in the cell, "3!x" three."""
    rows = output.split("\n\n")[0].splitlines()[2:]  # after the title and the header
    return sum(int(n or 1) for line in rows if not line.startswith("--") for n in re.findall(r"(\d*)!\S", line))


@pytest.mark.parametrize("day", DAYS, ids=[d.isoformat() for d in DAYS])
def test_every_view_counts_the_same_overdue_tasks(demo, cli_runner, day):
    views_agree(demo, cli_runner, day)


def test_a_task_marked_not_applicable_leaves_every_view_from_that_day_on(demo, cli_runner):
    # Marked on 15/04/2026: still counted on 31/03/2026, out of every count on 30/06/2026.
    before, after = date(2026, 3, 31), date(2026, 6, 30)
    late = json.loads(cli_runner("overdue", "--json", "--as-of", after.isoformat()).output)["overdue"]
    key = next(t["key"] for t in late if t["key"] in {
        k["key"] for k in json.loads(cli_runner("overdue", "--json", "--as-of", before.isoformat()).output)["overdue"]})
    set_applicability(demo, Clock(pinned=date(2026, 4, 15)), OVERSEER, key, not_applicable=True,
                      reason="Tỉnh không có làng nghề")
    assert truth(demo, after)["total"] == len(late) - 1  # the independent count sees the mark too
    for day in (before, after):
        views_agree(demo, cli_runner, day)
    listed = json.loads(cli_runner("tasks", "list", "--json", "--as-of", after.isoformat()).output)
    assert next(v for v in listed if v["key"] == key)["deadline_status"] == "not_applicable"
    listed = json.loads(cli_runner("tasks", "list", "--json", "--as-of", before.isoformat()).output)
    assert next(v for v in listed if v["key"] == key)["deadline_status"] == "overdue"


def views_agree(demo, cli_runner, day: date) -> None:
    expected = truth(demo, day)
    assert expected["total"] > 0
    with demo.session() as s:
        slugs = {p.name: p.slug for p in s.scalars(select(Province))}
    as_of = day.isoformat()

    report = national_report_of(demo, day)
    timeliness = report.table("timeliness")
    column = 2 + list(report.extra["statuses"]).index(DeadlineStatus.OVERDUE)
    regional = {row[0]: row[column] for row in timeliness.rows}
    assert report.extra["summary"]["overdue"] == expected["total"]
    assert list(regional.values())[-1] == expected["total"]
    assert sorted(list(regional.values())[:-1]) == sorted(expected["region"][r] for r in ("north", "central", "south"))
    per_province = {slugs[row[0]]: row[column] for row in report.table("province_timeliness").rows}
    assert {k: v for k, v in per_province.items() if v} == dict(expected["province"])
    # The task counts are every task assigned by that day, all periods included.
    assert list(regional.values()) and timeliness.rows[-1][1] == sum(expected["states"].values())
    # The matrix cells (a recurring group shows its latest period) carry the overdue count of all of them.
    assert sum(sum(r["overdue"]) for r in report.extra["matrix"]) == expected["total"]

    overdue = json.loads(cli_runner("overdue", "--json", "--as-of", as_of).output)
    assert overdue["total_overdue"] == overdue["listed_overdue"] == expected["total"]
    assert {k: v for k, v in overdue["per_region"].items() if v} == {k: v for k, v in expected["region"].items()}
    assert overdue["per_province"] == dict(expected["province"])
    # --limit cuts the list, never the totals.
    limited = json.loads(cli_runner("overdue", "--json", "--limit", "5", "--as-of", as_of).output)
    assert limited["listed_overdue"] == min(5, expected["total"]) and limited["total_overdue"] == expected["total"]

    cells = json.loads(cli_runner("overdue", "--matrix", "--json", "--as-of", as_of).output)
    assert cells["total"]["overdue"] == expected["total"]
    assert {r: c["overdue"] for r, c in cells["regions"].items()} == {
        r: expected["region"][r] for r in cells["regions"]}
    assert {p: c["overdue"] for p, c in cells["provinces"].items() if c["overdue"]} == dict(expected["province"])
    assert sum(cells["total"][str(c)] for c in CELLS) == sum(expected["states"].values())

    # The on-time rate: the report's cell, the CLI's JSON and the rule counted here agree, with its denominator.
    report_rates = {slugs[row[0]]: row[-1] for row in report.table("province_timeliness").rows}
    report_rates["all"] = timeliness.rows[-1][-1]
    cli_rates = {p: (c["rate_on_time"], c["rate_due"]) for p, c in cells["provinces"].items()}
    cli_rates["all"] = (cells["total"]["rate_on_time"], cells["total"]["rate_due"])
    for key, (on_time, due) in cli_rates.items():
        assert expected["rate"].get(key, (0, 0)) == (on_time, due), key
        shown = report_rates[key]
        assert (None if shown is None else (shown.part, shown.whole)) == ((on_time, due) if due else None), key
        rate = (cells["total"] if key == "all" else cells["provinces"][key])["on_time_rate"]
        assert rate == (on_time / due if due else None)
    assert expected["rate"]["all"][1] > expected["rate"]["all"][0], "some task due by the day was not done on time"
    text = cli_runner("overdue", "--matrix", "--as-of", as_of).output
    on_time, due = expected["rate"]["all"]
    assert f"({on_time}/{due})" in text and "Văn phòng Chính phủ" in text

    status = json.loads(cli_runner("status", "--json", "--as-of", as_of).output)
    assert sum(sum(p["overdue"].values()) for p in status["provinces"]) == expected["total"]
    assert {p["slug"]: sum(p["overdue"].values()) for p in status["provinces"]
            if sum(p["overdue"].values())} == dict(expected["province"])
    assert status["totals"]["all"]["deadline"].get("overdue", 0) == expected["total"]
    assert status["totals"]["all"]["states"] == dict(expected["states"])
    for region in ("north", "central", "south"):
        assert status["totals"][region]["deadline"].get("overdue", 0) == expected["region"][region]
    text = cli_runner("status", "--as-of", as_of, "--lang", "en")
    assert _status_marks(text.output) == expected["total"]


def national_report_of(db, day: date):
    with db.session() as s:
        return national_report(s, ReportOptions(Today(day)))


def test_the_report_matrix_shows_how_many_periods_of_a_cell_are_overdue(demo):
    # On 30/06/2026 group 9 has several periods (2025-H2, 2026-H1, ...); the cell shows the latest
    # but says how many of them are overdue.
    report = national_report_of(demo, date(2026, 6, 30))
    groups = report.extra["groups"]
    nine = groups.index(9)
    both = [r for r in report.extra["matrix"] if r["overdue"][nine] == 2]
    assert both, "some province is late on both report periods"
    row = next(r for r in report.table("matrix").rows if r[0] == both[0]["name"])
    periods = both[0]["tasks"][nine]
    assert periods >= 2 and f"2/{periods} kỳ quá hạn" in row[2 + nine]
    with demo.session() as s:
        latest = max(s.scalars(select(Task.period).join(Province).where(
            Province.slug == both[0]["province"].slug, Task.period != "", Task.assigned_on <= date(2026, 6, 30))))
    assert both[0]["cells"][nine].task.period == latest
    # One overdue period in a single-period cell needs no count.
    single = [c for r in report.extra["matrix"]
              for c, n, t in zip(r["cells"], r["overdue"], r["tasks"], strict=True) if t == 1 and n]
    assert single and all("kỳ quá hạn" not in text for r in report.table("matrix").rows for text in r[2:2 + nine])
