"""The catalogs themselves: every message in both languages, the same placeholders, compiled as committed.

Each check is a function over catalogs (or a locale folder), run on the real ones and, to show it can
fail, on a small broken copy in a temporary folder.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

from dtrack.i18n import messages
from dtrack.i18n.catalog import LOCALE_DIR, languages
from dtrack.i18n.messages import BRACE_FLAG, message_texts, placeholders, read_catalog


def _id(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def flags_as_written(po: Path) -> dict[str, set[str]]:
    """Each message's `#,` flags as the file has them (Babel re-derives python-brace-format from the
    msgid when it reads a .po, and a symbolic id never holds a placeholder)."""
    flags: dict[str, set[str]] = {}
    pending: set[str] = set()
    for line in po.read_text(encoding="utf-8").splitlines():
        if line.startswith("#,"):
            pending = {f.strip() for f in line[2:].split(",")}
        elif line.startswith("msgid "):
            flags[line[len('msgid "'):-1]] = pending
            pending = set()
    return flags


def catalog_problems(vi: Catalog, en: Catalog, flags: dict[str, dict[str, set[str]]]) -> list[str]:
    """What is wrong between the Vietnamese and the English catalog (nothing, when all is well)."""
    found = []
    vi_messages = {_id(m): m for m in vi if m.id}
    en_messages = {_id(m): m for m in en if m.id}
    found += [f"{i}: not in vi.po" for i in sorted(en_messages.keys() - vi_messages.keys())]
    found += [f"{i}: not in en.po" for i in sorted(vi_messages.keys() - en_messages.keys())]
    for lang, catalog in (("vi", vi_messages), ("en", en_messages)):
        for msgid, message in catalog.items():
            texts = message_texts(message)
            if message.fuzzy:
                found.append(f"{msgid}: fuzzy in {lang}.po")
            if not all(t.strip() for t in texts):
                found.append(f"{msgid}: no {lang} text")
            if msgid in texts:
                found.append(f"{msgid}: its {lang} text is its id")  # the run time tells a missing id that way
            if (BRACE_FLAG in flags[lang].get(msgid, set())) != any(placeholders(t) for t in texts):
                found.append(f"{msgid}: {lang}.po flags {BRACE_FLAG} where the text has no placeholder, or not "
                             f"where it has (python -m dtrack.i18n.messages tidy)")
    for msgid in sorted(vi_messages.keys() & en_messages.keys()):
        vi_names = [placeholders(t) for t in message_texts(vi_messages[msgid])]
        en_names = [placeholders(t) for t in message_texts(en_messages[msgid])]
        if len({frozenset(n) for n in vi_names + en_names}) > 1:
            found.append(f"{msgid}: placeholders differ: vi {vi_names}, en {en_names}")
        shown = " | ".join(message_texts(en_messages[msgid])).replace("\n", "\\n")
        if " ".join(vi_messages[msgid].auto_comments).split() != f"en: {shown}".split():  # a long one is wrapped
            found.append(f"{msgid}: vi.po does not show the English beside it (make messages)")
    return found


def _flags(root: Path) -> dict[str, dict[str, set[str]]]:
    return {lang: flags_as_written(messages.po_path(lang, root)) for lang in ("vi", "en")}


def stale_compiled(root: Path) -> list[str]:
    """The .mo files that are not what compiling their .po gives now."""
    return [lang for lang in ("vi", "en")
            if (root / lang / "LC_MESSAGES" / "dtrack.mo").read_bytes() != messages.compiled(lang, root)]


def test_both_languages_have_every_message_with_the_same_placeholders():
    vi, en = read_catalog("vi"), read_catalog("en")
    assert catalog_problems(vi, en, _flags(LOCALE_DIR)) == []
    assert len(en) > 600


def test_the_committed_mo_files_are_the_po_files_compiled():
    assert languages() == ("en", "vi")
    assert stale_compiled(LOCALE_DIR) == []


@pytest.fixture
def locale_copy(tmp_path) -> Path:
    root = tmp_path / "locale"
    shutil.copytree(LOCALE_DIR, root)
    return root


def test_the_checks_see_a_missing_an_empty_a_fuzzy_and_a_mismatched_message(locale_copy):
    vi, en = read_catalog("vi", locale_copy), read_catalog("en", locale_copy)
    del vi["web.nav_home"]
    vi["web.logout"].string = ""
    vi["web.login"].flags.add("fuzzy")
    vi["web.days_left"].string = "còn {m} ngày"
    en.add("web.only_english", "Only in English")
    en["web.save"].string = "web.save"
    vi["web.reload"].auto_comments = ["en: Reload"]
    flags = _flags(locale_copy)
    flags["en"]["web.days_left"].discard(BRACE_FLAG)
    problems = catalog_problems(vi, en, flags)
    for expected in ("web.nav_home: not in vi.po", "web.logout: no vi text", "web.login: fuzzy in vi.po",
                     "web.days_left: placeholders differ", "web.only_english: not in vi.po",
                     "web.save: its en text is its id", f"web.days_left: en.po flags {BRACE_FLAG}",
                     "web.reload: vi.po does not show the English"):
        assert any(p.startswith(expected) for p in problems), (expected, problems)


def test_the_check_sees_a_po_edited_without_compiling(locale_copy):
    po = locale_copy / "vi" / "LC_MESSAGES" / "dtrack.po"
    po.write_text(po.read_text(encoding="utf-8").replace('"Việc của tỉnh"', '"Việc của tỉnh thành"'),
                  encoding="utf-8")
    assert stale_compiled(locale_copy) == ["vi"]
