"""The command line's words: the catalog's `cli.*` messages, and the language a command speaks.

State, deadline-status, region and action names are the vocabulary's (dtrack.i18n.labels); error
messages are worded by `i18n/error_messages.py`. Messages are `str.format` templates. `--json`
output is never translated: it keeps its English keys and raw values for scripts.
"""
from __future__ import annotations

import os
from typing import overload

from dtrack.i18n.catalog import Words, has, text
from dtrack.workflow.vocabulary import LANGUAGES

DEFAULT_LANGUAGE = "vi"


def language(chosen: str | None = None) -> str:
    """The command line's language: --lang, else DTRACK_LANG, else Vietnamese (an unknown value too)."""
    for candidate in (chosen, os.environ.get("DTRACK_LANG")):
        if candidate and candidate.strip().lower() in LANGUAGES:
            return candidate.strip().lower()
    return DEFAULT_LANGUAGE


def words(lang: str) -> Words:
    """The command line's words in `lang` (`words(lang)["h_task"]` is `cli.h_task`)."""
    return Words(lang if lang in LANGUAGES else DEFAULT_LANGUAGE, "cli")


@overload
def value_text(value: str, lang: str, area: str = ...) -> str: ...
@overload
def value_text(value: None, lang: str, area: str = ...) -> None: ...
@overload
def value_text(value: str | None, lang: str, area: str = ...) -> str | None: ...


def value_text(value: str | None, lang: str, area: str = "cli.value") -> str | None:
    """A stored value ('city', 'pending') in words (`cli.value.<value>`, a role's `cli.role.<role>`).

    A value without words stays as it is (so does every value in a language the terminal does not speak).
    """
    if value is None:
        return None
    msgid = f"{area}.{value}"
    return text(lang, msgid) if has(lang, msgid) else value
