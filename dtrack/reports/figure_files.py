"""Reading a figures file: CSV (UTF-8) or XLSX, header on the first line, rows with their line numbers."""
from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dtrack.errors import InvalidInput

COLUMNS = ("unit", "indicator", "period", "value", "as_of", "note", "source")
REQUIRED_COLUMNS = ("unit", "indicator", "period", "value")


def _csv_lines(path: Path) -> Iterator[tuple[int, list[Any]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InvalidInput("file", "figures_unreadable", path=str(path), reason=exc.strerror) from None
    except UnicodeDecodeError:
        raise InvalidInput("file", "figures_not_utf8", path=str(path)) from None
    reader = csv.reader(text.splitlines())
    for record in reader:
        yield reader.line_num, record  # the physical line, even after a quoted line break


def _xlsx_lines(path: Path) -> Iterator[tuple[int, list[Any]]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (OSError, InvalidFileException, BadZipFile, KeyError, ValueError) as exc:
        raise InvalidInput("file", "workbook_unreadable", path=str(path), reason=str(exc)) from None
    for number, values in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1):
        yield number, list(values)


def read_rows(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, row) of a CSV (UTF-8, header line 1) or XLSX (first sheet, header row 1)."""
    path = Path(path)
    readers = {".csv": _csv_lines, ".xlsx": _xlsx_lines}
    if path.suffix.lower() not in readers:
        raise InvalidInput("file", "not_csv_or_xlsx", path=str(path))
    lines = readers[path.suffix.lower()](path)
    first = next(lines, None)
    if first is None or not any(first[1]):
        raise InvalidInput("file", "figures_empty", path=str(path), columns=list(COLUMNS))
    names = [str(h or "").strip().lower() for h in first[1]]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    unknown = [n for n in names if n and n not in COLUMNS]
    if missing or unknown:
        if missing:
            raise InvalidInput("file", "missing_columns", path=str(path), names=missing, columns=list(COLUMNS))
        raise InvalidInput("file", "unknown_columns", path=str(path), names=unknown, columns=list(COLUMNS))
    for line, record in lines:
        if all(v is None or str(v).strip() == "" for v in record):
            continue
        yield line, {name: record[i] if i < len(record) else None for i, name in enumerate(names) if name}
