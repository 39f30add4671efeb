"""The seeds' figures as the national report gives them (issue 22), checked against the source articles.

Each figure below is what shared/source-articles say (summarised in shared/domain/DOMAIN.md):
Decision 3396/QĐ-BCT planned 130 bn for 106 projects and tasks of 38 localities and 14 units
in 2024 (004); by 30/06/2024 only 45 bn, about 34.6 % of it, was allocated (004); the North
carried out over 94 bn in 2024 (000) and its 2025 results are for the first nine months (000);
the South trained nearly 2,000 people in 2024 (001). The report keeps the qualifiers ("trên",
"gần") and says which figures are for nine months, not the year.
"""
from __future__ import annotations

import csv
from datetime import date

from dtrack.config.today import Today
from dtrack.reports.document import ReportOptions
from dtrack.reports.national import national_report
from dtrack.reports.render import render
from dtrack.seeds import INDICATORS_FILE
from tests.reports.htmltables import parse_html


def _results(db, year: int, as_of: date) -> dict[str, list[str]]:
    with db.session() as session:
        built = national_report(session, ReportOptions(Today(as_of), "vi", year=year))
    table = parse_html(render(built, "html").decode()).tables["indicators"]
    assert table[0][-1] == "Ghi chú"
    return {row[0]: row for row in table[1:]}


def test_2024_figures_keep_their_decision_their_date_and_their_qualifiers(db):
    rows = _results(db, 2024, date(2024, 12, 31))
    program = rows["Kinh phí khuyến công quốc gia"]
    assert program[5] == "130 tỷ đồng"
    assert all(words in program[-1] for words in ("Quyết định 3396/QĐ-BCT", "106 đề án, nhiệm vụ", "38 địa phương",
                                                   "14 đơn vị"))
    allocated = rows["Kinh phí khuyến công quốc gia đã phân bổ"]
    assert allocated[5] == "45 tỷ đồng" and "30/06/2024" in allocated[-1] and "34,6 %" in allocated[-1]
    assert "Trên 94 tỷ đồng" in rows["Kinh phí khuyến công đã giải ngân"][-1]
    trainees = rows["Học viên được đào tạo, tập huấn, dự hội thảo"]
    assert trainees[4] == "2.000" and "Gần 2.000" in trainees[-1]


def test_the_allocation_is_known_at_mid_year_beside_the_plan_it_is_a_share_of(db):
    rows = _results(db, 2024, date(2024, 7, 1))
    assert rows["Kinh phí khuyến công quốc gia"][5] == "130 tỷ đồng"
    assert rows["Kinh phí khuyến công quốc gia đã phân bổ"][5] == "45 tỷ đồng"


def test_the_norths_2025_results_are_labelled_nine_months(db):
    rows = _results(db, 2025, date(2025, 10, 1))
    for name, value in (("Mô hình trình diễn kỹ thuật được hỗ trợ", "1"),
                        ("Cơ sở công nghiệp nông thôn được hỗ trợ ứng dụng máy móc, thiết bị tiên tiến", "84"),
                        ("Cơ sở công nghiệp nông thôn được hỗ trợ tham gia hội chợ, triển lãm", "210"),
                        ("Cơ sở công nghiệp nông thôn được hỗ trợ tham gia bình chọn sản phẩm tiêu biểu", "30")):
        assert rows[name][2] == value and "9 tháng đầu năm 2025" in rows[name][-1], name
    assert "Trên 148 tỷ đồng" in rows["Kinh phí khuyến công kế hoạch"][-1]


def test_the_seed_notes_agree_with_the_seed_figures():
    """A percentage a note quotes is the ratio of the figures it names (45/130, 8.34/56.31)."""
    with open(INDICATORS_FILE, encoding="utf-8") as handle:
        rows = {(r["unit"], r["indicator"], r["period"]): r for r in csv.DictReader(handle)}
    value = {key: int(row["value"]) for key, row in rows.items()}
    allocated = ("national", "budget_national_program_allocated", "2024")
    assert round(100 * value[allocated] / value[("national", "budget_national_program", "2024")], 1) == 34.6
    assert "34,6 %" in rows[allocated]["note"] and "30/06/2024" in rows[allocated]["note"]
    south = round(100 * value[("south", "budget_disbursed", "2025")] / value[("south", "budget_plan", "2025")], 1)
    assert south == 14.8 and "14,8 %" in rows[("south", "budget_disbursed", "2025")]["note"]
    national = value[("national", "budget_plan", "2024")]
    assert national == value[("national", "budget_national_program", "2024")] + value[("national", "budget_local",
                                                                                         "2024")]
    assert all(row["source"] and row["as_of"] for row in rows.values())
