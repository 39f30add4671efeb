"""Rendered reports carry the database's numbers: parsed back from HTML, XLSX and CSV."""
from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from dtrack.config.today import Today
from dtrack.persistence.models import Task
from dtrack.reports.document import ReportOptions
from dtrack.reports.labels import TEXT
from dtrack.reports.national import national_report
from dtrack.reports.province import province_report
from dtrack.reports.render import money, percent, render, render_file
from dtrack.workflow.vocabulary import DeadlineStatus

# The command line in English: these tests are about reports, mail and accounts, not its wording.
pytestmark = pytest.mark.usefixtures("english")

SOUTH_2025 = date(2025, 9, 30)
SCRIPT = "<script>alert('x')</script>"


def _national(db, fmt="html", lang="vi", as_of=SOUTH_2025, **kwargs):
    with db.session() as session:
        built = national_report(session, ReportOptions(Today(as_of), lang), **kwargs)
        return built, render(built, fmt)


def test_money_and_percent_follow_the_language():
    assert money(56_310_000_000, "vi") == "56,31 tỷ đồng"
    assert money(56_310_000_000, "en") == "VND 56.31 billion"
    assert percent(0.148, "vi") == "14,8 %"
    assert percent(0.148, "en") == "14.8%"


def test_seed_figures_for_the_south_2025(db, parse):
    _, html = _national(db)
    budget = {row[0]: row for row in parse(html.decode()).tables["budget"][1:]}
    assert budget["Miền Nam"][1:4] == ["56,31 tỷ đồng", "8,34 tỷ đồng", "14,8 %"]
    assert budget["Miền Bắc"][1] == "148 tỷ đồng"
    _, english = _national(db, lang="en")
    budget = {row[0]: row for row in parse(english.decode()).tables["budget"][1:]}
    assert budget["South"][1:4] == ["VND 56.31 billion", "VND 8.34 billion", "14.8%"]


def test_seed_national_budget_2024_split(db, parse):
    _, html = _national(db, as_of=date(2024, 12, 31))
    text = " ".join(parse(html.decode()).text)
    assert "332 tỷ đồng = 130 tỷ đồng khuyến công quốc gia + 202 tỷ đồng khuyến công địa phương" in text
    budget = {row[0]: row for row in parse(html.decode()).tables["budget"][1:]}
    assert budget["Cả nước"][1] == "332 tỷ đồng"
    assert budget["Miền Nam"][2] == "53,81 tỷ đồng"  # regional, not spread over the eight provinces


def _play(world):
    province = world.user("province", "tay-ninh")
    overseer = world.user("overseer", None)
    world.fire("20/CT-BCT:1:tay-ninh", "start", province)
    world.fire("20/CT-BCT:2:tay-ninh", "start", province)
    world.fire("20/CT-BCT:2:tay-ninh", "block", province, note=SCRIPT)
    world.fire("20/CT-BCT:3:tay-ninh", "start", province, note="Đề xuất: bổ sung kinh phí & cán bộ")
    world.fire("20/CT-BCT:3:tay-ninh", "submit", province, evidence="Công văn <b>12</b>/SCT")
    world.fire("20/CT-BCT:4:tay-ninh", "start", province)
    world.fire("20/CT-BCT:4:tay-ninh", "submit", province)
    world.fire("20/CT-BCT:4:tay-ninh", "accept", overseer)
    world.fire("20/CT-BCT:1:ha-noi", "start", world.user("province", "ha-noi"))


