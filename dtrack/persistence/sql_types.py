"""Names for a row, a SELECT and a result whatever their columns.

SQLAlchemy types each of them by its columns (`Row[int, str]`); code that
takes any query or any row of one (a filter added to a caller's SELECT, a
replay over rows of several shapes) needs the open-ended form, spelled once
here.
"""
from __future__ import annotations

from typing import Any, TypeAlias

from sqlalchemy import CursorResult, Row, Select

AnyRow: TypeAlias = Row[*tuple[Any, ...]]
AnySelect: TypeAlias = Select[*tuple[Any, ...]]
AnyCursorResult: TypeAlias = CursorResult[*tuple[Any, ...]]

__all__ = ["AnyCursorResult", "AnyRow", "AnySelect"]
