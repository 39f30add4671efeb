"""Reading the catalogs at run time: the standard library's gettext, strict in the tests, forgiving in production."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dtrack.i18n import catalog, messages
from dtrack.i18n.catalog import MissingMessage, Words, has, plural, text
from dtrack.i18n.labels import ALL_LABELS, STATE_LABELS, TRIGGER_LABELS
from dtrack.workflow.vocabulary import LANGUAGES, State, Trigger


def test_a_message_in_each_language_with_its_placeholders_filled():
    assert text("vi", "web.nav_home") == "Việc của tỉnh"
    assert text("en", "web.nav_home") == "Province work"
    assert text("vi", "web.days_left", n=3) == "còn 3 ngày"
    assert text("en", "web.page_of", page=2, pages=5) == "Page 2 of 5"
    assert text("vi", "web.conflict") == text("vi", "web.conflict")  # no params: the template as it is
    assert "{by}" in text("vi", "web.conflict")


def test_plural_forms_follow_the_language():
    assert plural("en", "mail.n_overdue", 1, n=1) == "1 task overdue"
    assert plural("en", "mail.n_overdue", 2, n=2) == "2 tasks overdue"
    assert plural("en", "mail.n_overdue", 0, n=0) == "0 tasks overdue"
    assert plural("vi", "mail.n_overdue", 1, n=1) == plural("vi", "mail.n_overdue", 7, n=1) == "1 nhiệm vụ quá hạn"
    assert plural("en", "mail.n_due_today", 1, n=1) == "1 due today"  # a message without plural forms


def test_has_and_the_words_of_an_area():
    assert has("vi", "web.nav_home") and has("en", "mail.n_overdue")
    assert not has("vi", "web.no_such_word") and not has("fr", "web.nav_home") and not has("vi", "")
    w = Words("en", "web")
    assert w["nav_home"] == "Province work" and "nav_home" in w and "flash_nonsense" not in w
    assert w.get("flash_saved") == "Saved." and w.get("flash_nonsense") is None and w.get("x", "-") == "-"
    assert w.language == "en"


def test_a_missing_message_fails_loudly_under_the_tests(monkeypatch):
    assert catalog.strict()  # tests/conftest.py turns it on
    with pytest.raises(MissingMessage, match="web.no_such_word"):
        text("vi", "web.no_such_word")
    with pytest.raises(MissingMessage):
        Words("vi", "web")["no_such_word"]
    with pytest.raises(MissingMessage):
        text("fr", "web.nav_home")


def test_in_production_a_missing_message_falls_back_to_english_then_to_its_id(monkeypatch, tmp_path, caplog):
    monkeypatch.delenv(catalog.STRICT_VARIABLE)
    assert not catalog.strict()
    assert text("fr", "web.nav_home") == "Province work"
    assert text("vi", "web.no_such_word") == "web.no_such_word"
    assert text("vi", "web.no_such_{n}", n=2) == "web.no_such_2"
    # A message the Vietnamese catalog lacks: the English one stands in for it.
    root = tmp_path / "locale"
    shutil.copytree(catalog.LOCALE_DIR, root)
    vi = messages.read_catalog("vi", root)
    del vi["web.nav_home"]
    messages.write_catalog("vi", vi, root)
    messages.compile_all(root)
    monkeypatch.setattr(catalog, "LOCALE_DIR", root)
    catalog._catalog.cache_clear()
    try:
        assert text("vi", "web.nav_home") == "Province work" and text("vi", "web.logout") == "Đăng xuất"
    finally:
        catalog._catalog.cache_clear()
    assert "web.no_such_word" in caplog.text


def test_every_value_of_the_vocabulary_has_its_words_in_every_language():
    for labels in ALL_LABELS:
        assert list(labels) == list(LANGUAGES)
        for lang in LANGUAGES:
            assert len(labels[lang]) == len(labels.members) > 0
            for value in labels.members:
                assert labels[lang][value] == text(lang, f"{labels.area}.{value}") != ""
    assert STATE_LABELS["vi"][State.BLOCKED] == STATE_LABELS["vi"]["blocked"] == "Vướng mắc"
    assert TRIGGER_LABELS["en"][Trigger.SEND_BACK] == "sent back for rework"
    assert STATE_LABELS["en"].get("flying", "flying") == "flying"
    with pytest.raises(KeyError):
        STATE_LABELS["en"]["flying"]  # a value the vocabulary lacks is no message id
    with pytest.raises(KeyError):
        STATE_LABELS["fr"]


def test_the_tool_merges_a_tsv_into_both_catalogs_and_compiles(tmp_path):
    root = tmp_path / "locale"
    shutil.copytree(catalog.LOCALE_DIR, root)
    tsv = tmp_path / "new.tsv"
    tsv.write_text("# a comment line\n\nweb.nav_home\tViệc của tỉnh, thành phố\tProvince work\n"
                   "state.paused\tTạm dừng {n} ngày\tPaused for {n} days\n"
                   "mail.two_lines\tDòng một\\nDòng hai\tLine one\\nLine two\n", encoding="utf-8")
    assert messages.add(tsv, root) == 3
    vi, en = messages.read_catalog("vi", root), messages.read_catalog("en", root)
    assert vi["web.nav_home"].string == "Việc của tỉnh, thành phố"  # replaced
    assert [m.id for m in vi if m.id].count("web.nav_home") == 1
    assert en["state.paused"].string == "Paused for {n} days"
    assert vi["state.paused"].auto_comments == ["en: Paused for {n} days"]
    assert vi["mail.two_lines"].string == "Dòng một\nDòng hai"
    ids = [m.id for m in en if m.id]
    assert ids.index("state.paused") < ids.index("region.north")  # after the last state, not at the end
    assert messages.compiled("vi", root) == (root / "vi" / "LC_MESSAGES" / "dtrack.mo").read_bytes()
    assert "python-brace-format" in (root / "vi" / "LC_MESSAGES" / "dtrack.po").read_text(encoding="utf-8").split(
        'msgid "state.paused"')[0].rsplit("\n\n", 1)[1]


@pytest.mark.parametrize(("line", "problem"), [("web.x\tonly one text", "2 fields"),
                                               ("web.x\tcòn {n} ngày\t{m} days left", "placeholders differ"),
                                               ("web.x\t\tEmpty Vietnamese", "two non-empty texts")])
def test_the_tool_refuses_a_bad_line_and_changes_nothing(tmp_path, line, problem):
    tsv = tmp_path / "bad.tsv"
    tsv.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=problem):
        messages.read_tsv(tsv)


def test_reading_a_message_loads_no_babel():
    code = ("import sys\nfrom dtrack.i18n.catalog import text\nfrom dtrack.i18n.labels import STATE_LABELS\n"
            "text('vi', 'web.nav_home'); STATE_LABELS['en']['blocked']\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'babel'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
