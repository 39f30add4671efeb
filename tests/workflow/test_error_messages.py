"""Every error has its wording in both languages, worded from its code and values, never from English."""
from __future__ import annotations

import inspect
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dtrack import errors
from dtrack.config.values import parse_date
from dtrack.i18n.error_messages import has, phrase, say, word
from dtrack.workflow.vocabulary import LANGUAGES

ERROR_CLASSES = [c for _, c in inspect.getmembers(errors, inspect.isclass)
                 if issubclass(c, errors.DtrackError) and c.__module__ == errors.__name__]

# One instance of each class, with the context a real raise gives it.
SAMPLES = [
    errors.DtrackError(),
    errors.NotFound("x"),
    errors.UnknownTask("20/CT-BCT:42:ha-noi"),
    errors.UnknownProvince("atlantis"),
    errors.UnknownUser("ghost@x.vn"),
    errors.UnknownDirective("99/CT-XX"),
    errors.UnknownTrigger("fly", ["start", "submit"]),
    errors.TransitionNotAllowed("20/CT-BCT:2:ha-noi", "submit", "not_started", ["start", "block"]),
    errors.TransitionNotAllowed("20/CT-BCT:2:ha-noi", "send-back", "completed", []),
    errors.PermissionDenied("a@x.vn", "accept", "20/CT-BCT:2:ha-noi", errors.because("overseers_only")),
    errors.ConcurrentUpdate("20/CT-BCT:2:ha-noi", "b@x.vn", "05/01/2026 09:30"),
    errors.ConcurrentUpdate("20/CT-BCT:2:ha-noi"),
    errors.InvalidInput("name", "empty_name"),
    errors.DirectiveInvalid("d.toml", "groups", errors.because("no_groups")),
    errors.DatabaseUnavailable("sqlite:///x.db", "file is not a database"),
    errors.DatabaseNotInitialised("sqlite:///x.db"),
    errors.MigrationFailed("sqlite:///x.db", "table provinces already exists"),
    errors.ImportInvalid("f.csv", [(2, errors.InvalidInput("value", "not_a_number", value="x")),
                                   (5, errors.InvalidInput("unit", "empty_unit"))]),
    errors.UnknownMessage("7"),
    errors.MailServerUnavailable("smtp://host:587", "connection refused"),
    errors.MessageRejected(550, "no such user"),
    errors.RuleError("not_a_deadline_rule", value="soon"),
    errors.UnknownIndicator("gdp", ["budget_disbursed"]),
    errors.LoginFailed(),
    errors.LoginThrottled("a@x.vn", 15),
    errors.LinkInvalid(errors.because("link_expired")),
    errors.NotAuthenticated(),
    errors.AddressThrottled("203.0.113.7", 15),
    errors.StorageFailed("No space left on device"),
    errors.DeadlineFinal("20/CT-BCT:2:ha-noi"),
    errors.UnknownExtensionRequest("9"),
    errors.RequestAlreadyDecided(3, "granted"),
    errors.ExtensionAlreadyRequested("20/CT-BCT:2:ha-noi", 4),
    errors.ExtensionAlreadyRequested("20/CT-BCT:2:ha-noi", None),
]


def test_every_error_class_has_a_code_and_wording_in_both_languages():
    codes = [c.error_code for c in ERROR_CLASSES]
    assert len(codes) == len(set(codes)), "two classes share a code"
    for lang in LANGUAGES:
        missing = [code for code in codes if not has(lang, f"error.{code}")]
        assert not missing, (lang, missing)
    assert {type(e) for e in SAMPLES} == set(ERROR_CLASSES)


@pytest.mark.parametrize("error", SAMPLES, ids=lambda e: f"{type(e).__name__}-{e.error_code}")
def test_each_error_is_worded_in_both_languages_and_its_str_is_technical(error):
    vietnamese, english = say(error, "vi"), say(error, "en")
    assert vietnamese and english and vietnamese != english
    assert str(error) not in (vietnamese, english)  # the wording comes from the catalog, not from the error
    assert str(error).startswith(error.error_code + "(")
    assert "--" not in vietnamese and "--" not in english  # the core's wording names no option


def test_vietnamese_carries_the_context_and_the_state_in_words():
    text = say(SAMPLES[7], "vi")
    assert text == ("không thể nộp nhiệm vụ 20/CT-BCT:2:ha-noi: nhiệm vụ đang ở trạng thái «Chưa bắt đầu»; "
                    "được phép lúc này: start, block")
    assert "không có thao tác nào" in say(SAMPLES[8], "vi")
    assert say(errors.ImportInvalid("f.csv", [(2, errors.because("empty"))]), "vi").startswith("f.csv: 1 dòng sai")
    rows = say(SAMPLES[17], "vi")
    assert "dòng 2: giá trị: 'x' không phải là một số" in rows and "dòng 5: đơn vị: đang để trống" in rows


def test_a_front_end_may_have_its_own_hint():
    error = errors.UnknownUser("ghost@x.vn")
    assert word(error, "vi").hint is None  # the core's wording names no command
    assert "`dtrack users add`" in word(error, "vi", "cli").hint
    note = errors.InvalidInput("note", "needs_note", trigger="block")
    assert word(note, "en", "cli", flag="--note").hint == 'add --note "..."'


def test_stored_reasons_and_notes_are_said_in_the_readers_language():
    assert phrase("Kiên Giang is now part of An Giang; using an-giang", "vi") == (
        "Kiên Giang nay thuộc An Giang; dùng an-giang")
    assert phrase("550 5.1.1 no such user", "vi").startswith("máy chủ thư từ chối hẳn")
    assert phrase("550 5.1.1 no such user", "en") == "550 5.1.1 no such user"
    assert phrase("an unknown English sentence", "vi") == "an unknown English sentence"


@given(st.dates(min_value=date(1900, 1, 1)))
def test_dd_mm_yyyy_and_iso_name_the_same_day(day):
    assert parse_date(f"{day:%d/%m/%Y}", "as_of") == parse_date(day.isoformat(), "as_of") == day
    assert parse_date(f"{day.day}/{day.month}/{day.year}", "as_of") == day


@given(st.text(max_size=20))
def test_anything_else_is_refused_under_its_field_as_typed(text):
    try:
        parse_date(text, "as_of")
    except errors.InvalidInput as exc:
        assert exc.field == "as_of" and exc.error_code == "bad_date" and exc.params["value"] == text
        assert "không phải là ngày hợp lệ" in say(exc, "vi")
