"""A continuous group's checkpoint, once judged, stays counted after the sweep moves the task on (issue 22).

Group 3 of Directive 20 is continuous: its first review checkpoint is 03/11/2026 (12 months after
the assignment on 03/11/2025). Hà Nội's review is accepted before it (on time); Huế's after it (late).
The sweep of 04/11/2026 takes both back to "in progress" against 03/11/2027. Every view that counts
keeps each review as a completed task of the 2026 checkpoint, on time or late: the four-cell matrix
and its on-time rate, the status matrix, the national report and `dtrack overdue --matrix`.
"""
from __future__ import annotations

import json
from datetime import date

from dtrack.config.clock import Clock
from dtrack.config.today import Today
from dtrack.reading.overdue import timeliness_matrix
from dtrack.reading.status import status_matrix
from dtrack.reports.document import ReportOptions
from dtrack.reports.national import national_report
from dtrack.workflow.checkpoints import judged_checkpoints
from dtrack.workflow.reminders import sweep
from dtrack.workflow.tasks import find_task
from dtrack.workflow.vocabulary import DeadlineStatus, State

CHECKPOINT, NEXT = date(2026, 11, 3), date(2027, 11, 3)
BEFORE, SWEPT, LATER = date(2026, 11, 3), date(2026, 11, 4), date(2026, 11, 20)


def _review(world, province: str, on: date) -> None:
    officer, overseer = world.user("province", province), world.user("overseer", None)
    world.clock = Clock(pinned=on)
    for trigger, actor in (("start", officer), ("submit", officer), ("accept", overseer)):
        world.fire(f"20/CT-BCT:3:{province}", trigger, actor)


def _figures(world, day: date) -> dict:
    today = Today(day)
    with world.db.session() as s:
        cells = timeliness_matrix(s, today)
        status = status_matrix(s, "20/CT-BCT", today)
        report = national_report(s, ReportOptions(today))
        ids = {p.slug: p.id for p in status.provinces}
    names = {"ha-noi": "Hà Nội", "hue": "Huế"}
    column = {status: 2 + list(report.extra["statuses"]).index(status)
              for status in (DeadlineStatus.COMPLETED_ON_TIME, DeadlineStatus.COMPLETED_LATE)}
    rows = {r[0]: r for r in report.table("province_timeliness").rows}
    found = {}
    for slug in ("ha-noi", "hue"):
        four = cells.by_province[slug]
        timely = status.all_timeliness.get((ids[slug], 3), {})
        row = rows[names[slug]]
        found[slug] = {
            "matrix": (four.counts["completed_on_time"], four.counts["completed_late"]),
            "status": (timely.get(DeadlineStatus.COMPLETED_ON_TIME, 0), timely.get(DeadlineStatus.COMPLETED_LATE, 0)),
            "report": (row[column[DeadlineStatus.COMPLETED_ON_TIME]], row[column[DeadlineStatus.COMPLETED_LATE]]),
            "rate": (four.rate.on_time, four.rate.due),
            "report_rate": (row[-1].part, row[-1].whole) if row[-1] is not None else None,
        }
    return found


def test_a_checkpoint_accepted_on_time_or_late_stays_counted_after_the_sweep(world, cli_runner, monkeypatch):
    _review(world, "ha-noi", date(2026, 10, 20))  # before the checkpoint: on time
    _review(world, "hue", date(2026, 11, 3))  # on the checkpoint day itself: still on time
    before = _figures(world, BEFORE)
    assert before["ha-noi"]["matrix"][0] >= 1 and before["hue"]["matrix"][0] >= 1

    result = sweep(world.db, Clock(pinned=SWEPT))
    assert result.checkpoints == 2
    with world.db.session() as s:
        task = find_task(s, "20/CT-BCT:3:ha-noi")[0]
        assert (task.state, task.due_on) == (State.IN_PROGRESS, NEXT)  # the work goes on
        judged = judged_checkpoints(s, Today(SWEPT), [task.id])[task.id]
    assert [(j.due_on, j.timeliness(Today(SWEPT)).status) for j in judged] == [
        (CHECKPOINT, DeadlineStatus.COMPLETED_ON_TIME)]

    after = _figures(world, SWEPT)
    for slug in ("ha-noi", "hue"):
        # The judged checkpoint is still completed on time in every view, and still in the rate.
        assert after[slug]["matrix"] == after[slug]["status"] == after[slug]["report"] == before[slug]["matrix"]
        assert after[slug]["rate"] == after[slug]["report_rate"]
        assert after[slug]["rate"][0] >= 1
    # The command line counts it too.
    monkeypatch.setenv("DTRACK_TODAY", SWEPT.isoformat())
    cli = json.loads(cli_runner("overdue", "--matrix", "--json").output)["provinces"]["ha-noi"]
    assert (cli["completed_on_time"], cli["completed_late"]) == after["ha-noi"]["matrix"]
    assert (cli["rate_on_time"], cli["rate_due"]) == after["ha-noi"]["rate"]


def test_a_checkpoint_reviewed_late_stays_late(world):
    _review(world, "hue", date(2026, 11, 10))  # a week after the checkpoint: late
    late = _figures(world, LATER)["hue"]
    assert late["matrix"][1] == 1
    sweep(world.db, Clock(pinned=LATER))
    for day in (LATER, date(2027, 1, 5)):  # the sweep's day, and later on
        after = _figures(world, day)["hue"]
        assert after["matrix"] == after["status"] == after["report"] == late["matrix"]
        assert after["rate"] == after["report_rate"] and after["rate"][1] > after["rate"][0]
    with world.db.session() as s:
        task = find_task(s, "20/CT-BCT:3:hue")[0]
        assert task.due_on == NEXT and task.state == State.IN_PROGRESS


def test_a_past_day_before_the_sweep_counts_the_review_once(world):
    _review(world, "ha-noi", date(2026, 10, 20))
    sweep(world.db, Clock(pinned=SWEPT))
    # On 30/10/2026 the task stood completed (replayed) and nothing had moved yet: counted once.
    with world.db.session() as s:
        cells = timeliness_matrix(s, Today(date(2026, 10, 30))).by_province["ha-noi"]
        assert judged_checkpoints(s, Today(date(2026, 10, 30))) == {}
    assert cells.counts["completed_on_time"] == 1
