"""The reports' wording in a directive file: validation, what the database keeps, reloading."""
from __future__ import annotations

import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from dtrack.directives.format import ReportSideSpec, ReportSpec, parse_data, parse_file
from dtrack.directives.loader import load
from dtrack.errors import DirectiveInvalid
from dtrack.i18n.error_messages import say
from dtrack.persistence.models import Directive, Indicator
from dtrack.reports.wording import directive_wording
from dtrack.seeds import DIRECTIVE_20_FILE, EXAMPLE_DIRECTIVE_FILE


def _valid() -> dict:
    return tomllib.loads(EXAMPLE_DIRECTIVE_FILE.read_text(encoding="utf-8"))


def _money(code: str, role: str | None = None) -> dict:
    table = {"code": code, "name_vi": code, "name_en": code, "unit_vi": "VND", "unit_en": "VND", "aggregate": "sum"}
    return {**table, "role": role} if role else table


@pytest.mark.parametrize(
    ("mutate", "field", "problem"),
    [
        (lambda d: d["directive"].update(overseer_vi=5), "directive.overseer_vi", "must be text"),
        (lambda d: d["directive"].update(report="Cục"), "directive.report", "must be a table"),
        (lambda d: d["directive"]["report"].update(colour="red"), "directive.report.colour", "unknown key"),
        (lambda d: d["directive"]["report"].update(budget_vi=["Kinh phí"]), "directive.report.budget_vi",
         "must be text"),
        (lambda d: d["directive"]["report"].update(national=["x"]), "directive.report.national", "must be a table"),
        (lambda d: d["directive"]["report"]["national"].update(signer_vi=3), "directive.report.national.signer_vi",
         "must be text"),
        (lambda d: d["directive"]["report"]["national"].update(number_prefix=True),
         "directive.report.national.number_prefix", "must be text"),
        (lambda d: d["directive"]["report"]["national"].update(signer="X"), "directive.report.national.signer",
         "unknown key"),
        (lambda d: d["directive"]["report"]["province"].update(recipients_vi="UBND {province}"),
         "directive.report.province.recipients_vi", "list of non-empty texts"),
        (lambda d: d["directive"]["report"]["province"].update(recipients_en=["As above", 7]),
         "directive.report.province.recipients_en", "list of non-empty texts"),
        (lambda d: d["directive"]["report"]["province"].update(recipients_vi=["  "]),
         "directive.report.province.recipients_vi", "list of non-empty texts"),
        (lambda d: d["indicators"][0].update(role="budget"), "indicators[1].role", "one of plan, actual, plan_part"),
        (lambda d: d["indicators"][0].update(short_vi=1), "indicators[1].short_vi", "must be text"),
        (lambda d: d["indicators"][0].update(role="plan"), "indicators[1].role",
         "needs another indicator with role 'actual'"),
        (lambda d: d["indicators"].extend([_money("a", "actual")]), "indicators[2].role", "with role 'plan'"),
        (lambda d: d["indicators"].extend([_money("p", "plan"), _money("a", "actual"), _money("q", "plan")]),
         "indicators[2].role", "only one indicator may have role 'plan'"),
        (lambda d: d["indicators"][0].update(role="plan_part"), "indicators[1].role", "with role 'plan'"),
    ],
)
def test_wrong_report_keys_name_the_field(mutate, field, problem):
    data = _valid()
    mutate(data)
    with pytest.raises(DirectiveInvalid) as info:
        parse_data(data, "bad.toml")
    assert (info.value.path, info.value.key) == ("bad.toml", field)
    assert problem in say(info.value.problem, "en")


