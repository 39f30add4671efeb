"""A core error as a page says it: in the reader's words, never the command line's.

`i18n.error_messages` words an error for every front end from the catalog; the
values it fills in are the core's: a task's key, a province's slug, trigger
names, a domain field's name. A page goes one step further, here, for every
error it shows (beside a field, above a form, on an error page, in a bulk
result):

- a task is named by its title and province (`reading.task_names`), never by its key or id;
- a province by its name, not its slug;
- the actions allowed now by their labels (`action.<trigger>`), not the triggers the CLI takes;
- the field by its label (`field.<name>`) when the message stands away from the field, and by
  nothing when the catalog has no label: a page never shows an internal name;
- a hint written for the command line (naming a command, an `--option`) is not shown: the page's
  own (`web.error.<code>.hint`) or none.
"""
from __future__ import annotations

import re
from typing import Any

from dtrack.errors import DtrackError, PermissionDenied, Reason
from dtrack.i18n.catalog import has, text
from dtrack.i18n.error_messages import word
from dtrack.persistence.database import Database
from dtrack.reading.task_names import province_names, task_names

# What only the command line says: a command, an option, a name in backticks.
COMMAND_LINE = re.compile(r"`|(?<![\w-])--[a-z]|\bdtrack [a-z]")
_TASK_VALUES = ("task_key", "task", "target")
_PROVINCE_VALUES = ("province", "target")


def label_of(field: str | None, lang: str) -> str:
    """A field's label from the catalog (`field.<name>`); "" when it has none (a page shows no internal name)."""
    if not field or field == "form":
        return ""
    return text(lang, f"field.{field}") if has(lang, f"field.{field}") else ""


def web_say(db: Database | None, error: DtrackError | Reason, lang: str, *, beside: bool = False) -> str:
    """`error` in `lang` as a page shows it; `beside` its field (no label then), else led by the field's label."""
    if isinstance(error, PermissionDenied):
        error = error.reason  # the rule that refuses, as the form page shows it
    worded = word(error, lang, "web", **_readable(db, error, lang))
    hint = worded.hint
    code = _code(error)
    if hint and COMMAND_LINE.search(hint) and not has(lang, f"web.error.{code}.hint"):
        hint = None
    message = f"{worded.message}; {hint}" if hint else worded.message
    field = None if beside else getattr(error, "field", None)
    label = label_of(field, lang)
    return f"{label}: {message}" if label else message


def unplaced(errors: dict[str, str], html: str, lang: str) -> list[tuple[str, str]]:
    """The messages a rendered page does not show beside a field (it has none of that name): (field, text).

    A refused form whose field the page does not hold (a progress update on a task not yet started,
    an empty bulk accept) still says why; led by the field's label, as a message away from its field is.
    """
    shown = []
    for name, message in errors.items():
        if f'data-field="{name}"' in html:
            continue
        label = label_of(name, lang)
        shown.append((name, f"{label}: {message}" if label and not message.startswith(f"{label}:") else message))
    return shown


def _action_label(command: str, lang: str) -> str:
    """An action by its label (`action.send_back`), from its trigger or its command name (`send-back`)."""
    msgid = f"action.{command.replace('-', '_')}"
    return text(lang, msgid) if has(lang, msgid) else command


def _code(error: DtrackError | Reason) -> str:
    return error.code if isinstance(error, Reason) else error.error_code


def _readable(db: Database | None, error: DtrackError | Reason, lang: str) -> dict[str, Any]:
    """The error's values a reader knows by another name: tasks, provinces, the actions allowed."""
    params = dict(error.params)
    shown: dict[str, Any] = {}
    allowed = params.get("allowed")
    if isinstance(allowed, list | tuple) and allowed:
        shown["allowed"] = ", ".join(_action_label(str(a), lang)
                                     for a in allowed)
    tasks = {name: str(params[name]) for name in _TASK_VALUES if isinstance(params.get(name), str | int)}
    provinces = {name: str(params[name]) for name in _PROVINCE_VALUES if isinstance(params.get(name), str)}
    if db is None or not (tasks or provinces):
        return shown
    with db.session() as session:
        named = task_names(session, tasks.values(), lang)
        places = province_names(session, provinces.values(), lang)
    shown.update({name: named[ref].label() for name, ref in tasks.items() if ref in named})
    shown.update({name: places[slug] for name, slug in provinces.items() if slug in places})
    return shown


__all__ = ["COMMAND_LINE", "label_of", "unplaced", "web_say"]
