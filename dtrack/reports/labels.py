"""The words of the reports, from the catalog (`report.*` messages).

States, regions and deadline statuses are the vocabulary's words (dtrack.i18n.labels); the
`report.*` messages hold only what the reports add (titles, column heads, the document header).
`TEXT[lang]["national_title"]` (`t.national_title` in a template) reads `report.national_title`.
"""
from __future__ import annotations

from functools import cache

from dtrack.i18n.catalog import Words, has, text
from dtrack.i18n.labels import DEADLINE_LABELS, REGION_LABELS, STATE_LABELS, TRIGGER_LABELS
from dtrack.workflow.vocabulary import LANGUAGES

TEXT: dict[str, Words] = {lang: Words(lang, "report") for lang in LANGUAGES}


def trigger_label(trigger: str, lang: str) -> str:
    """An audited action as a report's table names it ("Trả lại để hoàn thiện"); the vocabulary's words."""
    label = TRIGGER_LABELS[lang].get(trigger, trigger.replace("_", "-"))
    return label[:1].upper() + label[1:]


def timeliness_text(status: str, days: int | None, lang: str) -> str:
    """'Quá hạn (quá 12 ngày)': the status and, where it has them, its days (`report.days.<status>`)."""
    label = timeliness_label(status, lang)
    days_id = f"report.days.{status}"
    return f"{label} ({text(lang, days_id, n=days)})" if days and has(lang, days_id) else label


@cache  # a national report asks some 100,000 times for a dozen labels
def state_label(state: str, lang: str) -> str:
    return STATE_LABELS[lang][state]


@cache
def timeliness_label(status: str, lang: str) -> str:
    return DEADLINE_LABELS[lang][status]


@cache
def region_label(region: str, lang: str) -> str:
    return REGION_LABELS[lang][region]