def test_the_shipped_files_say_their_own_wording():
    twenty, example = parse_file(DIRECTIVE_20_FILE), parse_file(EXAMPLE_DIRECTIVE_FILE)
    assert twenty.report.national.number_prefix == "/BC-KC" and twenty.report.budget_vi == "Kinh phí khuyến công"
    assert {i.code: i.role for i in twenty.indicators if i.role} == {
        "budget_plan": "plan", "budget_disbursed": "actual", "budget_national_program": "plan_part",
        "budget_local": "plan_part"}
    assert example.report.overseer_vi != twenty.report.overseer_vi
    assert example.report.national.signer_vi == "CỤC TRƯỞNG" and example.report.province.signer_vi == "GIÁM ĐỐC"
    assert not any(i.role for i in example.indicators)


_TEXT = st.one_of(st.none(), st.text(min_size=1, max_size=30))
_TEXTS = st.one_of(st.none(), st.lists(st.text(min_size=1, max_size=20), max_size=3).map(tuple))
_SIDE = st.builds(ReportSideSpec, number_prefix=_TEXT, body_vi=_TEXT, signer_en=_TEXT, addressee_vi=_TEXT,
                  recipients_vi=_TEXTS, recipients_en=_TEXTS)


@settings(max_examples=60, deadline=None)
@given(st.builds(ReportSpec, overseer_vi=_TEXT, overseer_en=_TEXT, budget_vi=_TEXT, indicators_en=_TEXT,
                 national=_SIDE, province=_SIDE))
def test_the_wording_survives_the_database_column(spec):
    assert ReportSpec.from_json(spec.to_json()) == spec


def test_the_database_keeps_the_wording_and_a_changed_file_updates_it(db, world):
    data = _valid()
    data["directive"]["report"]["national"]["signer_vi"] = "PHÓ CỤC TRƯỞNG"
    data["indicators"] += [_money("plan", "plan"), _money("spent", "actual")]
    with db.session() as s:
        assert load(s, parse_data(data, "a.toml"), world.clock.now()).status == "created"
    with db.session() as s:
        directive = s.scalar(select(Directive).where(Directive.code == "EX-01/2026"))
        words = directive_wording(directive, "vi")
        roles = {i.code: i.role for i in s.scalars(select(Indicator).where(Indicator.directive_id == directive.id))}
    assert (words.overseer, words.national.signer, words.national.number_prefix) == (
        "Cục Thương mại điện tử và Kinh tế số", "PHÓ CỤC TRƯỞNG", "/BC-TMĐT")
    assert roles == {"digitised_files": None, "plan": "plan", "spent": "actual"}
    del data["directive"]["report"]
    with db.session() as s:
        assert load(s, parse_data(data, "a.toml"), world.clock.now()).status == "updated"
    with db.session() as s:
        words = directive_wording(s.scalar(select(Directive).where(Directive.code == "EX-01/2026")), "en")
    assert (words.national.signer, words.national.number_prefix, words.province.recipients) == (
        "HEAD OF THE UNIT", "/BC", ("the Department of E-commerce and Digital Economy (Ministry of Industry and Trade)",
                                    "People's Committee of {province}"))


def test_a_directive_loaded_before_the_wording_existed_gets_the_defaults():
    old = Directive(code="OLD-1", issuer_vi="Bộ Công Thương", issuer_en="Ministry of Industry and Trade",
                    report_wording=None)
    words = directive_wording(old, "vi")
    assert (words.overseer, words.national.body, words.national.number_prefix, words.national.signer) == (
        "Bộ Công Thương", "Bộ Công Thương", "/BC", "THỦ TRƯỞNG ĐƠN VỊ")
    assert words.province.recipients == ("Bộ Công Thương", "UBND {province}")


def test_loading_an_unchanged_file_fills_in_a_missing_wording(db, world):
    with db.session() as s:
        s.scalar(select(Directive).where(Directive.code == "20/CT-BCT")).report_wording = None  # as after 0006
    with db.session() as s:
        assert load(s, parse_file(DIRECTIVE_20_FILE), world.clock.now()).status == "unchanged"
    with db.session() as s:
        words = directive_wording(s.scalar(select(Directive).where(Directive.code == "20/CT-BCT")), "vi")
    assert (words.national.number_prefix, words.province.number_prefix) == ("/BC-KC", "/BC-SCT")
