"""Reading form fields, and saying what was wrong with one in the page's language.

Form-only parsing (an empty date field) happens here; dates themselves are the core's
(`parse_date`: dd/mm/yyyy or yyyy-mm-dd), as is every rule about the value. A core
`InvalidInput` names its domain field (`note`, `due_on`); `field_name` maps it to
the form field the message is shown beside, and `field_message` words it there,
from the catalog, in the page's language.
"""
from __future__ import annotations

from datetime import date

from dtrack.config.values import parse_date
from dtrack.errors import InvalidInput
from dtrack.i18n.catalog import Words
from dtrack.i18n.error_messages import word
from dtrack.persistence.database import Database
from dtrack.web.error_words import web_say

# Domain fields that a form calls differently.
_ALIASES = {"user": "email", "settings": "form", "due_on": "to", "provinces": "province", "locale": "form"}
# Mistakes the pages word in their own short way beside the field (web.field_*), by code.
_PAGE_WORDS = {"bad_progress": "field_progress", "needs_note": "field_needs_note",
               "exempt_needs_reason": "field_reason_not_applicable", "extension_needs_reason": "field_reason",
               "deadline_final": "field_final",
               "password_too_short": "field_password_short", "passwords_differ": "field_password_differ",
               "evidence_closed": "field_file_closed", "file_empty": "field_file_empty",
               "file_no_name": "field_file_empty", "no_figures_file": "field_file_empty",
               "no_directive_file": "field_file_empty", "file_type_not_allowed": "field_file_type",
               "file_extension_mismatch": "field_file_type"}


def parse_day(text: str | None, field: str) -> date:
    """dd/mm/yyyy (as Vietnamese readers write it) or yyyy-mm-dd; impossible dates are refused."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput(field, "empty_date")
    from dtrack.config.clock import in_range

    return in_range(parse_date(text, field), field, text)  # far dates (9999) overflow date arithmetic


def field_name(core_field: str | None) -> str:
    """The form field a core error's domain field is shown beside."""
    name = core_field or "form"
    return _ALIASES.get(name, name)


def field_message(error: InvalidInput, w: Words, lang: str = "vi", db: Database | None = None) -> str:
    """The message shown beside the field, in the page's language: the pages' own short words for the
    common mistakes, else the catalog's wording of the error as a page says it (`error_words`: tasks by
    title and province, no CLI hint; `db` names them)."""

    code = error.error_code
    if code == "too_long":
        return w["field_too_long"].format(max=error.params.get("max"))
    if code in ("bad_date", "empty_date") and field_name(error.field) in ("to", "as_of", "issued_on"):
        return w["field_date"]
    if code == "file_too_big":
        return w["field_file_big"].format(mb=f"{error.params['max_mb']:g}")
    if code in ("not_after_deadline", "proposed_not_after_deadline"):
        return w["field_not_later"] + f" ({word(error, lang, 'web').message})"
    if code in _PAGE_WORDS:
        return w[_PAGE_WORDS[code]]
    return web_say(db, error, lang, beside=True)
