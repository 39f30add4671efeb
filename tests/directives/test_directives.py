"""Directive files: the format, validation, idempotent loading, assignment."""
from __future__ import annotations

import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from dtrack.directives.format import parse_data, parse_file
from dtrack.directives.loader import load
from dtrack.errors import DirectiveInvalid, UnknownDirective
from dtrack.i18n.error_messages import say
from dtrack.persistence.models import Directive, Task, TaskGroup
from dtrack.seeds import DIRECTIVE_20_FILE, EXAMPLE_DIRECTIVE_FILE
from dtrack.workflow.assignments import assign
from dtrack.workflow.provinces import select_provinces
from dtrack.workflow.vocabulary import GroupKind, Owner


def counts(db):
    with db.session() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (Directive, TaskGroup, Task))


def test_directive_20_has_ten_groups_with_both_languages():
    spec = parse_file(DIRECTIVE_20_FILE)
    assert spec.code == "20/CT-BCT"
    assert [g.ordinal for g in spec.groups] == list(range(1, 11))
    assert all(g.title_vi and g.title_en and g.summary_vi for g in spec.groups)
    assert spec.groups[8].kind == GroupKind.RECURRING
    assert spec.groups[9].owner == Owner.DEPARTMENT
    assert "khuyến công" in spec.title_vi


# 9 province-owned groups x 34 provinces, and group 10 (the Department's own) once.
TASKS = 9 * 34 + 1


def test_init_created_307_tasks(db):
    assert counts(db) == (1, 10, TASKS)


def test_loading_the_same_directive_twice_creates_nothing(db, world):
    spec = parse_file(DIRECTIVE_20_FILE)
    before = counts(db)
    with db.session() as s:
        result = load(s, spec, world.clock.now())
    assert result.status == "unchanged"
    assert counts(db) == before


def test_the_example_directive_loads_and_assigns_without_code_changes(db, world):
    spec = parse_file(EXAMPLE_DIRECTIVE_FILE)
    with db.session() as s:
        assert load(s, spec, world.clock.now()).status == "created"
        provinces, _ = select_provinces(s, "south")
        result = assign(s, spec.code, provinces, world.clock.today(), world.clock.now())
    assert result.created == len(spec.groups) * 8
    with db.session() as s:
        provinces, _ = select_provinces(s, "south")
        again = assign(s, spec.code, provinces, world.clock.today(), world.clock.now())
        load_again = load(s, spec, world.clock.now())
    assert (again.created, again.existing, load_again.status) == (0, len(spec.groups) * 8, "unchanged")
    fixed = next(g for g in spec.groups if type(g.deadline).__name__ == "FixedDate")
    with db.session() as s:
        due = s.scalars(
            select(Task.due_on).join(TaskGroup).join(Directive)
            .where(Directive.code == spec.code, TaskGroup.ordinal == fixed.ordinal)
        ).all()
    assert set(due) == {fixed.deadline.on}


def test_a_changed_file_updates_titles_in_place(db, world, tmp_path):
    data = tomllib.loads(DIRECTIVE_20_FILE.read_text(encoding="utf-8"))
    data["groups"][0]["title_en"] = "A better title"
    spec = parse_data(data, "changed.toml")
    with db.session() as s:
        result = load(s, spec, world.clock.now())
    assert (result.status, result.groups_updated) == ("updated", [1])
    assert counts(db) == (1, 10, TASKS)


def test_removing_a_group_that_has_tasks_is_refused_and_changes_nothing(db, world):
    data = tomllib.loads(DIRECTIVE_20_FILE.read_text(encoding="utf-8"))
    data["groups"] = data["groups"][:-1]
    data["directive"]["title_en"] = "Changed"
    spec = parse_data(data, "shorter.toml")
    with pytest.raises(DirectiveInvalid, match="group_removed_has_tasks"), db.session() as s:
        load(s, spec, world.clock.now())
    with db.session() as s:
        assert s.scalar(select(Directive.title_en)) != "Changed"
    assert counts(db) == (1, 10, TASKS)


def test_assigning_an_unknown_directive_is_an_error(db, world):
    with pytest.raises(UnknownDirective), db.session() as s:
        assign(s, "99/CT-XX", [], world.clock.today(), world.clock.now())


def _valid() -> dict:
    return tomllib.loads(EXAMPLE_DIRECTIVE_FILE.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("mutate", "field", "problem"),
    [
        (lambda d: d.pop("directive"), "directive", "missing"),
        (lambda d: d["directive"].pop("code"), "directive.code", "missing"),
        (lambda d: d["directive"].update(code="A:B"), "directive.code", "':'"),
        (lambda d: d["directive"].update(issued_on="15/01/2026"), "directive.issued_on", "TOML date"),
        (lambda d: d["directive"].update(colour="red"), "directive.colour", "unknown key"),
        (lambda d: d.update(groups=[]), "groups", "at least one"),
        (lambda d: d["groups"][0].update(kind="sometimes"), "groups[ordinal=1].kind", "one of"),
        (lambda d: d["groups"][0].update(ordinal="one"), "groups[1].ordinal", "whole number"),
        (lambda d: d["groups"][1].update(ordinal=1), "groups", "used twice"),
        (lambda d: d["groups"][0].update(deadline="next spring"), "groups[ordinal=1].deadline", "not a deadline rule"),
        (lambda d: d["groups"][0].update(deadline="2026-02-30"), "groups[ordinal=1].deadline", "not a real date"),
        (lambda d: d["groups"][0].pop("title_vi"), "groups[ordinal=1].title_vi", "missing"),
        (lambda d: d["groups"][0].update(owner="nobody"), "groups[ordinal=1].owner", "one of"),
    ],
)
def test_invalid_definitions_name_the_field_and_the_problem(mutate, field, problem):
    data = _valid()
    mutate(data)
    with pytest.raises(DirectiveInvalid) as info:
        parse_data(data, "bad.toml")
    assert info.value.path == "bad.toml"
    assert info.value.key == field
    assert problem in say(info.value.problem, "en")


