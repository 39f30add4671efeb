"""The words of the emails: the catalog's `mail.*` messages, in Vietnamese (the default) and English.

Templates look every label up here (as `t.<name>`, which reads `mail.<name>`), so the plain-text and
HTML parts say the same thing. A count's phrase ("1 task overdue", "2 tasks overdue") takes the
plural form its language gives the number (English has two, Vietnamese one).
"""
from __future__ import annotations

from datetime import date

from dtrack.i18n.catalog import Words, plural
from dtrack.templates.environment import dmy
from dtrack.workflow.vocabulary import LANGUAGES

WORDS: dict[str, Words] = {lang: Words(lang, "mail") for lang in LANGUAGES}


def phrase(lang: str, name: str, **number: int) -> str:
    """`mail.<name>` with its one number filled in, in the form the number takes in `lang`."""
    [value] = number.values()
    return plural(lang, f"mail.{name}", value, **number)


def subject(lang: str, who: str, counts: list[tuple[str, int]], day: date) -> str:
    """`[dtrack] Hà Nội: 2 nhiệm vụ quá hạn, 1 sắp đến hạn (22/11/2026)`; zero counts are left out."""
    parts = [phrase(lang, name, n=n) for name, n in counts if n]
    return f"[dtrack] {who}: {', '.join(parts) or WORDS[lang]['n_nothing']} ({dmy(day)})"
