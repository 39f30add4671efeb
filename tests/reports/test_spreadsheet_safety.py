"""Exports that cannot run code: every CSV and XLSX writer, over any text (OWASP's CSV-injection rule).

A text that starts with =, +, -, @, a tab or a carriage return is a formula
to a spreadsheet program. In XLSX it must stay a text cell (never type `f`)
and read back as written; in CSV it gets a leading quote, and the original
text can be recovered from the field. Numbers and dates stay numbers and dates.
"""
from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date, datetime
from types import SimpleNamespace

from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from dtrack.commands.overdue import overdue_csv_text
from dtrack.directives.format import parse_file
from dtrack.persistence.models import Directive
from dtrack.reading.overdue import CellCounts, LateTask, OverdueReview, TimelinessMatrix
from dtrack.reports.document import Report, Table, national_header
from dtrack.reports.figures import Money, Percent
from dtrack.reports.labels import TEXT
from dtrack.reports.render import render
from dtrack.reports.spreadsheet_safety import FORMULA_STARTS, csv_field, original_text, starts_formula
from dtrack.reports.wording import directive_wording
from dtrack.seeds import DIRECTIVE_20_FILE

# Directive 20's wording, without a database: a Directive row that is never stored.
WORDS = directive_wording(Directive(code="20/CT-BCT", issuer_vi="Bộ Công Thương",
                                    issuer_en="Ministry of Industry and Trade",
                                    report_wording=parse_file(DIRECTIVE_20_FILE).report.to_json()), "vi")

HYPERLINK = '=HYPERLINK("http://evil.example/?q=1","Bấm vào đây")'
SUM = "@SUM(1+1)"


