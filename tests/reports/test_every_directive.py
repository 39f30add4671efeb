"""The report over every directive (`dtrack report national --directive all`): its counts are the national reports'.

On the demo season with the shipped example directive loaded and assigned to every province beside
Directive 20: each directive's line holds what that directive's own national report counts (tasks,
completed, completed on time, overdue, the on-time rate's denominator), today and on a past day
(with events after it); the regions and the provinces add up to the country; every format renders;
a bad request is one Vietnamese line.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest

from dtrack.config.today import Today
from dtrack.reports.document import ReportOptions
from dtrack.reports.every_directive import every_directive_report
from dtrack.reports.national import national_report
from dtrack.seeds import EXAMPLE_DIRECTIVE_FILE

PAST = date(2026, 3, 1)  # the demo season has events after it (to 30/06/2026)
LATER = date(2026, 7, 1)  # after the season: every task stands as its row says
HEADS = ("tasks", "completed", "on_time", "overdue")


@pytest.fixture
def db_url(demo_url) -> str:
    return demo_url


@pytest.fixture
def two_directives(cli_runner) -> list[str]:
    """Directive 20 and the shipped example, assigned to every province."""
    loaded = cli_runner("directive", "load", str(EXAMPLE_DIRECTIVE_FILE))
    assert loaded.exit_code == 0, loaded.output
    code = re.search(r"(EX-\S+?):?\s", loaded.output).group(1)
    assigned = cli_runner("directive", "assign", code, "--provinces", "all")
    assert assigned.exit_code == 0, assigned.output
    return ["20/CT-BCT", code]


def _line(report, code: str) -> dict[str, int]:
    row = next(r for r in report.table("directives").rows if r[0] == code)
    return dict(zip(HEADS, row[2:6], strict=True)) | {"due": row[7].whole if row[7] else 0}


@pytest.mark.parametrize("day", [LATER, PAST], ids=["after the season", "past day"])
def test_each_directive_counts_what_its_national_report_counts(db, two_directives, day):
    with db.session() as session:
        every = every_directive_report(session, ReportOptions(Today(day)))
        for code in two_directives:
            one = national_report(session, ReportOptions(Today(day), directive=code))
            summary = one.extra["summary"]
            rate = one.extra["on_time_rate"]
            assert _line(every, code) == {"tasks": summary["tasks"], "completed": summary["completed"],
                                          "on_time": summary["on_time"], "overdue": summary["overdue"],
                                          "due": rate.whole if rate else 0}, code
    assert [r[0] for r in every.table("directives").rows][:-1] == sorted(two_directives)
    assert _line(every, "20/CT-BCT")["tasks"] > 0


def test_regions_and_provinces_add_up_to_the_country(db, two_directives):
    with db.session() as session:
        every = every_directive_report(session, ReportOptions(Today(LATER)))
    total = every.table("directives").rows[-1][2:6]
    for key, first in (("regions", 1), ("provinces", 2)):
        rows = every.table(key).rows
        assert rows[-1][first:first + 4] == total, key
        sums = [sum(r[first + i] for r in rows[:-1]) for i in range(4)]
        assert sums == list(total), key
    assert len(every.table("provinces").rows) == 34 + 1  # the 34 provinces and the country


def test_the_command_line_writes_every_format(cli_runner, two_directives, tmp_path):
    for fmt in ("html", "md", "csv", "xlsx", "docx", "pdf"):
        target = tmp_path / f"every.{fmt}"
        result = cli_runner("report", "national", "--directive", "all", "--format", fmt, "--as-of", "2026-03-01",
                            "-o", str(target))
        assert result.exit_code == 0 and "Traceback" not in result.output, result.output
        assert target.stat().st_size > 300, fmt
    page = (tmp_path / "every.html").read_text(encoding="utf-8")
    assert "Tổng hợp tình hình thực hiện các chỉ thị đang có hiệu lực" in page
    assert re.search(r"\d+,\d %", page)  # Vietnamese numbers: 66,7 %
    assert "01/03/2026" in page
    lines = list(csv.reader(io.StringIO((tmp_path / "every.csv").read_text(encoding="utf-8"))))
    assert [line[0] for line in lines[1:-1]] == sorted(two_directives)


def test_since_with_every_directive_is_one_vietnamese_line(cli_runner, two_directives):
    result = cli_runner("report", "national", "--directive", "all", "--since", "2025-12-01")
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert "chỉ có trong báo cáo của một chỉ thị" in lines[0]

