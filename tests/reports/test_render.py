"""The renderers on their own: any text arrives as text, numbers keep their types."""
from __future__ import annotations

import io
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from dtrack.config.today import Today
from dtrack.directives.format import parse_file
from dtrack.persistence.models import Directive
from dtrack.reports.document import Report, Table, national_header
from dtrack.reports.figures import Money, Percent
from dtrack.reports.render import render, render_file
from dtrack.reports.wording import directive_wording
from dtrack.seeds import DIRECTIVE_20_FILE

from .htmltables import parse_html

# Directive 20's wording, without a database: a Directive row that is never stored.
WORDS = directive_wording(Directive(code="20/CT-BCT", issuer_vi="Bộ Công Thương",
                                    issuer_en="Ministry of Industry and Trade",
                                    report_wording=parse_file(DIRECTIVE_20_FILE).report.to_json()), "vi")


# Printable text of every script, with markup characters and the odd quote; no
# control characters (they are not valid in XLSX or HTML text).
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60).filter(
    lambda s: s.strip())


def _report(texts: list[str]) -> Report:
    report = Report("province", "vi", date(2026, 1, 5), 2026,
                    national_header("20/CT-BCT", date(2026, 1, 5), "vi", WORDS),
                    extra={"slug": "thu", "province": "Thử", "note": None})
    rows = [[i, text, Money(56_310_000_000), Percent(0.148), date(2026, 1, 5)] for i, text in enumerate(texts, 1)]
    for key in ("groups", "notes", "obstacles", "proposals", "province_budget", "indicators"):
        report.tables.append(Table(key, key, ["#", "text", "money", "rate", "day"], rows if key == "notes" else []))
    return report


@given(st.lists(TEXT, min_size=1, max_size=4))
def test_html_shows_any_text_as_text(texts):
    page = parse_html(render(_report(texts), "html").decode())
    rows = page.tables["notes"][1:]
    assert [r[1] for r in rows] == [t.strip() for t in texts]
    assert all(r[2:5] == ["56,31 tỷ đồng", "14,8 %", "05/01/2026"] for r in rows)


@given(st.lists(TEXT, min_size=1, max_size=4))
def test_markdown_rows_stay_rows_and_carry_no_markup(texts):
    md = render(_report(texts), "md").decode()
    lines = [line for line in md.splitlines() if line.startswith("| ") and "56,31 tỷ đồng" in line]
    assert len(lines) == len(texts)
    assert all("<" not in line for line in lines)


@settings(max_examples=30)
@given(st.lists(TEXT, min_size=1, max_size=3))
def test_xlsx_keeps_text_numbers_and_dates(texts):
    name, mime, data = render_file(_report(texts), "xlsx")
    assert name == "bao-cao-thu-2026-01-05.xlsx" and mime.startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(data))["Ghi chú gần nhất"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [r[1] for r in rows] == texts
    assert all(r[2] == 56_310_000_000 and abs(r[3] - 0.148) < 1e-9 and r[4].date() == date(2026, 1, 5) for r in rows)
    assert sheet.freeze_panes == "B3"


def test_covering_message_quotes_the_report(db, world):
    from dtrack.reports.covering import covering_message
    from dtrack.reports.document import ReportOptions
    from dtrack.reports.national import national_report
    from dtrack.reports.province import province_report

    province = world.user("province", "ca-mau")
    world.fire("20/CT-BCT:1:ca-mau", "start", province)
    world.fire("20/CT-BCT:1:ca-mau", "block", province, note="Thiếu kinh phí")
    with db.session() as session:
        built = national_report(session, ReportOptions(Today.of(world.clock)))
        name, _, _ = render_file(built, "html")
        subject, body = covering_message(built, name)
        assert subject == "Báo cáo Tổng hợp tình hình thực hiện Chỉ thị 20/CT-BCT (số liệu đến ngày 05/01/2026)"
        assert "Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công gửi kèm báo cáo" in body
        assert "- Tổng số nhiệm vụ: 306" in body and "- Vướng mắc: 1" in body and name in body
        english = province_report(session, "ca-mau", ReportOptions(Today.of(world.clock), "en"))
        subject, body = covering_message(english, "r.xlsx")
        assert subject.startswith("Report: Implementation of Directive 20/CT-BCT in Ca Mau")
        assert body.startswith("To: the Department") and "The Department of Industry and Trade of Ca Mau sends" in body
        assert "- Tasks: 9" in body and "- Blocked: 1" in body  # group 10 is the Department's
