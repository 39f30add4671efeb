"""Reading form fields, and saying what was wrong with one in the page's language.

Form-only parsing (an empty date field) happens here; dates themselves are the core's
(`parse_date`: dd/mm/yyyy or yyyy-mm-dd), as is every rule about the value stays in the core. A core
`InvalidInput` names its field the CLI way (`--note`); `field_name` maps it
to the form field the message is shown beside.
"""
from __future__ import annotations

from datetime import date

from dtrack.config.settings import parse_date
from dtrack.errors import DeadlineFinal, InvalidInput
from dtrack.i18n.error_messages import say
from dtrack.workflow.service import MAX_NOTE

# Core field names that a form calls differently.
_ALIASES = {"user": "email", "settings": "form"}


def parse_day(text: str | None, field: str) -> date:
    """dd/mm/yyyy (as Vietnamese readers write it) or yyyy-mm-dd; impossible dates are refused."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput(field, "is empty", "write a date as dd/mm/yyyy")
    from dtrack.config.clock import in_range

    return in_range(parse_date(text, field), field, text)  # far dates (9999) overflow date arithmetic


def field_name(core_field: str) -> str:
    name = core_field.lstrip("-").replace("-", "_")
    return _ALIASES.get(name, name)


def field_message(error: InvalidInput, w: dict[str, str], lang: str = "vi") -> str:
    """The message shown beside the field, in the page's language: the web's own wording for the
    common mistakes, else the core's wording table (the same line the CLI prints)."""
    name = field_name(error.field)
    problem = error.problem
    code = error.error_code
    if code == "too_long":
        return w["field_too_long"].format(max=MAX_NOTE)
    if name == "progress":
        return w["field_progress"]
    if code == "needs_note":
        return w["field_needs_note"]
    if name == "reason" and "needs a reason" in problem:
        return w["field_reason"]
    if code == "bad_date" or (name in ("to", "as_of") and problem == "is empty"):
        return w["field_date"]
    if isinstance(error, DeadlineFinal):
        return w["field_final"]
    if "is not after the current deadline" in problem:
        return w["field_not_later"] + f" ({problem})"
    if name == "password" and "shorter" in problem:
        return w["field_password_short"]
    if name == "password_confirm":
        return w["field_password_differ"]
    if name == "file":
        return _file_message(problem, w)
    return say(error, lang)


def _file_message(problem: str, w: dict[str, str]) -> str:
    if "bad row" in problem or "column" in problem:  # a figures file: its lines say what to fix
        return problem
    if "completed" in problem:
        return w["field_file_closed"]
    if "more than" in problem:
        return w["field_file_big"].format(mb=problem.rsplit("more than ", 1)[1].split()[0])
    if "empty" in problem or "no file" in problem or "no name" in problem:
        return w["field_file_empty"]
    return w["field_file_type"]
