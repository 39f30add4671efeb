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
from functools import lru_cache
from typing import Any

from babel.numbers import format_compact_decimal, format_decimal
from jinja2 import Environment
from markupsafe import Markup, escape

from dtrack.errors import InvalidInput
from dtrack.i18n.catalog import has
from dtrack.i18n.catalog import text as catalog_text
from dtrack.reports.collector import collector_paused
from dtrack.reports.document import Report, Table
from dtrack.reports.figures import Money, Percent, Share
from dtrack.reports.labels import TEXT, state_label, timeliness_label
from dtrack.reports.spreadsheet_safety import csv_writer, keep_text, starts_formula
from dtrack.templates.environment import environment as shared_environment

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


@lru_cache(maxsize=65536)  # counts repeat: a national report has some 100,000 of them, a few thousand distinct
def _whole(value: int, lang: str) -> str:
    return format_decimal(value, locale=lang)


@lru_cache(maxsize=65536)
def percent(value: float, lang: str) -> str:
    """0.148 -> '14,8 %' (vi, with the space Vietnamese writing uses) or '14.8%' (en)."""
    number = format_decimal(value * 100, "#,##0.0", locale=lang)
    return f"{number} %" if lang == "vi" else f"{number}%"


def cell_text(value: Any, lang: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, Money):
        return money(value, lang)
    if isinstance(value, Share):  # the rate beside its denominator: 66,7 % (4/6)
        return f"{percent(value, lang)} ({_whole(value.part, lang)}/{_whole(value.whole, lang)})"
    if isinstance(value, Percent):
        return percent(value, lang)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return _whole(int(value), lang)
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


def data_rows(table: Table, total_last: bool, lang: str) -> Markup:
    """The <tr> lines of a data table (`_tables.html.j2`), the bytes its loop wrote, without a Jinja call per cell.

    A national report has some 140,000 cells; tests/reports/test_fast_national.py checks the bytes.
    """
    lines = []
    last = len(table.rows) - 1
    for index, row in enumerate(table.rows):
        cells = "".join(_number_cell(v, lang) if type(v) is int else _data_cell(v, lang) for v in row)
        lines.append(f'    <tr class="total">{cells}</tr>' if total_last and index == last else f"    <tr>{cells}</tr>")
    return Markup("\n".join(lines))


@lru_cache(maxsize=65536)
def _number_cell(value: int, lang: str) -> str:
    """A plain count's cell, the commonest: formatted once per value."""
    return f'<td class="num">{escape(cell_text(value, lang))}</td>'


@lru_cache(maxsize=65536, typed=True)  # names, labels and dates repeat; typed: Percent(0.5) is not 0.5
def _data_cell(value: Any, lang: str) -> str:
    text = escape(cell_text(value, lang))
    return f'<td class="num">{text}</td>' if _numeric(value) else f"<td>{text}</td>"


@lru_cache(maxsize=4096)
def _matrix_cell(state: str, status: str, n: int, total: int, lang: str) -> tuple[str, str]:
    """A matrix cell around its task's key: (up to the title's key, after it); a few hundred distinct ones."""
    more = f"; {TEXT[lang]['cell_overdue'].format(n=n, total=total)}" if total > 1 and n else ""
    mark = ("!" + (str(n) if n > 1 else "")) if n else ("~" if status == "due_soon" else "")
    glyphs = environment().globals["GLYPHS"]  # jinja2 types its globals as objects
    assert isinstance(glyphs, dict), "dtrack.templates.environment sets GLYPHS to a dict"
    glyph = glyphs[state]
    return (f'<td class="c s-{escape(state)} t-{escape(status)}{" has-overdue" if n else ""}" '
            f'data-state="{escape(state)}" data-timeliness="{escape(status)}" data-overdue="{n}" '
            f'data-tasks="{total}" title="',
            f': {escape(state_label(state, lang))}, {escape(timeliness_label(status, lang))}{escape(more)}">'
            f'{escape(glyph)}{mark}</td>\n')


def matrix_row(row: dict[str, Any], lang: str) -> Markup:
    """One unit's line of the matrix (`_matrix.html.j2`): 3,355 of them in the national report, each cell by hand."""
    parts = [f'    <tr data-province="{escape(row["province"].slug)}"><td class="name">{escape(row["name"])}</td>\n']
    for c, n, total in zip(row["cells"], row["overdue"], row["tasks"], strict=True):
        if not c:
            parts.append('<td class="c">–</td>')
            continue
        before, after = _matrix_cell(c.state, str(c.timeliness.status), n, total, lang)
        parts.append(f"{before}{escape(c.task.key)}{after}")
    parts.append("    </tr>")
    return Markup("".join(parts))


