"""Turning a `Report` into HTML, Markdown, XLSX or CSV bytes.

HTML and Markdown come from the Jinja templates in templates/reports/
(autoescaped HTML: a note containing markup arrives as text); XLSX has one
sheet per table with real numbers and dates; CSV is the matrix, with state
and timeliness codes for scripts. Neither can run code: text a spreadsheet
would read as a formula is neutralised (reports.spreadsheet_safety). Numbers
follow the language: Vietnamese `56,31 tỷ đồng` and `14,8 %`, English
`VND 56.31 billion` and `14.8%`.
`render_file` gives (file name, MIME type, bytes), what an email attachment needs.
"""
from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

from babel.numbers import format_compact_decimal, format_decimal
from jinja2 import Environment

from dtrack.reports.document import Report, Table
from dtrack.reports.figures import Money, Percent
from dtrack.reports.labels import TEXT, state_label, timeliness_label
from dtrack.reports.spreadsheet_safety import csv_writer, keep_texts
from dtrack.templates.environment import environment as shared_environment
from dtrack.workflow.errors import InvalidInput

FORMATS = ("html", "md", "xlsx", "csv")
# Plain type/subtype (email attachments split on '/'); text formats are UTF-8.
MIMETYPES = {
    "html": "text/html",
    "md": "text/markdown",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}


def money(value: int, lang: str) -> str:
    """56310000000 -> '56,31 tỷ đồng' (vi) or 'VND 56.31 billion' (en)."""
    text = format_compact_decimal(value, format_type="long", locale=lang, fraction_digits=2)
    return f"{text} đồng" if lang == "vi" else f"VND {text}"


def percent(value: float, lang: str) -> str:
    """0.148 -> '14,8 %' (vi, with the space Vietnamese writing uses) or '14.8%' (en)."""
    number = format_decimal(value * 100, "#,##0.0", locale=lang)
    return f"{number} %" if lang == "vi" else f"{number}%"


def cell_text(value: Any, lang: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, Money):
        return money(value, lang)
    if isinstance(value, Percent):
        return percent(value, lang)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return format_decimal(value, locale=lang)
    return str(value)


def environment() -> Environment:
    """The shared environment (dtrack.templates.environment): reports live under `reports/`."""
    return shared_environment()


def _numeric(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _numeric_columns(table: Table) -> list[bool]:
    """Which columns hold numbers (right-aligned in Markdown)."""
    return [any(_numeric(row[i]) for row in table.rows) for i in range(len(table.headers))]


def split_text(report: Report) -> str | None:
    """'Kinh phí khuyến công cả nước năm 2024: 332 tỷ đồng = 130 tỷ đồng khuyến công quốc gia + ...'."""
    split = report.extra.get("split")
    if not split:
        return None
    parts = " + ".join(f"{cell_text(value, report.lang)} {label}" for value, label in split["parts"])
    return TEXT[report.lang]["national_split"].format(name=split["name"], year=report.year,
                                                      total=cell_text(split["total"], report.lang), parts=parts)


def _context(report: Report) -> dict[str, Any]:
    lang = report.lang
    return {
        "r": report,
        "split": split_text(report),
        "t": TEXT[lang],
        "cell": lambda value: cell_text(value, lang),
        "money": lambda value: money(value, lang),
        "state_label": lambda value: state_label(value, lang),
        "timeliness_label": lambda value: timeliness_label(value, lang),
        "numeric": _numeric,
        "numeric_columns": _numeric_columns,
    }


def render_text(report: Report, fmt: str) -> str:
    return environment().get_template(f"reports/{report.kind}.{fmt}.j2").render(**_context(report))


def render_csv(report: Report) -> str:
    """The matrix, one row per province: state and timeliness codes per task group."""
    out = io.StringIO()
    writer = csv_writer(out)
    if report.kind == "national":
        groups = report.extra["groups"]
        writer.writerow(["province", "name", "region", *[f"{k}_{g}" for g in groups for k in ("state", "timeliness")]])
        for row in report.extra["matrix"]:
            values = []
            for c in row["cells"]:
                values += [c.state, c.timeliness.status.value] if c else ["", ""]
            writer.writerow([row["province"].slug, row["province"].name, row["region"], *values])
    else:  # a province has no matrix: its task table
        table = report.table("groups")
        writer.writerow(table.headers)
        for row in table.rows:
            writer.writerow(["" if v is None else (v.isoformat() if isinstance(v, date) else v) for v in row])
    return out.getvalue()


def render_xlsx(report: Report) -> bytes:
    """One sheet per table; row 1 the title, row 2 the frozen, filterable headers; typed cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE5F0")
    for table in report.tables:
        sheet = book.create_sheet(_sheet_name(table))
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True, size=12)
        sheet.append(table.headers)
        for cell in sheet[2]:
            cell.font, cell.fill = bold, fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in table.rows:
            sheet.append([_xlsx_value(v) for v in row])
            for cell, value in zip(sheet[sheet.max_row], row):
                if isinstance(value, Money):
                    cell.number_format = "#,##0"
                elif isinstance(value, Percent):
                    cell.number_format = "0.0%"
                elif isinstance(value, date):
                    cell.number_format = "DD/MM/YYYY"
        keep_texts(sheet)
        sheet.freeze_panes = "B3"
        if table.rows:
            sheet.auto_filter.ref = f"A2:{sheet.cell(2, len(table.headers)).column_letter}{sheet.max_row}"
        for index, header in enumerate(table.headers, start=1):
            longest = max([len(str(header))] + [len(cell_text(r[index - 1], report.lang)) for r in table.rows[:200]])
            sheet.column_dimensions[sheet.cell(2, index).column_letter].width = min(60, max(8, longest + 2))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_name(table: Table) -> str:
    return table.key[:31]


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, Money):
        return int(value)
    if isinstance(value, Percent):
        return float(value)
    return value


def render(report: Report, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise InvalidInput("--format", f"{fmt!r} is not a report format", "use " + ", ".join(FORMATS))
    if fmt == "xlsx":
        return render_xlsx(report)
    if fmt == "csv":
        return render_csv(report).encode("utf-8")
    return render_text(report, fmt).encode("utf-8")


def filename(report: Report, fmt: str) -> str:
    """e.g. bao-cao-national-2025-09-30.html, bao-cao-tay-ninh-2025-09-30.xlsx."""
    return f"bao-cao-{report.slug}-{report.as_of.isoformat()}.{fmt}"


def render_file(report: Report, fmt: str) -> tuple[str, str, bytes]:
    """(file name, MIME type, content): ready to write, or to attach to an email."""
    data = render(report, fmt)  # checks the format first
    return filename(report, fmt), MIMETYPES[fmt], data
