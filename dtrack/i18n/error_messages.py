"""What an error says, in the user's language: the one place that words `DtrackError`s.

The core raises codes with a domain field and values (`dtrack/errors.py`);
the front ends call `say` or `word` here. The words are in the message
catalog (`dtrack/i18n/catalog.py`):

- `error.<code>`: the message, a `str.format` template over the error's values;
- `error.<code>.hint`: what to do, when there is something to say;
- `cli.error.<code>.hint` / `web.error.<code>.hint`: a front end's own hint
  (the CLI's may name its options, `{flag}`, and commands: `dtrack tasks list`);
- `field.<name>`: a field's name as users read it, where no form or option names it.

A coded `Reason` inside an error (why permission is denied, what a file gets
wrong) is worded the same way, by its code. Some values are shown by their
label rather than as stored: `state` (`state.<value>`), `action`
(`error.verb.<action>`), `target` (`error.target.<name>` when it has one),
`status` (`error.status.<value>`); lists are joined with commas, dates are
dd/mm/yyyy, and `problems` (a figures file's bad rows) become `listed`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from dtrack.errors import DtrackError, Reason
from dtrack.i18n import catalog

FRONT_ENDS = ("cli", "web", "api")
has = catalog.has
text = catalog.text


@dataclass(frozen=True)
class Worded:
    """An error in one language: its message and, when there is one, its hint."""

    message: str
    hint: str | None = None

    def line(self) -> str:
        return f"{self.message}; {self.hint}" if self.hint else self.message


def field_label(name: str, lang: str) -> str:
    """A field's name as users read it (`field.<name>`); the name itself when the catalog has none."""
    msgid = f"field.{name}"
    return text(lang, msgid) if has(lang, msgid) else name


def word(error: DtrackError | Reason, lang: str, front: str | None = None, **extra: object) -> Worded:
    """`error`'s message and hint in `lang`; `front` (cli, web, api) prefers that front end's own hint.

    `extra` are values only a front end knows (the CLI's `flag`). A template the
    error cannot fill never hides the error: its technical form stands in.
    """
    code, params = _code_and_params(error)
    values = {**_values(params, lang), **extra}
    field = getattr(error, "field", None)
    values.setdefault("flag", field_label(field, lang) if field else "")  # a front end's hint may name it
    try:
        message = text(lang, f"error.{code}", **values)
        hint = None
        for msgid in ((f"{front}.error.{code}.hint",) if front else ()) + (f"error.{code}.hint",):
            if has(lang, msgid):
                hint = text(lang, msgid, **values)
                break
    except (KeyError, IndexError, ValueError):
        return Worded(str(error))
    return Worded(message, hint)


def say(error: DtrackError | Reason, lang: str = "vi", front: str | None = None, *, where: str | None = None,
        **extra: object) -> str:
    """The error as one line: `where: message; hint`.

    `where` names the field the front end's way (`--note` for the CLI); without
    it, a field is named by its label (`field.<name>`), so a line shown away
    from its field still says which one it is about.
    """
    worded = word(error, lang, front, **extra)
    field = getattr(error, "field", None)
    if where is None and field:
        where = _setting_source(error) or field_label(field, lang)
    return f"{where}: {worded.line()}" if where else worded.line()


def _setting_source(error: DtrackError | Reason) -> str | None:
    """The environment variable a bad setting came from (`DTRACK_TODAY`), if it came from one."""
    env = error.params.get("env") if isinstance(error, DtrackError) else None
    return str(env) if env else None


def _code_and_params(error: DtrackError | Reason) -> tuple[str, dict[str, Any]]:
    if isinstance(error, Reason):
        return error.code, dict(error.params)
    params = dict(error.params)
    if error.error_code == "directive_invalid":
        key = params.get("key")
        params["where"] = f"{params['path']}: {key}" if key else params["path"]
    return error.error_code, params


def _values(params: dict[str, Any], lang: str) -> dict[str, Any]:
    """The error's values as its templates show them (see the module's docstring)."""
    shown: dict[str, Any] = {}
    for name, value in params.items():
        shown[name] = _shown(name, value, lang)
    if "problems" in params:
        shown["listed"] = "; ".join(text(lang, "error.line", line=line, problem=_nested(problem, lang))
                                    for line, problem in params["problems"])
    return shown


def _shown(name: str, value: Any, lang: str) -> Any:
    if isinstance(value, Reason | DtrackError):
        return _nested(value, lang)
    if name == "state" and has(lang, f"state.{value}"):
        return text(lang, f"state.{value}")
    if name == "action":
        verb = f"error.verb.{str(value).replace('-', '_')}"
        return text(lang, verb) if has(lang, verb) else value
    if name == "target" and has(lang, f"error.target.{value}"):
        return text(lang, f"error.target.{value}")
    if name == "status" and has(lang, f"error.status.{value}"):
        return text(lang, f"error.status.{value}")
    if name == "allowed" and not value:
        return text(lang, "error.nothing_allowed")
    if isinstance(value, list | tuple) and name != "problems":
        return ", ".join(str(v) for v in value)
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if value is None:
        return text(lang, "error.none")
    return value


def _nested(error: DtrackError | Reason, lang: str) -> str:
    """A reason (or a row's error) inside another error: its line, a field named by its label."""
    return say(error, lang)


# --- stored English reasons --------------------------------------------------------------
# The outbox keeps why a message failed as text (a server's reply, dtrack's own words from any release),
# and a few notes name an old province; these are recognised here and said in the reader's language.
_STORED: list[tuple[re.Pattern[str], str]] = [(re.compile(pattern), msgid) for pattern, msgid in (
    (r"account disabled: no mail goes to it", "note.mail_account_disabled"),
    (r"the sender stopped while sending; it may have been delivered \(a resend keeps the same Message-ID\)",
     "note.mail_sender_stopped"),
    (r"(?P<reply>5\d\d[ -].*)", "note.mail_refused"),
    (r"(?P<reply>4\d\d[ -].*)", "note.mail_deferred"),
    (r"(?P<old>.+) is now part of (?P<new>.+); using (?P<slug>\S+)", "note.province_merged"),
    (r"line (?P<line>\d+): (?P<old>.+) is now part of (?P<new>.+); using (?P<slug>\S+)", "note.line_province_merged"),
)]


def phrase(stored: str | None, lang: str) -> str:
    """A reason or note dtrack stored or gave in English, in `lang` when it is one dtrack knows; else as it is."""
    if stored is None:
        return ""
    for pattern, msgid in _STORED:
        match = pattern.fullmatch(stored)
        if match and has(lang, msgid):
            return text(lang, msgid, **match.groupdict())
    return stored


__all__ = ["FRONT_ENDS", "Worded", "field_label", "has", "phrase", "say", "text", "word"]
