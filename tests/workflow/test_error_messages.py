"""Every error has its wording in both languages, and the English one is what the error itself says."""
from __future__ import annotations

import inspect
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dtrack import errors
from dtrack.config.settings import parse_date
from dtrack.i18n.error_messages import PHRASES, WORDING, phrase, say
from dtrack.workflow.vocabulary import LANGUAGES

ERROR_CLASSES = [c for _, c in inspect.getmembers(errors, inspect.isclass)
                 if issubclass(c, errors.DtrackError) and c.__module__ == errors.__name__]

# One instance of each class, with the context a real raise gives it.
SAMPLES = [
    errors.DtrackError("something", "do this"),
    errors.UnknownTask("20/CT-BCT:42:ha-noi"),
    errors.UnknownProvince("atlantis"),
    errors.UnknownUser("ghost@x.vn"),
    errors.UnknownDirective("99/CT-XX"),
    errors.UnknownTrigger("fly", ["start", "submit"]),
    errors.TransitionNotAllowed("20/CT-BCT:2:ha-noi", "submit", "not_started", ["start", "block"]),
    errors.TransitionNotAllowed("20/CT-BCT:2:ha-noi", "send_back", "completed", []),
    errors.PermissionDenied("a@x.vn", "accept", "20/CT-BCT:2:ha-noi", "only the Department's overseers may do that"),
    errors.ConcurrentUpdate("20/CT-BCT:2:ha-noi", "b@x.vn", "05/01/2026 09:30"),
    errors.ConcurrentUpdate("20/CT-BCT:2:ha-noi"),
    errors.InvalidInput("--name", "is empty", "give the person's full name"),
    errors.DirectiveInvalid("d.toml", "groups", "at least one [[groups]] table is needed"),
    errors.DatabaseUnavailable("sqlite:///x.db", "file is not a database"),
    errors.DatabaseNotInitialised("sqlite:///x.db"),
    errors.MigrationFailed("sqlite:///x.db", "table provinces already exists"),
    errors.ImportInvalid("f.csv", [(2, "bad value"), (5, "unknown unit")]),
    errors.UnknownMessage("7"),
    errors.MailServerUnavailable("smtp://host:587", "connection refused"),
    errors.MessageRejected(550, "no such user"),
    errors.RuleError("'soon' is not a deadline rule"),
    errors.UnknownIndicator("gdp", ["budget_disbursed"]),
    errors.LoginFailed(),
    errors.LoginThrottled("a@x.vn", 15),
    errors.LinkInvalid("it has expired"),
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
        assert set(codes) <= set(WORDING[lang]), (lang, set(codes) - set(WORDING[lang]))
    assert set(WORDING["vi"]) == set(WORDING["en"])  # problem codes (bad_date...) too
    assert {type(e) for e in SAMPLES} | {errors.NotFound} == set(ERROR_CLASSES)


@pytest.mark.parametrize("error", SAMPLES, ids=lambda e: type(e).__name__)
def test_the_english_wording_is_the_error_itself_and_the_vietnamese_differs(error):
    assert say(error, "en") == str(error)
    vietnamese = say(error, "vi")
    assert vietnamese and vietnamese != str(error) or type(error) is errors.DtrackError


def test_vietnamese_carries_the_context_and_the_state_in_words():
    text = say(SAMPLES[6], "vi")
    assert text == ("không thể nộp nhiệm vụ 20/CT-BCT:2:ha-noi: nhiệm vụ đang ở trạng thái «Chưa bắt đầu»; "
                    "được phép lúc này: start, block")
    assert "không có thao tác nào" in say(SAMPLES[7], "vi")
    assert say(errors.ImportInvalid("f.csv", [(2, "x")]), "vi").startswith("f.csv: 1 dòng sai")


def test_a_hint_the_raiser_gave_is_kept_and_translated_when_known():
    error = errors.UnknownProvince("", "give all, north, central, south or slugs separated by commas")
    assert say(error, "en") == str(error)
    assert say(error, "vi").endswith(PHRASES["give all, north, central, south or slugs separated by commas"])
    assert phrase("Kiên Giang is now part of An Giang; using an-giang", "vi") == (
        "Kiên Giang nay thuộc An Giang; dùng an-giang")
    assert phrase("an unknown English sentence", "vi") == "an unknown English sentence"


@given(st.dates(min_value=date(1900, 1, 1)))
def test_dd_mm_yyyy_and_iso_name_the_same_day(day):
    assert parse_date(f"{day:%d/%m/%Y}", "--as-of") == parse_date(day.isoformat(), "--as-of") == day
    assert parse_date(f"{day.day}/{day.month}/{day.year}", "--as-of") == day


@given(st.text(max_size=20))
def test_anything_else_is_refused_under_the_option_as_typed(text):
    try:
        parse_date(text, "--as-of")
    except errors.InvalidInput as exc:
        assert exc.field == "--as-of" and exc.error_code == "bad_date"
        assert say(exc, "vi").startswith("--as-of: ") and "không phải là ngày hợp lệ" in say(exc, "vi")