def _biased(text: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Any text, and often one that starts like a formula or like an already neutralised one."""
    starts = st.sampled_from([*FORMULA_STARTS, "'", "''", "'=", "''-", "=HYPERLINK(", "-1"])
    return st.one_of(text, st.builds(lambda head, tail: head + tail, starts, text))


ANY_TEXT = _biased(st.text())
# XML 1.0 cannot hold the other C0 controls nor U+FFFE/U+FFFF: openpyxl refuses the first
# and writes an unreadable file with the second, whatever this rule does. Tab, LF and CR stay.
XML_TEXT = _biased(st.text(alphabet=st.characters(
    blacklist_categories=("Cs",),
    blacklist_characters=[chr(c) for c in range(32) if chr(c) not in "\t\n\r"] + ["\ufffe", "\uffff"])))


def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def _assert_safe_field(field: str, original: str) -> None:
    assert not starts_formula(field)
    assert original_text(field) == original


@given(ANY_TEXT)
def test_a_csv_field_never_starts_a_formula_and_gives_its_text_back(text):
    field = csv_field(text)
    _assert_safe_field(field, text)
    # Only what needs it changes: safe text (a quote at the start included) is left as written.
    assert (field == text) == (not text.lstrip("'").startswith(FORMULA_STARTS))


@given(st.one_of(st.integers(), st.floats(allow_nan=False), st.dates(), st.none(), st.booleans()))
def test_numbers_and_dates_are_not_csv_text(value):
    assert csv_field(value) is value


def _report(kind: str, texts: list[str]) -> Report:
    """A report whose every sheet holds `texts`, beside a number, an amount, a rate and a date."""
    report = Report(kind, "vi", date(2026, 1, 5), 2026, national_header("20/CT-BCT", date(2026, 1, 5), "vi", WORDS),
                    extra={"slug": "thu", "province": "Thử", "note": None})
    rows = [[-i, text, Money(56_310_000_000), Percent(-0.148), date(2026, 1, 5)] for i, text in enumerate(texts, 1)]
    for key in ("groups", "notes", "obstacles", "proposals", "province_budget", "indicators"):
        report.tables.append(Table(key, texts[0], ["#", texts[-1], "money", "rate", "day"], [list(r) for r in rows]))
    return report


def _as_read_back(text: str) -> str | None:
    """What an XLSX reader gives for a text: an empty text is an empty cell. openpyxl writing through lxml
    (installed with python-docx) keeps a CR as `&#13;`; without lxml, XML turns CR and CRLF into LF."""
    import openpyxl.xml

    return (text if openpyxl.xml.LXML else text.replace("\r\n", "\n").replace("\r", "\n")) or None


@settings(max_examples=40, deadline=None)
@given(st.lists(XML_TEXT, min_size=1, max_size=4))
def test_xlsx_keeps_any_text_a_text_and_numbers_numbers(texts):
    book = load_workbook(io.BytesIO(render(_report("province", texts), "xlsx")))
    assert book.sheetnames == ["Nhóm nhiệm vụ", "Ghi chú gần nhất", "Khó khăn, vướng mắc", "Kiến nghị, đề xuất",
                               "Kinh phí", "Chỉ tiêu"]  # in the reader's language
    for sheet in book:
        cells = [cell for row in sheet.iter_rows() for cell in row]
        assert all(cell.data_type != "f" for cell in cells)
        assert sheet["A1"].value == _as_read_back(texts[0]) and sheet["B2"].value == _as_read_back(texts[-1])
        for index, (cell, text) in enumerate(zip(sheet["B"][2:], texts, strict=True), 1):
            assert cell.value == _as_read_back(text)
            assert cell.value is None or cell.data_type == "s"
            assert cell.quotePrefix == starts_formula(text)
            number, _, money, rate, day = (c.value for c in sheet[cell.row])
            assert (number, money, day) == (-index, 56_310_000_000, datetime(2026, 1, 5))
            assert abs(rate + 0.148) < 1e-9


@settings(max_examples=60, deadline=None)
@given(st.lists(ANY_TEXT, min_size=1, max_size=4))
@example(["x\r=HYPERLINK(\"http://evil.example\")"])  # a CR must not start a new row, unneutralised
def test_province_csv_neutralises_any_text(texts):
    header, *rows = _csv_rows(render(_report("province", texts), "csv").decode())
    _assert_safe_field(header[1], texts[-1])
    assert len(rows) == len(texts)
    for row, text, index in zip(rows, texts, range(1, len(texts) + 1), strict=True):
        _assert_safe_field(row[1], text)
        assert row[0] == str(-index) and row[4] == "2026-01-05"  # a negative number stays a number


@settings(max_examples=60, deadline=None)
@given(st.lists(ANY_TEXT, min_size=1, max_size=4))
def test_national_csv_neutralises_any_text(texts):
    cell = SimpleNamespace(state="blocked", timeliness=SimpleNamespace(status=SimpleNamespace(value="overdue")))
    report = _report("national", texts)
    report.extra.update(groups=[1, 2], matrix=[
        {"province": SimpleNamespace(slug=text, name=text), "region": text, "cells": [cell, None]} for text in texts])
    header, *rows = _csv_rows(render(report, "csv").decode())
    assert header == ["province", "name", "region", "state_1", "timeliness_1", "state_2", "timeliness_2"]
    for row, text in zip(rows, texts, strict=True):
        for field in row[:3]:
            _assert_safe_field(field, text)
        assert row[3:] == ["blocked", "overdue", "", ""]


def _late_task(text: str, days: int) -> LateTask:
    return LateTask(text, text, text, text, 3, text, text, text, "blocked", 40, date(2025, 12, 1), date(2025, 12, 1),
                    "overdue", days)


@settings(max_examples=60, deadline=None)
@given(st.lists(ANY_TEXT, min_size=1, max_size=4))
def test_overdue_csv_neutralises_any_text(texts):
    review = OverdueReview(date(2026, 1, 5), [_late_task(t, i) for i, t in enumerate(texts)], [], Counter(),
                           Counter(), {}, 0)
    header, *rows = _csv_rows(overdue_csv_text(review))
    assert header[0] == "key" and len(rows) == len(texts)
    for row, text, days in zip(rows, texts, range(len(texts)), strict=True):
        assert all(not starts_formula(field) for field in row)
        for name in ("key", "province", "province_name", "region", "period", "title_vi", "title_en"):
            assert original_text(row[header.index(name)]) == text
        assert [row[header.index(name)] for name in ("group", "progress", "due_on", "days")] == [
            "3", "40", "2025-12-01", str(days)]


@settings(max_examples=40, deadline=None)
@given(st.lists(ANY_TEXT, min_size=1, max_size=4, unique=True))
def test_overdue_matrix_csv_neutralises_any_text(slugs):
    matrix = TimelinessMatrix(date(2026, 1, 5), [(s, s, "north") for s in slugs], {s: CellCounts() for s in slugs},
                              {"north": CellCounts()}, CellCounts())
    _, *rows = _csv_rows(overdue_csv_text(matrix))
    assert [original_text(r[0]) for r in rows] == [*slugs, "north", "all"]
    assert all(not starts_formula(r[0]) for r in rows)


# --- the concrete attack, through the commands, on both back-ends -------------------------------------


def test_province_report_xlsx_and_csv_keep_a_hyperlink_note_as_text(world, cli_runner, tmp_path):
    officer = world.user("province", "ha-noi")
    world.fire("20/CT-BCT:2:ha-noi", "start", officer, note=SUM)
    world.fire("20/CT-BCT:2:ha-noi", "block", officer, note=HYPERLINK)
    target = tmp_path / "ha-noi.xlsx"
    result = cli_runner("report", "province", "ha-noi", "--format", "xlsx", "-o", str(target))
    assert result.exit_code == 0, result.output
    book = load_workbook(target)
    assert all(cell.data_type != "f" for sheet in book for row in sheet.iter_rows() for cell in row)
    found = {sheet.title: [c for row in sheet.iter_rows() for c in row if c.value in (HYPERLINK, SUM)]
             for sheet in book}
    assert {c.value for c in found["Nhóm nhiệm vụ"]} == {HYPERLINK}
    assert {c.value for c in found["Ghi chú gần nhất"]} == {HYPERLINK, SUM}
    assert {c.value for c in found["Khó khăn, vướng mắc"]} == {HYPERLINK}
    assert all(c.data_type == "s" and c.quotePrefix for cells in found.values() for c in cells)

    result = cli_runner("report", "province", "ha-noi", "--format", "csv")
    assert result.exit_code == 0, result.output
    header, *rows = _csv_rows(result.output)
    note = header.index(TEXT["vi"]["note"])
    assert [r[note] for r in rows if r[note]] == ["'" + HYPERLINK]
    assert all(not starts_formula(field) for row in rows for field in row)


DIRECTIVE = f"""
[directive]
code = "TN-07/2025"
title_vi = "Chỉ thị thử nghiệm về an toàn bảng tính"
title_en = "Trial directive on spreadsheet safety"
issuer_vi = "Bộ Công Thương"
issuer_en = "Ministry of Industry and Trade"
signed_by = "Trần Thị B"
issued_on = 2025-10-01

[[groups]]
ordinal = 1
title_vi = '{HYPERLINK}'
title_en = "{SUM}"
summary_vi = "Gửi báo cáo rà soát về Cục."
summary_en = "Send the review to the Department."
kind = "one_off"
owner = "province"
deadline = 2025-12-01
"""


def test_overdue_csv_keeps_a_hyperlink_title_as_text(cli_runner, tmp_path):
    path = tmp_path / "tn-07.toml"
    path.write_text(DIRECTIVE, encoding="utf-8")
    assert cli_runner("directive", "load", str(path)).exit_code == 0
    assert cli_runner("directive", "assign", "TN-07/2025", "--provinces", "ha-noi").exit_code == 0
    result = cli_runner("overdue", "--csv", "--directive", "TN-07/2025")
    assert result.exit_code == 0, result.output
    (row,) = csv.DictReader(io.StringIO(result.output, newline=""))
    assert (row["title_vi"], row["title_en"]) == ("'" + HYPERLINK, "'" + SUM)
    assert (original_text(row["title_vi"]), row["days"]) == (HYPERLINK, "35")
    assert all(not starts_formula(field) for field in row.values())
