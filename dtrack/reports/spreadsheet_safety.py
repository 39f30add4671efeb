"""Spreadsheet cells that cannot run code: the one rule every CSV and XLSX writer applies.

Notes, reasons and titles are written by people; a spreadsheet program
reads a cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return
as a formula (OWASP's CSV injection: `=HYPERLINK("http://…","x")` becomes a
live link, `@SUM(1+1)` a computation). So any such *text*:

- in CSV is neutralised with a leading single quote, which spreadsheets
  read as "this is text" (`csv_field`; `original_text` undoes it), and
  written by `csv_writer`, which also keeps a carriage return inside a
  field from splitting the row (the text after it would start a new row
  unneutralised);
- in XLSX is kept a string cell (openpyxl makes any string that begins with
  `=` a formula, and `#N/A` an error) and marked quote-prefixed, so the
  cell stays text even when someone edits it in Excel (`keep_text`).

Only strings are touched: numbers (a negative one included) and dates stay
real numbers and dates.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:  # openpyxl is loaded only when an XLSX is written (CSV output stays quick to start)
    from openpyxl.cell.cell import Cell

# The characters OWASP lists as starting a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
# A text that already looks neutralised (quotes, then a formula start) gets one
# more quote, so that removing one quote always gives the original back.
_NEEDS_QUOTE = re.compile("'*[" + re.escape("".join(FORMULA_STARTS)) + "]")
_QUOTED = re.compile("'+[" + re.escape("".join(FORMULA_STARTS)) + "]")


def starts_formula(text: str) -> bool:
    """Would a spreadsheet program read this text as the start of a formula?"""
    return text.startswith(FORMULA_STARTS)


def csv_field(value: Any) -> Any:
    """A CSV field that cannot run code: dangerous text gets a leading quote; other values pass unchanged."""
    if isinstance(value, str) and _NEEDS_QUOTE.match(value):
        return QUOTE + value
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_field(v) for v in values]


class SafeCsvWriter:
    """A `csv.writer` whose every field goes through `csv_field`."""

    def __init__(self, out: IO[str]) -> None:
        # The csv module quotes a field holding CR or LF only if that character is in the
        # line terminator: CRLF (RFC 4180, as Excel writes) has both, "\n" alone would
        # leave a CR unquoted and split the row there.
        self._writer = csv.writer(out, lineterminator="\r\n")

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow(csv_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: IO[str]) -> SafeCsvWriter:
    """The CSV writer for every spreadsheet dtrack writes."""
    return SafeCsvWriter(out)


def original_text(field: str) -> str:
    """The text `csv_field` was given, from the field it wrote."""
    return field[1:] if _QUOTED.match(field) else field


def keep_text(cell: Cell) -> None:
    """Keep a string cell a string; a text that starts a formula is also quote-prefixed for Excel."""
    if not isinstance(cell.value, str):
        return
    cell.data_type = "s"
    if starts_formula(cell.value):
        cell.quotePrefix = True


__all__ = ["FORMULA_STARTS", "SafeCsvWriter", "csv_field", "csv_row", "csv_writer", "keep_text",
           "original_text", "starts_formula"]
