"""A list of tasks as the page shows it, downloaded as CSV or XLSX.

Dates stay dates and numbers stay numbers (a spreadsheet can sort and sum
them); every text goes through the one formula-injection rule
(`spreadsheet_safety`), and characters XLSX cannot hold (control
characters a note may carry) are dropped from the XLSX only.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any

from dtrack.i18n.catalog import Words
from dtrack.i18n.labels import DEADLINE_LABELS, STATE_LABELS
from dtrack.i18n.periods import period_name
from dtrack.reports.spreadsheet_safety import csv_writer, keep_text
from dtrack.workflow.vocabulary import LANGUAGES

FORMATS = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
# The columns, in order: `export.<column>` messages.
COLUMNS = ("key", "province", "group", "period", "task", "state", "progress", "deadline", "original_deadline",
           "timeliness", "days")


def _row(item: Any, lang: str) -> list[Any]:
    status = getattr(item, "deadline_status", None) or getattr(item, "status", None)
    days = getattr(item, "deadline_days", None)
    if days is None:
        days = getattr(item, "days", None)
    return [item.key, item.province_name, item.group, period_name(item.period, lang) or None,
            item.title_vi if lang == "vi" else item.title_en,
            STATE_LABELS[lang].get(item.state, item.state), item.progress, item.due_on, item.original_due_on,
            DEADLINE_LABELS[lang].get(status, status) if status else None, days]


def task_list_file(items: Sequence[Any], name: str, fmt: str, lang: str) -> tuple[str, str, bytes]:
    """(file name, MIME type, bytes) of `items` (TaskView or LateTask rows) in `fmt` (csv or xlsx)."""
    rows = [_row(item, lang) for item in items]
    words = Words(lang if lang in LANGUAGES else "vi", "export")
    headers = [words[column] for column in COLUMNS]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv_writer(out)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([v.strftime("%d/%m/%Y") if isinstance(v, date) else v for v in row])
        return f"{name}.csv", FORMATS["csv"], ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel reads UTF-8
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook()
    sheet = book.active
    sheet.title = name[:31]
    sheet.append(headers)
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    for line in sheet.iter_rows():
        for cell in line:
            keep_text(cell)
            if isinstance(cell.value, date):
                cell.number_format = "DD/MM/YYYY"
    buffer = io.BytesIO()
    book.save(buffer)
    return f"{name}.xlsx", FORMATS["xlsx"], buffer.getvalue()
