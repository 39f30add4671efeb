"""The on-time rate is the Government Office's: done on time over the tasks due by the day, overdue ones included.

Hà Nội's case (issue 22): every completed task on time, other work overdue. The old rate (on time over
completed) said 100 %; the rule counts the open overdue tasks in the denominator, and every view (the
four-cell matrix, `dtrack overdue --matrix`, the national report) shows the same two figures.
"""
from __future__ import annotations

import json
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from dtrack.config.clock import Clock
from dtrack.config.today import Today
from dtrack.reading.overdue import timeliness_matrix
from dtrack.reports.document import ReportOptions
from dtrack.reports.figures import Share
from dtrack.reports.national import national_report
from dtrack.reports.render import cell_text
from dtrack.workflow.timeliness import OnTimeRate, rate_share
from dtrack.workflow.vocabulary import DeadlineStatus
from tests.conftest import TODAY
from tests.scoped_directive import CODE, load_and_assign

REPORT = "20/CT-BCT:9:ha-noi:2025-H2"  # due 15/12/2025


def _ha_noi_done_on_time_with_work_overdue(world) -> None:
    """Hà Nội hands its half-year report in on time (01/12/2025); its craft-village review (due 15/12/2025) is open."""
    load_and_assign(world.db, world.clock)
    officer, overseer = world.user("province", "ha-noi"), world.user("overseer", None)
    world.clock = Clock(pinned=date(2025, 12, 1))
    for trigger, actor in (("start", officer), ("submit", officer), ("accept", overseer)):
        world.fire(REPORT, trigger, actor)
    world.clock = Clock(pinned=TODAY)


def test_a_province_with_overdue_work_is_below_100_percent_in_every_view(world, cli_runner):
    _ha_noi_done_on_time_with_work_overdue(world)
    with world.db.session() as s:
        matrix = timeliness_matrix(s, Today(TODAY))
    cells = matrix.by_province["ha-noi"]
    assert (cells.counts["completed_on_time"], cells.counts["completed_late"], cells.counts["overdue"]) == (1, 0, 1)
    # Completed on time over completed would be 100 %; one of the two tasks due by the day is overdue.
    assert (cells.rate.on_time, cells.rate.due, cells.on_time_rate) == (1, 2, 0.5)

    cli = json.loads(cli_runner("overdue", "--matrix", "--json").output)["provinces"]["ha-noi"]
    assert (cli["rate_on_time"], cli["rate_due"], cli["on_time_rate"]) == (1, 2, 0.5)
    text = cli_runner("overdue", "--matrix").output
    assert next(line for line in text.splitlines() if line.startswith("Hà Nội")).endswith("50,0 % (1/2)")
    assert "Văn phòng Chính phủ" in text.splitlines()[-1]  # the rule, under the table

    # The report of each directive counts that directive's tasks: Directive 20 alone has Hà Nội at 1/1.
    for code, shown in (("20/CT-BCT", (1, 1)), (CODE, (0, 1))):
        with world.db.session() as s:
            report = national_report(s, ReportOptions(Today(TODAY), directive=code))
        row = next(r for r in report.table("province_timeliness").rows if r[0] == "Hà Nội")
        assert (None if row[-1] is None else (row[-1].part, row[-1].whole)) == shown
        assert "Văn phòng Chính phủ" in report.table("province_timeliness").note
    with world.db.session() as s:
        only_20 = timeliness_matrix(s, Today(TODAY), _scope("20/CT-BCT")).by_province["ha-noi"].rate
        only_12 = timeliness_matrix(s, Today(TODAY), _scope(CODE)).by_province["ha-noi"].rate
    assert (only_20.on_time, only_20.due, only_12.on_time, only_12.due) == (1, 1, 0, 1)


def _scope(code: str):
    from dtrack.reading.scope import Scope

    return Scope(directive=code)


def test_a_task_finished_early_waits_for_its_deadline_to_be_rated(world):
    officer, overseer = world.user("province", "ha-noi"), world.user("overseer", None)
    for trigger, actor in (("start", officer), ("submit", officer), ("accept", overseer)):
        world.fire("20/CT-BCT:1:ha-noi", trigger, actor)  # due 03/05/2026: done early
    with world.db.session() as s:
        before = timeliness_matrix(s, Today(TODAY)).by_province["ha-noi"]
        after = timeliness_matrix(s, Today(date(2026, 5, 4))).by_province["ha-noi"]
    # On 05/01/2026 only the half-year report (due 15/12/2025, open) is due: the early task is not judged yet.
    assert before.counts["completed_on_time"] == 1 and (before.rate.on_time, before.rate.due) == (0, 1)
    # Once its deadline has come, it is: done on time.
    assert after.rate.on_time == 1 and after.rate.due >= 2


STATUSES = st.sampled_from(list(DeadlineStatus))
DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))


@given(st.lists(st.tuples(STATUSES, st.none() | DAYS), max_size=40), DAYS)
def test_the_rate_never_passes_100_percent_and_an_overdue_task_keeps_it_below(tasks, as_of):
    rate = OnTimeRate()
    for status, due_on in tasks:
        rate.add(status, due_on, as_of)
    assert 0 <= rate.on_time <= rate.due <= len(tasks)
    assert (rate.value is None) == (rate.due == 0)
    if any(status in (DeadlineStatus.OVERDUE, DeadlineStatus.COMPLETED_LATE) for status, _ in tasks):
        assert rate.value is not None and rate.value < 1
    # The one rule: the rate is the sum of the tasks' shares.
    shares = [rate_share(status, due_on, as_of) for status, due_on in tasks]
    assert (rate.on_time, rate.due) == (sum(s[0] for s in shares), sum(s[1] for s in shares))


@given(st.integers(0, 5000), st.integers(1, 5000))
def test_the_rate_is_written_with_its_denominator_in_each_language(part, extra):
    whole = part + extra - 1 if part else extra
    share = Share(part, whole)
    vi, en = cell_text(share, "vi"), cell_text(share, "en")
    assert vi.endswith(f"({part:,}/{whole:,})".replace(",", ".")) and " %" in vi
    assert en.endswith(f"({part:,}/{whole:,})") and "%" in en and " %" not in en
    assert Share(part, whole) == share and Share(part + 1, whole + 1) != share  # the cell cache tells them apart


def test_a_day_with_nothing_due_shows_a_dash():
    assert cell_text(Share.of(OnTimeRate()), "vi") == "–"
    assert cell_text(Share.of(OnTimeRate(2, 3)), "vi") == "66,7 % (2/3)"
    assert rate_share(DeadlineStatus.COMPLETED_ON_TIME, TODAY, TODAY) == (1, 1)  # due that very day: judged
    assert rate_share(DeadlineStatus.COMPLETED_ON_TIME, TODAY + timedelta(days=1), TODAY) == (0, 0)
    assert rate_share(DeadlineStatus.AWAITING_REVIEW, TODAY - timedelta(days=9), TODAY) == (0, 0)
