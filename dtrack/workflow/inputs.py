"""The inputs every action takes, checked the same way on a task and on a commune's part of one.

A progress is a whole percentage typed in ASCII digits (with or without
"%"); a note, evidence or reason is bounded and has no NUL, which
PostgreSQL refuses. `workflow.service` re-exports both checks.
"""
from __future__ import annotations

from dtrack.errors import InvalidInput

MAX_NOTE = 4000


def parse_progress(value: int | str | None) -> int | None:
    if value is None:
        return None
    text = str(value).strip().removesuffix("%").rstrip()
    # ASCII digits only: int() also takes '٣٠', '３０', '+30' and '3_0', which no form shows as a percentage.
    if isinstance(value, bool) or not (text.isascii() and text.isdigit() and len(text) <= 9):
        raise InvalidInput("progress", "bad_progress", value=value)
    number = int(text)  # ASCII digits only: cannot fail
    if not 0 <= number <= 100:
        raise InvalidInput("progress", "bad_progress", value=value)
    return number


def check_text(field: str, text: str | None) -> None:
    """A note, evidence or reason the database can keep: bounded, and without NUL (PostgreSQL refuses it)."""
    if text is None:
        return
    if len(text) > MAX_NOTE:
        raise InvalidInput(field, "too_long", length=len(text), max=MAX_NOTE)
    if "\x00" in text:
        raise InvalidInput(field, "has_nul")


__all__ = ["MAX_NOTE", "check_text", "parse_progress"]
