"""Which period a recurring occurrence reports on (`covers`), and that it has one label everywhere."""
from __future__ import annotations

import json
import textwrap
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from dtrack.directives.format import parse_data
from dtrack.errors import DirectiveInvalid, RuleError
from dtrack.workflow.deadlines import Recurring, period_label, period_span, period_words, periods_open

# (spacing in months, rrule for a given day of month and first month)
RULES = {
    1: lambda day, month: f"FREQ=MONTHLY;BYMONTHDAY={day}",
    3: lambda day, month: f"FREQ=YEARLY;BYMONTH={','.join(str((month - 1) % 3 + 1 + 3 * i) for i in range(4))};"
                          f"BYMONTHDAY={day}",
    6: lambda day, month: f"FREQ=YEARLY;BYMONTH={(month - 1) % 6 + 1},{(month - 1) % 6 + 7};BYMONTHDAY={day}",
    12: lambda day, month: f"FREQ=YEARLY;BYMONTH={month};BYMONTHDAY={day}",
}


@given(spacing=st.sampled_from(sorted(RULES)), day=st.integers(1, 28), month=st.integers(1, 12),
       assigned=st.dates(date(2024, 1, 1), date(2030, 12, 31)), covers=st.sampled_from(["current", "previous"]))
def test_the_covered_period_contains_the_occurrence_or_ended_just_before_it(spacing, day, month, assigned, covers):
    rule = Recurring(RULES[spacing](day, month))
    periods = periods_open(rule, assigned, assigned + timedelta(days=1200), covers=covers)
    assert len(periods) >= 3
    for period in periods:
        start, end = period_span(period.label)
        assert (end.year - start.year) * 12 + end.month - start.month + 1 == spacing  # named by the rule's spacing
        due = period.raw_due_on
        if covers == "current":
            assert start <= due <= end
        else:
            # The latest whole period that ended before the due date: it ended before it,
            # and the period after it (the one the due date falls in) has not ended.
            assert end < due <= end + relativedelta(months=spacing, day=31)
            assert end >= assigned  # nothing is owed for a period that ended before the assignment
    labels = [p.label for p in periods]
    assert len(set(labels)) == len(labels)  # one occurrence, one period: task keys never collide


@pytest.mark.parametrize(("due", "spacing", "current", "previous", "words_vi", "words_en"), [
    (date(2027, 1, 10), 3, "2027-Q1", "2026-Q4", "quý IV năm 2026", "Q4 2026"),
    (date(2026, 12, 5), 1, "2026-12", "2026-11", "tháng 11 năm 2026", "November 2026"),
    (date(2027, 1, 15), 6, "2027-H1", "2026-H2", "6 tháng cuối năm 2026", "the second half of 2026"),
    (date(2026, 7, 15), 6, "2026-H2", "2026-H1", "6 tháng đầu năm 2026", "the first half of 2026"),
    (date(2027, 3, 31), 3, "2027-Q1", "2026-Q4", "quý IV năm 2026", "Q4 2026"),  # the quarter's last day
    (date(2027, 2, 1), 12, "2027", "2026", "năm 2026", "2026"),
])
def test_labels_of_current_and_previous(due, spacing, current, previous, words_vi, words_en):
    assert period_label(due, spacing) == period_label(due, spacing, "current") == current
    assert period_label(due, spacing, "previous") == previous
    assert (period_words(previous, "vi"), period_words(previous, "en")) == (words_vi, words_en)


def test_an_irregular_rule_is_named_by_its_date_and_a_bad_covers_is_refused():
    assert period_label(date(2026, 5, 20), 2, "previous") == "2026-05-20"
    with pytest.raises(RuleError, match="covers"):
        period_label(date(2026, 5, 20), 3, "last")


def group(**extra) -> dict:
    table = {"ordinal": 1, "title_vi": "Báo cáo", "title_en": "Report", "kind": "recurring",
             "deadline": {"rrule": "FREQ=YEARLY;BYMONTH=1,4,7,10;BYMONTHDAY=10"}}
    return {"directive": {"code": "KT-07/2026", "title_vi": "x", "title_en": "x", "issuer_vi": "x",
                          "issuer_en": "x"}, "groups": [{**table, **extra}]}


def test_the_file_key_covers():
    assert parse_data(group()).groups[0].covers == "current"  # files written before the key keep their periods
    assert parse_data(group(covers="previous")).groups[0].covers == "previous"
    # The default adds nothing to the fingerprint, so reloading an old file changes nothing.
    assert parse_data(group()).digest == parse_data(group(covers="current")).digest
    assert parse_data(group()).digest != parse_data(group(covers="previous")).digest
    with pytest.raises(DirectiveInvalid, match=r"covers', problem=must_be_one_of\(choices=\['current', 'previous'\]"):
        parse_data(group(covers="last"))
    with pytest.raises(DirectiveInvalid, match="covers_needs_recurring"):
        parse_data(group(covers="previous", kind="one_off", deadline="2026-12-31"))