def test_malformed_rrule_is_refused():
    data = _valid()
    recurring = next(g for g in data["groups"] if g["kind"] == "recurring")
    recurring["deadline"] = {"rrule": "FREQ=SOMETIMES"}
    with pytest.raises(DirectiveInvalid, match="malformed_rrule"):
        parse_data(data, "bad.toml")


def test_unreadable_and_non_toml_files_are_named(tmp_path):
    with pytest.raises(DirectiveInvalid, match="cannot_read_file"):
        parse_file(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[directive\ncode = 1", encoding="utf-8")
    with pytest.raises(DirectiveInvalid, match="not_toml") as info:
        parse_file(broken)
    assert str(broken) in str(info.value)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_give_a_directive_or_a_clear_error(tmp_path_factory, raw):
    path = tmp_path_factory.mktemp("fuzz") / "d.toml"
    path.write_bytes(raw)
    try:
        parse_file(path)
    except DirectiveInvalid as exc:
        assert str(path) in str(exc)


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.sampled_from(["code", "title_vi", "issued_on", "groups", "x"]),
                       st.one_of(st.none(), st.integers(), st.text(max_size=20), st.lists(st.integers(), max_size=3)),
                       max_size=5))
def test_any_shape_of_directive_table_gives_a_clear_error(data):
    document = {"directive": {k: v for k, v in data.items() if v is not None}, "groups": data.get("groups")}
    with pytest.raises(DirectiveInvalid):
        parse_data(document, "shape.toml")


# --- scopes (issue 11) ----------------------------------------------------------

SCOPED_GROUP = """
[directive]
code = "SC-01"
title_vi = "Chỉ thị thử phạm vi"
title_en = "Scope test directive"
issuer_vi = "Bộ Công Thương"
issuer_en = "Ministry of Industry and Trade"

[[groups]]
ordinal = 1
title_vi = "Nhóm có phạm vi"
title_en = "A scoped group"
kind = "one_off"
deadline = 2026-06-30
{extra}
"""


@pytest.mark.parametrize(("extra", "field", "problem"), [
    ('regions = ["mekong"]', "groups[ordinal=1].regions", "'mekong' is not a region"),
    ('regions = "south"', "groups[ordinal=1].regions", "must be a list of names"),
    ("regions = []", "groups[ordinal=1].regions", "is an empty list"),
    ('provinces = ["ha-noi", 3]', "groups[ordinal=1].provinces", "must be a list of names"),
    ('owner = "department"\nregions = ["south"]', "groups[ordinal=1].regions", "a group the overseers carry out"),
])
def test_a_bad_scope_is_refused_naming_the_field(extra, field, problem):
    import tomllib

    from dtrack.directives.format import parse_data

    with pytest.raises(DirectiveInvalid) as caught:
        parse_data(tomllib.loads(SCOPED_GROUP.format(extra=extra)), "sc.toml")
    assert caught.value.key == field and problem in say(caught.value.problem, "en")


def test_an_unknown_province_in_a_scope_fails_the_load_and_changes_nothing(db, world):
    import tomllib

    from dtrack.directives.format import parse_data

    spec = parse_data(tomllib.loads(SCOPED_GROUP.format(extra='provinces = ["Kiên Giang", "Atlantis"]')), "sc.toml")
    before = counts(db)
    with pytest.raises(DirectiveInvalid) as caught, db.session() as s:
        load(s, spec, world.clock.now(), "sc.toml")
    assert caught.value.key == "groups[ordinal=1].provinces"
    assert "'Atlantis' is not a province" in say(caught.value, "en")
    assert counts(db) == before


def test_the_cli_gives_one_line_naming_the_scope_field(cli_runner, tmp_path, db, english):
    bad = tmp_path / "bad-scope.toml"
    bad.write_text(SCOPED_GROUP.format(extra='provinces = ["cuc"]'), encoding="utf-8")
    before = counts(db)
    result = cli_runner("directive", "load", str(bad))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"error: {bad}: groups[ordinal=1].provinces: 'cuc' is not a province (give a slug such as 'an-giang'")
    assert "Traceback" not in result.output and counts(db) == before
    good = tmp_path / "good-scope.toml"
    good.write_text(SCOPED_GROUP.format(extra='regions = ["central"]\nprovinces = ["Kiên Giang"]'), encoding="utf-8")
    result = cli_runner("directive", "load", str(good))
    assert result.exit_code == 0 and "Kiên Giang is now part of An Giang" in result.output
    assert cli_runner("directive", "assign", "SC-01", "--provinces", "all").output.startswith(
        "SC-01: 12 tasks created")  # 11 central provinces and An Giang
