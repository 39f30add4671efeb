"""Result objects that the front ends present, and their one JSON shape.

The CLI's `--json` and the web's JSON both call `to_json()` on the same
object, so the two never drift apart. A view is a frozen dataclass of plain
values; its JSON is its fields, with dates and times in ISO 8601.
"""
from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any, overload


@overload
def plain(value: dict[str, Any]) -> dict[str, Any]: ...
@overload
def plain(value: Any) -> Any: ...


def plain(value: Any) -> Any:
    """A value as JSON holds it: dates and times in ISO 8601, containers walked."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


class View:
    """Mixin for a dataclass view: `to_json()` is its fields as plain values."""

    def to_json(self) -> dict[str, Any]:
        fields: dict[str, Any] = plain(asdict(self))  # type: ignore[call-overload]
        return fields
