"""The tests' Prime Minister's directive followed by the Ministry (tests/fixtures/directives/), loaded and assigned.

Its issuer (the Prime Minister) is not the overseer's parent body, and its
overseer is a Ministry ("Bộ"), not a Department ("Cục"): the directive issue
22 found dtrack wrong with. Group 3 is the Ministry's own task.
"""
from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

from dtrack.directives.format import parse_data
from dtrack.directives.loader import LoadResult, load
from dtrack.workflow.assignments import assign
from dtrack.workflow.provinces import all_provinces

FILE = Path(__file__).resolve().parents[1] / "fixtures" / "directives" / "pm-directive-ministry-follows.toml"
TEXT = FILE.read_text(encoding="utf-8")
CODE = "31/CT-TTg"
OWN_KEY = f"{CODE}:3:bo"  # the Ministry's own task, with the suffix the file names
LAO_CAI_KEY = f"{CODE}:1:lao-cai"
ASSIGNED_ON = date(2026, 1, 5)


def with_overseer(**keys: object) -> str:
    """The directive's text with its [directive.overseer] table given more keys (TOML values)."""
    lines = "".join(f"{name} = {_toml(value)}\n" for name, value in keys.items())
    return TEXT.replace('key_suffix = "bo"\n', f'key_suffix = "bo"\n{lines}')


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return f'"{value}"'


def load_and_assign(db, clock, text: str = TEXT) -> LoadResult:
    with db.session() as session:
        result = load(session, parse_data(tomllib.loads(text), FILE.name), clock.now(), FILE.name)
        assign(session, CODE, all_provinces(session), ASSIGNED_ON, clock.now())
    return result
