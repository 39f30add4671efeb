"""The words of the vocabulary's values (states, regions, deadline statuses, ...), from the catalog.

`workflow.vocabulary` declares the values (enums); their words are catalog messages named after the
stored value (`state.blocked`, `region.north`, `trigger.send_back`). Each table here reads like the
dictionaries it replaced: `STATE_LABELS[lang][State.BLOCKED]`, `.get(value, value)`, iteration over
the values it covers, so a value outside the table is a KeyError, not a guessed message id.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from enum import StrEnum
from functools import cache

from dtrack.i18n.catalog import text
from dtrack.workflow.vocabulary import (
    LANGUAGES,
    ApplicabilityTrigger,
    DeadlineStatus,
    DeadlineTrigger,
    DocumentTrigger,
    EvidenceTrigger,
    PartTrigger,
    Region,
    ReminderKind,
    RequestStatus,
    RequestTrigger,
    State,
    Trigger,
)


class LabelsIn(Mapping[str, str]):
    """One vocabulary's words in one language: value -> its words."""

    __slots__ = ("_lang", "_area", "_values")

    def __init__(self, lang: str, area: str, values: tuple[StrEnum, ...]) -> None:
        self._lang, self._area, self._values = lang, area, values

    def __getitem__(self, value: str) -> str:
        if value not in self._values:  # a StrEnum member equals its stored value
            raise KeyError(value)
        return _label(self._lang, self._area, str(value))

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


class Labels(Mapping[str, LabelsIn]):
    """One vocabulary's words, by language: `Labels[lang]` is a `LabelsIn` (a language it lacks: KeyError)."""

    __slots__ = ("area", "members")

    def __init__(self, area: str, members: Iterable[StrEnum]) -> None:
        self.area, self.members = area, tuple(members)

    def __getitem__(self, lang: str) -> LabelsIn:
        if lang not in LANGUAGES:
            raise KeyError(lang)
        return LabelsIn(lang, self.area, self.members)

    def __iter__(self) -> Iterator[str]:
        return iter(LANGUAGES)

    def __len__(self) -> int:
        return len(LANGUAGES)


@cache  # a national report asks some 100,000 times for a dozen labels
def _label(lang: str, area: str, value: str) -> str:
    return text(lang, f"{area}.{value}")


STATE_LABELS = Labels("state", State)
REGION_LABELS = Labels("region", Region)
DEADLINE_LABELS = Labels("deadline", DeadlineStatus)
# What each action is called in emails and reports ("what changed"): the triggers of every kind.
TRIGGER_LABELS = Labels("trigger", (*Trigger, *DeadlineTrigger, *EvidenceTrigger, *RequestTrigger,
                                    *ApplicabilityTrigger, *PartTrigger, *DocumentTrigger))
REQUEST_STATUS_LABELS = Labels("request_status", RequestStatus)
REMINDER_LABELS = Labels("reminder", ReminderKind)

ALL_LABELS = (STATE_LABELS, REGION_LABELS, DEADLINE_LABELS, TRIGGER_LABELS, REQUEST_STATUS_LABELS, REMINDER_LABELS)
