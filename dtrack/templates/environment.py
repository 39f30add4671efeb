"""The one Jinja environment: reports, mails and web pages are rendered here.

Templates are named from this folder down (`reports/national.html.j2`,
`email/digest.txt.j2`, `web/task.html.j2`), so two layers can each have a
`_layout.html.j2` without one shadowing the other. What a template may use
beyond its own context (filters, the state list) is registered here once,
so a page and a report show a date or a state the same way.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path

from babel.numbers import format_decimal, get_group_symbol
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from dtrack import unseen
from dtrack.i18n.periods import period_name
from dtrack.workflow.overseer import overseer_of
from dtrack.workflow.vocabulary import STATE_GLYPHS, State

TEMPLATES_DIR = Path(__file__).resolve().parent

# HTML and SVG are escaped (a note holding <script> arrives as text); plain
# text, Markdown and CSS are not (Markdown escapes its cells with `md`).
_ESCAPED = (".html.j2", ".svg.j2")


def dmy(day: date | datetime | None) -> str:
    """Dates as Vietnamese readers write them: 05/01/2027 (UTC datetimes shown in local time by the caller)."""
    if day is None:
        return "–"
    return day.strftime("%d/%m/%Y")


@cache
def _group_symbol(lang: str) -> str:
    return get_group_symbol(locale=lang)


def whole(value: int, lang: str) -> str:
    """A count as the language writes it (thousands grouped: 1.234 in Vietnamese).

    A whole number is grouped by Python with Babel's symbol for the language: Babel's whole formatting
    cost 65 µs a number, 450 ms for the scorecard's 3,355 units (tests/test_whole_numbers.py: the same text).
    """
    if isinstance(value, int):
        return f"{value:,}".replace(",", _group_symbol(lang))
    return format_decimal(value, locale=lang)


def markdown_cell(text: str) -> str:
    """A table cell for Markdown: no pipes or line breaks, and no raw HTML a wiki would run."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|").replace("\r", " ").replace("\n", " ")


# Bidi controls reorder the text after them (a note can read backwards, "Trojan Source"), and the
# other control characters are invisible or odd in a page, a mail or a report. Every value a template
# prints is shown with them as a visible marker, e.g. [U+202E]; autoescape still escapes the rest.
_INVISIBLE = re.compile(f"[{unseen.CONTROLS}{unseen.BIDI}]")


class Typed(str):
    """What a user typed, printed back into its form field as it was, so that sending the form again
    stores the same text, not the markers (`visible` leaves it alone; autoescape still escapes it)."""


def visible(value: object) -> object:
    """A printed value with control and bidi characters as [U+XXXX] (the environment's `finalize`)."""
    if isinstance(value, str) and not isinstance(value, Typed) and _INVISIBLE.search(value):
        shown = _INVISIBLE.sub(lambda m: f"[U+{ord(m.group()):04X}]", value)
        # Already-safe HTML (a macro's output) stays safe: the marker holds nothing to escape.
        return Markup(shown) if isinstance(value, Markup) else shown
    return value


@lru_cache(maxsize=16)
def _options(choices: tuple[tuple[str, str], ...]) -> str:
    return "".join(f'<option value="{escape(value)}">{escape(visible(label))}</option>' for value, label in choices)


def options(choices: tuple[tuple[str, str], ...], chosen: str | None) -> Markup:
    """`<option>`s of (value, label) pairs, `chosen` selected, each escaped and `visible` as printing would.

    Built once per list and kept: a filter of 3,355 units (a season with its communes as units) cost
    60 ms a page as a Jinja loop, most of a list page's render.
    """
    html = _options(choices)
    if chosen:
        needle = f'<option value="{escape(chosen)}">'
        html = html.replace(needle, needle[:-1] + " selected>", 1)
    return Markup(html)  # noqa: S704 - built above from escaped values only


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=lambda name: name is None or name.endswith(_ESCAPED),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # thousands of renders per digest build: do not stat the files each time
        finalize=visible,
    )
    env.filters["dmy"] = dmy
    env.filters["md"] = markdown_cell
    env.filters["period"] = period_name  # `{{ t.period|period(lang) }}`: "2025-H2" -> "6 tháng cuối năm 2025"
    env.filters["whole"] = whole  # `{{ n|whole(lang) }}`: 1.234 in Vietnamese, 1,234 in English
    env.filters["visible"] = visible  # for a value built inside a template (finalize sees only what is printed)
    env.filters["options"] = options  # `{{ choices|options(chosen) }}`: a long <select>'s options
    # `overseer_of(directive)`: who oversees it, in the directive's own words (`.name(lang)`, `.short(lang)`).
    env.globals.update(STATES=list(State), GLYPHS={s.value: g for s, g in STATE_GLYPHS.items()},
                       overseer_of=overseer_of)
    return env


def render(name: str, **context: object) -> str:
    return environment().get_template(name).render(**context)
