"""Settings: one typed, frozen object, read once from a declared table; a bad value is one clear error."""
from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, time

import pytest
from click.testing import CliRunner

from dtrack.cli import cli
from dtrack.config import settings as settings_module
from dtrack.config.settings import SETTINGS, Settings, load_settings, masked, shown
from dtrack.config.values import SmtpTarget, Weekday
from dtrack.errors import InvalidInput
from dtrack.i18n.catalog import has, text

HINTS = typing.get_type_hints(Settings, vars(settings_module))


def _is(value: object, kind: object) -> bool:
    """Whether `value` is of the declared type `kind` (the few shapes settings use)."""
    if isinstance(kind, types.UnionType):
        return any(_is(value, part) for part in typing.get_args(kind))
    if kind is type(None):
        return value is None
    if typing.get_origin(kind) is tuple:
        item = typing.get_args(kind)[0]
        return isinstance(value, tuple) and all(_is(v, item) for v in value)
    assert isinstance(kind, type), kind
    return isinstance(value, kind) and not (kind is int and isinstance(value, bool))


def test_every_setting_is_a_typed_field_and_its_value_has_that_type():
    loaded = load_settings({"DTRACK_TODAY": "05/01/2026", "DTRACK_EXTRA_DAYS_OFF": "2026-01-02",
                            "DTRACK_SMTP_URL": "smtp://mail.example.vn:25"})
    assert [s.name for s in SETTINGS] == [f.name for f in dataclasses.fields(Settings)]
    for setting in SETTINGS:
        value = getattr(loaded, setting.name)
        assert _is(value, HINTS[setting.name]), (setting.name, value, HINTS[setting.name])
    assert (loaded.today, loaded.extra_days_off, loaded.digest_time) == (date(2026, 1, 5), (date(2026, 1, 2),),
                                                                         time(7, 30))
    assert isinstance(loaded.smtp_url, SmtpTarget) and loaded.digest_weekday is Weekday.MONDAY


def test_the_object_is_frozen_and_has_no_other_attributes():
    loaded = load_settings({})
    with pytest.raises(dataclasses.FrozenInstanceError):
        loaded.due_soon_days = 3  # type: ignore[misc]
    with pytest.raises(AttributeError):
        loaded.no_such_setting  # type: ignore[attr-defined]  # noqa: B018
    assert not hasattr(loaded, "__dict__") and "__getattr__" not in vars(Settings)
    changed = dataclasses.replace(loaded, due_soon_days=3)  # a variant is a new object; the first is unchanged
    assert (changed.due_soon_days, loaded.due_soon_days) == (3, 7)


def test_a_bad_value_in_the_environment_is_one_error_naming_the_setting_and_its_variable():
    with pytest.raises(InvalidInput) as caught:
        load_settings({"DTRACK_DUE_SOON_DAYS": "-3", "DTRACK_DIGEST_CAP": "0"})
    assert caught.value.field == "due_soon_days" and caught.value.params["env"] == "DTRACK_DUE_SOON_DAYS"
    with pytest.raises(InvalidInput) as caught:
        load_settings({}, digest_weekday="someday")  # an override names no variable
    assert caught.value.field == "digest_weekday" and "env" not in caught.value.params
    with pytest.raises(InvalidInput):
        load_settings({}, no_such_setting="1")


def test_the_environment_is_read_when_loading_and_never_after(monkeypatch):
    monkeypatch.setenv("DTRACK_DUE_SOON_DAYS", "12")
    loaded = load_settings()
    monkeypatch.setenv("DTRACK_DUE_SOON_DAYS", "3")
    assert loaded.due_soon_days == 12
    assert load_settings({}).due_soon_days == 7  # an explicit environment: os.environ is not looked at


def test_each_setting_means_something_in_each_language_and_secrets_never_show():
    for setting in SETTINGS:
        assert has("vi", setting.help_id) and has("en", setting.help_id), setting.name
    loaded = load_settings({"DTRACK_WEB_SECRET": "s3cr3t", "DTRACK_DATABASE_URL": "postgresql://u:pw@db/x"})
    values = {s.name: value for s, value in shown(loaded)}
    assert values["web_secret"] == "***" and values["database_url"] == "postgresql://***@db/x"
    assert masked("web_secret", "") == "" and values["due_soon_days"] == "7"


def test_dtrack_settings_lists_the_declaration_in_the_chosen_language(monkeypatch):
    monkeypatch.delenv("DTRACK_LANG", raising=False)
    vi = CliRunner().invoke(cli, ["settings"])
    en = CliRunner().invoke(cli, ["--lang", "en", "settings"])
    assert vi.exit_code == en.exit_code == 0, vi.output + en.output
    for setting in SETTINGS:
        assert setting.env in vi.output and setting.env in en.output
    assert text("vi", "setting.due_soon_days.help") in vi.output
    assert text("en", "setting.due_soon_days.help") in en.output
