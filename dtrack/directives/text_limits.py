"""What a text in a directive file may hold: no control character, and a bounded length.

A `\\u0000` escape in a TOML string is a NUL that PostgreSQL refuses (a
traceback) and SQLite stores (a title that cuts off in C tools); ESC, BEL,
CR and friends would reach every terminal that prints the title. Each text
field also has a length limit, so a runaway paste cannot fill a page or a
report, and a value never exceeds its column (issuer: 200 characters).
The file's own line of the offending field is found by reading its source
(tomllib does not say where a value came from).
"""
from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from dtrack import unseen
from dtrack.errors import Reason, because

# Longest text per field, by its name without _vi/_en; anything else: DEFAULT_MAX.
MAX_CHARS = {
    "code": 40, "title": 300, "summary": 2000, "issuer": 200, "signed_by": 200, "source": 500,
    "overseer": 300, "budget": 200, "indicators": 200, "name": 300, "unit": 40, "short": 200,
    "number_prefix": 40, "body": 200, "place": 100, "addressee": 300, "signer": 200, "recipients": 300,
    "regions": 80, "provinces": 80,
}
DEFAULT_MAX = 300
MAX_LIST = 50  # entries of a list (recipients, provinces)

# Tab and newline are text; every other C0 control, DEL and the C1 controls are not.
_CONTROL = re.compile(f"[{unseen.CONTROLS}{unseen.CR}]")

_C0_NAMES = {"\x00": "NUL", "\x07": "BEL", "\x08": "BACKSPACE", "\x0d": "CR", "\x1b": "ESC", "\x7f": "DEL"}

_lines: ContextVar[list[str] | None] = ContextVar("directive_source_lines", default=None)


def limit_of(field: str) -> int:
    base = re.sub(r"_(vi|en)$", "", field)
    return MAX_CHARS.get(base, DEFAULT_MAX)


def text_problem(field: str, value: str) -> Reason | None:
    """Why `value` cannot be the text of `field` (a coded reason), or None."""
    match = _CONTROL.search(value.replace("\r\n", "\n"))
    if match:
        char = match.group()
        name = unicodedata.name(char, "") or _C0_NAMES.get(char, "")
        return because("control_character", code_point=f"U+{ord(char):04X}", name=name)
    length = len(value.strip())
    if length > limit_of(field):
        return because("text_over_limit", length=length, limit=limit_of(field))
    return None


@contextmanager
def source_lines(source: str) -> Iterator[None]:
    """While parsing one file: its lines, for `line_of`."""
    token = _lines.set(source.splitlines())
    try:
        yield
    finally:
        _lines.reset(token)


def line_of(field: str, value: Any) -> int | None:
    """The line (from 1) where `field = value` is written in the file being parsed, if it can be found.

    A line `field = ...` that parses on its own to the same value wins (the
    same key appears once per group); otherwise the first `field =` line.
    """
    lines = _lines.get()
    if not lines:
        return None
    key = re.compile(rf'^\s*["\']?{re.escape(field)}["\']?\s*=')
    candidates = [number for number, line in enumerate(lines, start=1) if key.match(line)]
    for number in candidates:
        try:
            if tomllib.loads(lines[number - 1]).get(field) == value:
                return number
        except tomllib.TOMLDecodeError:  # a multi-line string or list starts here
            continue
    for number in candidates:  # a multi-line value: the line its key is on
        rest = "\n".join(lines[number - 1:])
        try:
            if _first_value(rest, field) == value:
                return number
        except tomllib.TOMLDecodeError:
            continue
    return candidates[0] if candidates else None


def _first_value(text: str, field: str) -> Any:
    """The value of the key on the first line of `text`, read up to where the TOML parses."""
    lines = text.split("\n")
    for end in range(1, min(len(lines), 200) + 1):
        try:
            return tomllib.loads("\n".join(lines[:end])).get(field)
        except tomllib.TOMLDecodeError:
            continue
    raise tomllib.TOMLDecodeError("no value")