def test_matrix_and_counts_match_the_database(db, world, parse):
    _play(world)
    today = world.clock.today()
    built, html = _national(db, as_of=today, since=date(2026, 1, 1))
    page = parse(html.decode())
    with db.session() as session:
        states = {(t.province.slug, t.group.ordinal): t.state for t in session.scalars(select(Task))}
    matrix_attrs = page.attrs["matrix"]
    seen = 0
    # Each data row: first cell the name, then one cell per group with data-state.
    # Nine province-owned groups: group 10 is the Department's own task, in its own section.
    rows = [r for r in page.tables["matrix"][1:] if len(r) == 10]
    assert len(rows) == 34
    by_name = {r["name"]: r["province"].slug for r in built.extra["matrix"]}
    for row, attrs in zip(rows, [a for a in matrix_attrs[1:] if len(a) == 10], strict=True):
        slug = by_name[row[0]]
        for ordinal, cell in enumerate(attrs[1:], start=1):
            assert cell["data-state"] == states[(slug, ordinal)]
            seen += 1
    assert seen == 306
    for key in ("timeliness", "province_timeliness", "states", "province_states"):
        for row in page.tables[key][1:]:
            numbers = [int(v) for v in row[1:-1]]
            assert sum(numbers[1:]) == numbers[0], (key, row)
    total = page.tables["timeliness"][-1]
    assert int(total[1]) == 306
    assert Counter(s.timeliness.status for row in built.extra["matrix"] for s in row["cells"])[
        DeadlineStatus.COMPLETED_ON_TIME] == 1
    # The SVG chart adds up to the tasks per region too.
    assert sum(int(r["data-count"]) for r in page.svg_rects) == 306
    assert [r[0] for r in page.tables["department"][1:]] == ["20/CT-BCT:10:cuc"]
    # Escaping: the block reason arrives as text, never as markup.
    assert SCRIPT not in html.decode()
    blocked = page.tables["blocked"][1:]
    assert blocked[0][-1] == SCRIPT
    changes = page.tables["changes"][1:]
    assert {r[1] for r in changes} >= {"20/CT-BCT:2:tay-ninh", "20/CT-BCT:4:tay-ninh"}
    assert page.tables["waiting"][1][0] == "20/CT-BCT:3:tay-ninh"


def test_xlsx_has_real_numbers_dates_and_frozen_headers(db, world):
    _play(world)
    _, data = _national(db, fmt="xlsx")
    book = load_workbook(io.BytesIO(data))
    assert {"Ma trận", "Tình trạng theo vùng", "Tiến độ theo vùng", "Kinh phí", "Chỉ tiêu", "Quá hạn",
            "Vướng mắc"} <= set(book.sheetnames)  # Vietnamese sheet names
    sheet = book["Kinh phí"]
    assert sheet.freeze_panes == "B3"
    south = next(r for r in sheet.iter_rows(min_row=3, values_only=True) if r[0] == "Miền Nam")
    assert south[1:3] == (56_310_000_000, 8_340_000_000)
    assert south[3] == pytest.approx(0.1481, abs=1e-4)
    _, later = _national(db, fmt="xlsx", as_of=world.clock.today())
    book = load_workbook(io.BytesIO(later))
    blocked = list(book["Vướng mắc"].iter_rows(min_row=3, values_only=True))
    assert blocked[0][3].date() == world.clock.today() and blocked[0][4] == SCRIPT
    rows = [r for r in book["Tiến độ theo vùng"].iter_rows(min_row=3, values_only=True)]
    total, note = rows[-3], rows[-1][0]  # the totals, then the rule under the table (after a blank row)
    assert total[1] == 306 and sum(total[2:-1]) == 306
    assert note == TEXT["vi"]["on_time_rule"] and book["Tiến độ theo vùng"].cell(len(rows) + 2, 1).font.i


def test_csv_matrix_and_markdown(db, world):
    _play(world)
    built, data = _national(db, fmt="csv", as_of=world.clock.today())
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    assert len(rows) == 34
    tay_ninh = next(r for r in rows if r["province"] == "tay-ninh")
    assert (tay_ninh["state_2"], tay_ninh["state_4"], tay_ninh["timeliness_4"]) == (
        "blocked", "completed", "completed_on_time")
    md = render(built, "md").decode()
    assert "| Miền Nam |" in md and SCRIPT not in md and "&lt;script&gt;" in md