# A directive of our own: reports due after the period they cover, and one due within it.
DIRECTIVE = textwrap.dedent('''
    [directive]
    code = "KT-07/2026"
    title_vi = "Chỉ thị thử nghiệm về báo cáo thống kê công nghiệp địa phương"
    title_en = "Test directive on local industrial statistics reporting"
    issuer_vi = "Bộ Công Thương"
    issuer_en = "Ministry of Industry and Trade"

    [[groups]]
    ordinal = 1
    title_vi = "Báo cáo quý"
    title_en = "Quarterly report"
    kind = "recurring"
    covers = "previous"

    [groups.deadline]  # an inline table cannot span lines
    rrule = "FREQ=YEARLY;BYMONTH=1,4,7,10;BYMONTHDAY=10"
    period_vi = "Báo cáo {period_vi}"
    period_en = "Report for {period_en}"

    [[groups]]
    ordinal = 2
    title_vi = "Báo cáo tháng"
    title_en = "Monthly report"
    kind = "recurring"
    covers = "previous"
    deadline = { rrule = "FREQ=MONTHLY;BYMONTHDAY=5" }

    [[groups]]
    ordinal = 3
    title_vi = "Báo cáo sáu tháng"
    title_en = "Six-month report"
    kind = "recurring"
    covers = "current"
    deadline = { rrule = "FREQ=YEARLY;BYMONTH=6,12;BYMONTHDAY=20" }

    [[indicators]]
    code = "budget_plan"
    name_vi = "Kinh phí kế hoạch"
    name_en = "Budget (plan)"
    unit_vi = "VND"
    unit_en = "VND"
    aggregate = "sum"

    [[indicators]]
    code = "budget_disbursed"
    name_vi = "Kinh phí đã giải ngân"
    name_en = "Budget (disbursed)"
    unit_vi = "VND"
    unit_en = "VND"
    aggregate = "sum"
''')


def test_one_label_in_the_task_list_a_report_and_a_digest(cli_runner, db_url, tmp_path):
    from dtrack.config.clock import Clock
    from dtrack.notifications.digest_sending import preview
    from dtrack.persistence.database import Database
    from tests.notifications.conftest import mail_settings

    path = tmp_path / "kt-07.toml"
    path.write_text(DIRECTIVE, encoding="utf-8")
    assert cli_runner("directive", "load", str(path)).exit_code == 0
    assigned = cli_runner("directive", "assign", "KT-07/2026", "--provinces", "ha-noi", "--as-of", "2026-11-02")
    assert assigned.exit_code == 0, assigned.output
    officer = "canbo@hanoi.example.vn"
    cli_runner("users", "add", "--email", officer, "--name", "Cán bộ", "--role", "province", "--province", "ha-noi")
    # As of the assignment day: on the suite's own "today" these tasks were not assigned yet.
    listed = json.loads(cli_runner("tasks", "list", "--directive", "KT-07/2026", "--as-of", "2026-11-02",
                                   "--json").output)
    titles = {t["key"]: t["title_vi"] for t in listed}
    # Due 10/01/2027, 05/12/2026 and 20/12/2026: Q4 2026, November 2026 and the second half of 2026.
    assert titles == {"KT-07/2026:1:ha-noi:2026-Q4": "Báo cáo quý IV năm 2026",
                      "KT-07/2026:2:ha-noi:2026-11": "Báo cáo tháng (tháng 11 năm 2026)",
                      "KT-07/2026:3:ha-noi:2026-H2": "Báo cáo sáu tháng (6 tháng cuối năm 2026)"}
    due = {t["key"]: t["due_on"] for t in listed}
    assert due["KT-07/2026:1:ha-noi:2026-Q4"] == "2027-01-11"  # 10/01/2027 is a Sunday: the next working day
    table = cli_runner("tasks", "list", "--directive", "KT-07/2026", "--group", "1", "--as-of", "2026-11-02").output
    assert "Báo cáo quý IV năm 2026" in table and "quý I năm 2027" not in table
    report = cli_runner("report", "province", "ha-noi", "--directive", "KT-07/2026", "--format", "md",
                        "--as-of", "2026-12-01")
    assert report.exit_code == 0, report.output
    assert "quý IV năm 2026" in report.output and "tháng 11 năm 2026" in report.output
    assert "quý I năm 2027" not in report.output
    db = Database(db_url)
    _, rendered = preview(db, Clock(pinned=date(2027, 1, 8)), mail_settings(tmp_path), officer)
    db.dispose()
    assert "Báo cáo quý IV năm 2026" in rendered.text and "quý I năm 2027" not in rendered.text
    # Reloading the same file changes nothing; changing what a group with tasks covers is refused.
    assert "không thay đổi" in cli_runner("directive", "load", str(path)).output  # unchanged
    path.write_text(DIRECTIVE.replace('covers = "previous"', 'covers = "current"', 1), encoding="utf-8")
    changed = cli_runner("directive", "load", str(path))
    assert changed.exit_code == 1 and "covers" in changed.output and "cho các nhiệm vụ đã có" in changed.output