def _context(report: Report) -> dict[str, Any]:
    lang = report.lang
    return {
        "data_rows": lambda table, total_last=False: data_rows(table, total_last, lang),
        "matrix_row": lambda row: matrix_row(row, lang),
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
    """The matrix, one row per province: state and timeliness codes per task group (the national report).

    A province's report gives its task table, the report over every directive its table of directives.
    """
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
    else:  # a province has no matrix: its task table; the report over every directive, its line per directive
        table = report.table("groups" if report.kind == "province" else "directives")
        writer.writerow(table.headers)
        for row in table.rows:
            writer.writerow(["" if v is None else (v.isoformat() if isinstance(v, date) else v) for v in row])
    return out.getvalue()


def render_xlsx(report: Report) -> bytes:
    """One sheet per table; row 1 the title, row 2 the frozen, filterable headers; typed cells.

    Written in openpyxl's write-only mode, row by row: the normal mode's `max_row`
    and row lookups made a 20,000-row national report take a minute. Sizes, the
    frozen panes and the filter are set before the rows, as that mode needs.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    title_font, bold = Font(bold=True, size=12), Font(bold=True)
    fill = PatternFill("solid", fgColor="DDE5F0")
    wrap = Alignment(wrap_text=True, vertical="top")

    def text(sheet: Any, value: str, **style: Any) -> Any:
        cell = WriteOnlyCell(sheet, value)
        for name, given in style.items():
            setattr(cell, name, given)
        keep_text(cell)
        return cell

    def typed(sheet: Any, value: Any) -> Any:
        """A row's value as written: a plain value when openpyxl keeps it as is, else a cell with its format."""
        if isinstance(value, str):
            # Only a text openpyxl would not keep as plain text needs its cell (reports.spreadsheet_safety).
            return text(sheet, value) if starts_formula(value) or value in ERROR_CODES else value
        if isinstance(value, (Money, Percent, date)):
            cell = WriteOnlyCell(sheet, _xlsx_value(value))
            cell.number_format = "#,##0" if isinstance(value, Money) else "0.0%" if isinstance(value, Percent) \
                else "DD/MM/YYYY"
            if isinstance(value, Share):  # a number still, its denominator shown beside it
                cell.number_format = f'0.0%" ({value.part}/{value.whole})"'
            return cell
        return value

    names: set[str] = set()
    for table in report.tables:
        sheet = book.create_sheet(_sheet_name(table, report.lang, names))
        for index, header in enumerate(table.headers, start=1):
            longest = max([len(str(header))] + [len(cell_text(r[index - 1], report.lang)) for r in table.rows[:200]])
            sheet.column_dimensions[get_column_letter(index)].width = min(60, max(8, longest + 2))
        sheet.freeze_panes = "B3"
        if table.rows:
            sheet.auto_filter.ref = f"A2:{get_column_letter(len(table.headers))}{len(table.rows) + 2}"
        sheet.append([text(sheet, table.title, font=title_font)])
        sheet.append([text(sheet, h, font=bold, fill=fill, alignment=wrap) if isinstance(h, str) else h
                      for h in table.headers])
        for row in table.rows:
            sheet.append([typed(sheet, v) for v in row])
        if table.note:  # the rule a figure follows (the on-time rate's), under its table as on the page
            sheet.append([])
            sheet.append([text(sheet, table.note, font=Font(italic=True))])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_NOT_IN_SHEET_NAMES = str.maketrans({c: " " for c in "[]:*?/\\"})


def _sheet_name(table: Table, lang: str, taken: set[str]) -> str:
    """The table's sheet in the reader's language (`report.sheet.<key>`), within Excel's rules:
    31 characters, none of []:*?/\\, unique in the book (case-insensitively)."""
    key = f"report.sheet.{table.key}"
    name = catalog_text(lang, key) if has(lang, key) else table.title
    name = " ".join(name.translate(_NOT_IN_SHEET_NAMES).split())[:31] or "1"
    unique, n = name, 1
    while unique.casefold() in taken:
        n += 1
        unique = f"{name[:31 - len(str(n)) - 3]} ({n})"
    taken.add(unique.casefold())
    return unique


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, Money):
        return int(value)
    if isinstance(value, Percent):
        return float(value)
    return value


def render(report: Report, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise InvalidInput("format", "not_a_report_format", value=fmt, formats=list(FORMATS))
    with collector_paused():  # hundreds of thousands of cells (reports.collector)
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
