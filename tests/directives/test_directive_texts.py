"""Texts in a directive file: a NUL or other control character, or an over-long text, is refused with the
file, the field and the line; nothing is stored, on SQLite (which would store it) and PostgreSQL (which
would fail with a traceback)."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from dtrack.directives.format import parse_data, parse_file
from dtrack.directives.text_limits import MAX_CHARS, text_problem
from dtrack.errors import DirectiveInvalid
from dtrack.i18n.error_messages import say
from dtrack.persistence.models import Directive, TaskGroup
from dtrack.seeds import EXAMPLE_DIRECTIVE_FILE

SOURCE = EXAMPLE_DIRECTIVE_FILE.read_text(encoding="utf-8")


def _line(source: str, needle: str) -> int:
    return next(n for n, line in enumerate(source.splitlines(), start=1) if needle in line)


def _second_group_title(source: str, new_value: str) -> str:
    second = source.index("[[groups]]", source.index("[[groups]]") + 1)
    start = source.index('title_vi = "', second)
    end = source.index('"\n', start + len('title_vi = "'))
    return source[:start] + f'title_vi = "{new_value}' + source[end:]


CASES = {
    # name: (file text, field, problem starts)
    "nul in the directive's title": (
        SOURCE.replace('title_vi = "', 'title_vi = "Chỉ\\u0000 thị ', 1), "directive.title_vi", "U+0000 (NUL)"),
    "OSC 52 in a group's title": (
        _second_group_title(SOURCE, "\\u001b]52;c;aGk=\\u0007Nhiệm vụ"), "groups[ordinal=2].title_vi", "U+001B (ESC)"),
    "C1 CSI in an indicator's name": (
        SOURCE.replace('name_vi = "', 'name_vi = "\\u009b31m', 1), "name_vi", "U+009B"),
    "an over-long title": (
        SOURCE.replace('title_en = "', 'title_en = "' + "Rất dài " * 60, 1), "directive.title_en",
        "has 5"),
}


@pytest.mark.parametrize("case", CASES)
def test_a_bad_text_names_the_file_the_field_and_the_line(tmp_path, case):
    source, field, problem = CASES[case]
    path = tmp_path / "bad.toml"
    path.write_text(source, encoding="utf-8")
    with pytest.raises(DirectiveInvalid) as refused:
        parse_file(path)
    error = refused.value
    assert error.path == str(path) and error.key.endswith(field)
    assert error.problem.code == "line" and problem in say(error.problem, "en")
    line = error.problem.params["line"]
    key = field.rsplit(".", 1)[-1]
    assert source.splitlines()[line - 1].lstrip().startswith(f"{key} =")


def test_the_limit_is_in_the_message_and_the_vietnamese_wording():
    data_source = SOURCE.replace('title_en = "', 'title_en = "' + "x" * 301, 1)
    import tomllib

    with pytest.raises(DirectiveInvalid) as refused:
        parse_data(tomllib.loads(data_source), "d.toml")
    assert "the limit is 300" in say(refused.value.problem, "en")  # no source text given: no line, still the field
    assert say(refused.value, "vi").startswith("d.toml: directive.title_en: dài ")
    assert "tối đa 300 ký tự" in say(refused.value, "vi")


@given(st.text(min_size=1, max_size=40))
def test_any_text_is_accepted_or_refused_for_a_control_character_or_its_length(value):
    problem = text_problem("title_vi", value)
    controls = [c for c in value.replace("\r\n", "\n") if (ord(c) < 32 and c not in "\t\n") or 0x7F <= ord(c) <= 0x9F]
    assert (problem is not None) == bool(controls)
    if controls:
        assert f"U+{ord(controls[0]):04X}" in say(problem, "en")


@pytest.mark.parametrize("case", ["nul in the directive's title", "an over-long title"])
def test_the_cli_refuses_it_in_one_line_and_stores_nothing(cli_runner, db, tmp_path, case):
    source = CASES[case][0]
    path = tmp_path / "bad.toml"
    path.write_text(source, encoding="utf-8")

    def stored() -> tuple:
        with db.session() as session:
            return (session.scalar(select(func.count()).select_from(Directive)),
                    session.scalar(select(func.count()).select_from(TaskGroup)))

    before = stored()
    result = cli_runner("directive", "load", str(path))
    assert result.exit_code == 1 and "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"lỗi: {path}: directive.title_")
    key = CASES[case][1].rsplit(".", 1)[1]
    assert f"dòng {_line(source, key + ' =')}: " in lines[0]  # the directive's title: the key's first line
    assert "\x00" not in result.output
    assert stored() == before
    # The same file fixed loads (the directive is new: one more directive, its groups).
    path.write_text(SOURCE, encoding="utf-8")
    assert cli_runner("directive", "load", str(path)).exit_code == 0
    assert stored()[0] == before[0] + 1


def test_every_limit_is_at_most_its_column():
    from dtrack.persistence.feature_models import Indicator
    from dtrack.persistence.models import Directive as D

    for column, field in ((D.issuer_vi, "issuer"), (D.signed_by, "signed_by"), (Indicator.unit_vi, "unit"),
                          (Indicator.short_vi, "short"), (D.code, "code")):
        assert MAX_CHARS[field] <= column.type.length