def test_province_report(db, world, parse):
    _play(world)
    with db.session() as session:
        for lang in ("vi", "en"):
            built = province_report(session, "Long An", ReportOptions(Today.of(world.clock), lang, year=2025))
            assert built.extra["note"] == "Long An is now part of Tây Ninh; using tay-ninh"
            name, mime, data = render_file(built, "html")
            page = parse(data.decode())
            assert name == "bao-cao-tay-ninh-2026-01-05.html" and mime.startswith("text/html")
            groups = page.tables["groups"][1:]
            assert [int(r[0]) for r in groups] == list(range(1, 10))  # never group 10, the Department's
            assert page.tables["obstacles"][1][2] == SCRIPT and SCRIPT not in data.decode()
            assert page.tables["proposals"][1][2] == "Đề xuất: bổ sung kinh phí & cán bộ"
        text = " ".join(page.text)
        assert "PEOPLE'S COMMITTEE OF TAY NINH" in text and "SOCIALIST REPUBLIC OF VIET NAM" in text
        built = province_report(session, "tay-ninh", ReportOptions(Today.of(world.clock)))
        page = parse(render(built, "html").decode())
        text = " ".join(page.text)
        assert "ỦY BAN NHÂN DÂN TỈNH TÂY NINH" in text and "Độc lập - Tự do - Hạnh phúc" in text
        assert "Tây Ninh, ngày 05 tháng 01 năm 2026" in text
        assert page.tables["groups"][2][3] == "Vướng mắc"


def test_report_as_of_a_past_day_replays_states(db, world, parse):
    _play(world)
    _, html = _national(db, as_of=date(2026, 1, 4))
    page = parse(html.decode())
    assert all(a.get("data-state") == "not_started" for row in page.attrs["matrix"] for a in row[1:] if a)


def test_cli_report_commands(cli_runner, tmp_path):
    result = cli_runner("report", "national", "--as-of", "2025-09-30", "--format", "md")
    assert result.exit_code == 0 and "| Miền Nam | 56,31 tỷ đồng | 8,34 tỷ đồng | 14,8 % |" in result.output
    target = tmp_path / "r.xlsx"
    result = cli_runner("report", "province", "tay-ninh", "--format", "xlsx", "-o", str(target), "--lang", "en")
    assert result.exit_code == 0 and load_workbook(target)["Task groups"].max_row == 11  # --lang en
    result = cli_runner("report", "province", "atlantis")
    assert result.exit_code == 1 and "unknown province" in result.output


def test_changes_since_list_new_overdue_tasks_and_refuse_a_later_day(db, world, parse, cli_runner):
    _play(world)
    _, html = _national(db, as_of=world.clock.today(), since=date(2025, 12, 1))
    changes = parse(html.decode()).tables["changes"][1:]
    newly_overdue = [r for r in changes if r[3] == "Mới quá hạn"]
    with db.session() as session:
        expected = [t.key for t in session.scalars(select(Task).where(
            Task.due_on >= date(2025, 12, 1), Task.due_on < world.clock.today(), Task.state != "completed"))]
    assert expected and sorted(r[1] for r in newly_overdue) == sorted(expected)
    assert all(r[0] == "16/12/2025" for r in newly_overdue)
    result = cli_runner("report", "national", "--since", "2026-02-01", "--format", "md")
    assert result.exit_code == 1 and result.output.startswith("error: --since")


def test_national_report_shows_each_province_plan_and_disbursement(db, world, parse):
    from dtrack.reports.indicators import report_value

    overseer = world.user("overseer", None)
    with db.session() as session:
        for indicator, value in (("budget_plan", 4_000_000_000), ("budget_disbursed", 1_000_000_000)):
            report_value(session, unit="Kiên Giang", indicator=indicator, period="2025", value=value,
                         actor_email=overseer, now=world.clock.now(), today=world.clock.today(),
                         as_of=date(2025, 9, 30))
    _, html = _national(db)
    page = parse(html.decode())
    assert page.tables["budget_provinces"][1:] == [
        ["An Giang", "4 tỷ đồng", "1 tỷ đồng", "25,0 %", "số liệu báo cáo", ""]]
    # The South keeps the figure its conference reported; the province figure does not replace it.
    south = next(r for r in page.tables["budget"] if r[0] == "Miền Nam")
    assert south[1:4] == ["56,31 tỷ đồng", "8,34 tỷ đồng", "14,8 %"]
