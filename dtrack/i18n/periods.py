"""A reporting period by name: "2025-H2" is "6 tháng cuối năm 2025" on a page, in a mail or a report.

Tasks of a recurring group, figures and reports carry a period code (`workflow.deadlines.period_label`):
a year "2026", a half "2026-H1", a quarter "2026-Q3", a month "2026-11", or a day "2026-06-15" for a
rule with another spacing. People read it by name, never as the code; the words come from the catalog
(`period.*`), so English readers get "second half of 2025". A text that is no period code (a figure's
free period) is shown as it is: naming never fails a page.
"""
from __future__ import annotations

import re
from datetime import date

from dtrack.i18n.catalog import text

_CODE = re.compile(r"(\d{4})(?:-(H[12]|Q[1-4]|\d{2}|\d{2}-\d{2}))?")


def period_name(code: str | None, lang: str) -> str:
    """The period `code` by name in `lang` ("2026-Q3" -> "Quý III năm 2026"); other text unchanged, None -> ""."""
    if not code:
        return ""
    match = _CODE.fullmatch(code.strip())
    if not match:
        return code
    year, part = match.group(1), match.group(2)
    if part is None:
        return text(lang, "period.year", y=year)
    if part in ("H1", "H2"):
        return text(lang, f"period.{part.lower()}", y=year)
    if part.startswith("Q"):
        return text(lang, f"period.q{part[1]}", y=year)  # Vietnamese writes quarters in Roman numerals
    if len(part) == 2:
        month = int(part)
        if not 1 <= month <= 12:
            return code
        return text(lang, f"period.month_{month}", y=year)
    try:
        day = date.fromisoformat(code.strip())
    except ValueError:
        return code
    return text(lang, "period.day", d=day.strftime("%d/%m/%Y"))


__all__ = ["period_name"]
