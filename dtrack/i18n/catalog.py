"""Every message users read, from one gettext catalog per language, read with the standard library.

The catalogs are `dtrack/locale/<lang>/LC_MESSAGES/dtrack.po` (reviewed as text, tooled with Babel:
`make messages`, `make compile-messages`, `python -m dtrack.i18n.messages`), compiled to the `.mo`
beside them (committed; package data). Ids are symbolic and dotted by area (`web.nav_home`,
`cli.h_task`, `mail.greeting`, `state.blocked`): English is a translation like Vietnamese, and one id
serves every front end that shows the message. Texts are `str.format` templates: `text(lang, id, n=3)`
fills them.

Only the standard library's `gettext` reads them here: Babel is a tool, kept out of a command's
start-up (tests/test_cli_startup.py).

A missing message is a bug. Under the test suite (`DTRACK_STRICT_MESSAGES=1`, which tests/conftest.py
sets) it raises `MissingMessage`; in production it is logged once and the English text stands in,
else the id itself: a page never fails for want of a word.
"""
from __future__ import annotations

import gettext
import logging
import os
from functools import cache
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "dtrack"
FALLBACK = "en"  # what production shows when a language lacks a message
STRICT_VARIABLE = "DTRACK_STRICT_MESSAGES"

log = logging.getLogger(__name__)


class MissingMessage(LookupError):
    """An id the catalog of a language does not hold (raised only in strict mode: the tests)."""

    def __init__(self, lang: str, msgid: str) -> None:
        super().__init__(f"no message {msgid!r} in the {lang!r} catalog ({LOCALE_DIR / lang})")
        self.lang, self.msgid = lang, msgid


@cache
def languages() -> tuple[str, ...]:
    """The languages that have a compiled catalog."""
    return tuple(sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")))


@cache
def _catalog(lang: str) -> gettext.GNUTranslations | None:
    if lang not in languages():  # also keeps a language typed into a URL out of the file system
        return None
    with open(LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo", "rb") as compiled:
        return gettext.GNUTranslations(compiled)


def has(lang: str, msgid: str, /) -> bool:
    """Whether `lang`'s catalog holds `msgid` (a plural message too)."""
    catalog = _catalog(lang)
    # gettext answers the id itself, the very object, when it has no message for it ("" is the header).
    return catalog is not None and msgid != "" and catalog.gettext(msgid) is not msgid


def text(lang: str, msgid: str, /, **params: object) -> str:
    """The message `msgid` in `lang`, its {placeholders} filled from `params` when any are given."""
    catalog = _catalog(lang)
    found = catalog.gettext(msgid) if catalog is not None and msgid != "" else msgid
    if found is msgid:
        found = _missing(lang, msgid)
    return found.format(**params) if params else found


def plural(lang: str, msgid: str, count: int, /, **params: object) -> str:
    """`text`, in the form `lang` uses for `count` ("1 task overdue", "2 tasks overdue").

    A message without plural forms (Vietnamese has none) is the same for every count.
    """
    catalog = _catalog(lang)
    found = catalog.ngettext(msgid, msgid, count) if catalog is not None and msgid != "" else msgid
    if found is msgid:
        return text(lang, msgid, **params)
    return found.format(**params) if params else found


def strict() -> bool:
    """Whether a missing message raises (the test suite) instead of falling back (production)."""
    return os.environ.get(STRICT_VARIABLE, "") not in ("", "0")


def _missing(lang: str, msgid: str) -> str:
    if strict():
        raise MissingMessage(lang, msgid)
    _warn_once(lang, msgid)
    if lang != FALLBACK and has(FALLBACK, msgid):
        return text(FALLBACK, msgid)
    return msgid


@cache
def _warn_once(lang: str, msgid: str) -> None:
    log.warning("no message %r in the %r catalog: shown in English, or as its id", msgid, lang)


class Words:
    """One area's messages in one language, read like a dictionary: `w["nav_home"]` is `web.nav_home`.

    The pages, mails and reports look their words up through it (`w.nav_home` in a template); it holds
    no words itself.
    """

    __slots__ = ("_lang", "_prefix")

    def __init__(self, lang: str, area: str) -> None:
        self._lang, self._prefix = lang, f"{area}."

    @property
    def language(self) -> str:
        return self._lang

    def __getitem__(self, key: str) -> str:
        return text(self._lang, self._prefix + key)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and has(self._lang, self._prefix + key)

    def get(self, key: str, default: str | None = None) -> str | None:
        """The message, or `default` when the area has none under `key` (a key built from a request)."""
        msgid = self._prefix + key
        return text(self._lang, msgid) if has(self._lang, msgid) else default

    def __repr__(self) -> str:
        return f"Words({self._lang!r}, {self._prefix[:-1]!r})"
