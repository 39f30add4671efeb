"""The directive's own words about who oversees it (issue 22): the file, the report's heading, keys, pages.

Driven by a Prime Minister's directive the Ministry follows (tests/directives/ministry.py):
its reports are the Ministry's, headed "BỘ CÔNG THƯƠNG" alone (not "THỦ TƯỚNG CHÍNH PHỦ"
above it) and sent to the Prime Minister; its sentences say "Bộ", never "Cục"; its own
task is keyed with the suffix the file names, and `CODE:GROUP` names it too.
"""
from __future__ import annotations

import html
import re
import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from dtrack.directives.format import ReportSpec, parse_data, parse_file
from dtrack.directives.loader import load
from dtrack.errors import DirectiveInvalid
from dtrack.i18n.error_messages import say
from dtrack.persistence.models import Directive
from dtrack.reports.document import national_header
from dtrack.reports.wording import directive_wording
from dtrack.seeds import DIRECTIVE_20_FILE
from dtrack.workflow.extension_requests import refuse_request, request_extension
from dtrack.workflow.overseer import OverseerSpec, overseer_of, resolve
from tests.directives.ministry import CODE, FILE, OWN_KEY, TEXT, load_and_assign, with_overseer
from tests.web.http_support import cheap_hashing, site  # noqa: F401 - fixtures

# --- the file ---------------------------------------------------------------------------------


def test_the_overseer_table_is_read_and_the_database_keeps_it(db, world):
    spec = parse_file(FILE)
    assert (spec.report.overseer_vi, spec.report.oversight) == ("Bộ Công Thương", OverseerSpec(key_suffix="bo"))
    assert ReportSpec.from_json(spec.report.to_json()) == spec.report
    load_and_assign(db, world.clock)
    with db.session() as session:
        overseer = overseer_of(session.scalar(select(Directive).where(Directive.code == CODE)))
    assert (overseer.name_vi, overseer.short_vi, overseer.short_en, overseer.parent_vi, overseer.key_suffix,
            overseer.four_eyes) == ("Bộ Công Thương", "Bộ", "the Ministry", "", "bo", True)


@pytest.mark.parametrize(("text", "field", "problem"), [
    (with_overseer(colour="red"), "directive.overseer.colour", "unknown key"),
    (TEXT.replace('key_suffix = "bo"', 'key_suffix = "Bộ"'), "directive.overseer.key_suffix", "lower-case ASCII"),
    (TEXT.replace('key_suffix = "bo"', 'key_suffix = "a:b"'), "directive.overseer.key_suffix", "lower-case ASCII"),
    (TEXT.replace('key_suffix = "bo"', f'key_suffix = "{"x" * 21}"'), "directive.overseer.key_suffix",
     "at most 20"),
    (with_overseer(four_eyes="no"), "directive.overseer.four_eyes", "true or false"),
    (TEXT.replace('issued_on = 2026-02-09', 'issued_on = 2026-02-09\noverseer_vi = "Bộ Tài chính"'),
     "directive.overseer.name_vi", "already given as directive.overseer_vi"),
    (TEXT.replace('[directive.overseer]', '[directive.overseer]\nparent_vi = 5'), "directive.overseer.parent_vi",
     "must be text"),
])
def test_a_wrong_overseer_key_names_the_field(text, field, problem):
    with pytest.raises(DirectiveInvalid) as caught:
        parse_data(tomllib.loads(text), "bad.toml")
    assert caught.value.key == field and problem in say(caught.value.problem, "en")


def test_a_suffix_that_names_a_province_is_refused_and_nothing_is_loaded(db, world):
    with pytest.raises(DirectiveInvalid) as caught, db.session() as session:
        load(session, parse_data(tomllib.loads(TEXT.replace('"bo"', '"ha-noi"')), "x.toml"), world.clock.now())
    assert caught.value.key == "directive.overseer.key_suffix"
    assert "names a province" in say(caught.value.problem, "en")
    with db.session() as session:
        assert session.scalar(select(Directive.id).where(Directive.code == CODE)) is None


def test_a_file_that_says_nothing_new_keeps_its_digest_and_todays_words():
    twenty = DIRECTIVE_20_FILE.read_text(encoding="utf-8")
    spelled = twenty + "\n[directive.overseer]\nfour_eyes = true\n"
    assert parse_data(tomllib.loads(spelled)).digest == parse_file(DIRECTIVE_20_FILE).digest
    overseer = resolve(OverseerSpec(), "Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công", None,
                       "Bộ Công Thương", "Ministry of Industry and Trade")
    assert (overseer.short_vi, overseer.parent_vi, overseer.key_suffix) == ("Cục", "Bộ Công Thương", "cuc")


_WORDS = st.text(alphabet=st.sampled_from("abcdeghiklmnopqrstuvxyàáạảãâầấậăắđêếôơưữ "), min_size=1, max_size=30)


@settings(max_examples=80, deadline=None)
@given(kind=st.sampled_from(["", "Bộ ", "Cục ", "Vụ ", "Sở ", "Thủ tướng "]), rest=_WORDS,
       issuer=st.sampled_from(["Thủ tướng Chính phủ", "Bộ Công Thương", "Ủy ban nhân dân tỉnh Lào Cai"]),
       spec=st.builds(OverseerSpec, short_vi=st.one_of(st.none(), _WORDS),
                      parent_vi=st.one_of(st.none(), st.just(""), _WORDS)))
def test_derived_words_follow_the_name_and_what_the_file_says_wins(kind, rest, issuer, spec):
    name = (kind + rest.strip()).strip() or "Ban"
    overseer = resolve(spec, name, None, issuer, "issuer")
    if spec.short_vi:
        assert overseer.short_vi == spec.short_vi
    elif overseer.short_vi == "Cục":
        assert name.startswith("Cục")  # "Cục" only for a Cục
    if spec.parent_vi is not None:
        assert overseer.parent_vi == spec.parent_vi
    elif name.startswith(("Bộ ", "Thủ tướng")) or name == issuer:
        assert overseer.parent_vi == ""  # a ministry and above: no line above it
    else:
        assert overseer.parent_vi == issuer
    assert overseer.key_suffix == "cuc" and overseer.four_eyes == spec.four_eyes


@pytest.mark.parametrize(("overseer", "parent", "heading", "to"), [
    # The Ministry follows the Prime Minister's directive: its own name only, to the Prime Minister.
    ("Bộ Công Thương", None, ("", "BỘ CÔNG THƯƠNG"), "Thủ tướng Chính phủ"),
    # A Department of the Ministry follows it: the Ministry above it, to the Ministry's leadership.
    ("Cục Công nghiệp", "Bộ Công Thương", ("BỘ CÔNG THƯƠNG", "CỤC CÔNG NGHIỆP"), "Lãnh đạo Bộ Công Thương"),
    ("Cục Công nghiệp", "", ("", "CỤC CÔNG NGHIỆP"), "Thủ tướng Chính phủ"),
])
def test_the_heading_is_the_reporting_bodys_never_the_directives_issuer(overseer, parent, heading, to):
    oversight = OverseerSpec(parent_vi=parent)
    directive = Directive(code=CODE, issuer_vi="Thủ tướng Chính phủ", issuer_en="the Prime Minister",
                          report_wording=ReportSpec(overseer_vi=overseer, oversight=oversight).to_json())
    from datetime import date

    header = national_header(CODE, date(2026, 5, 5), "vi", directive_wording(directive, "vi"))
    assert (header.parent, header.issuer, header.recipient) == (*heading, f"Kính gửi: {to}")
    assert "THỦ TƯỚNG" not in header.parent


# --- through the command line, on both back-ends ----------------------------------------------------


def _load_by_cli(cli_runner, text: str = TEXT, tmp_path=None) -> None:
    path = FILE if tmp_path is None else tmp_path / "directive.toml"
    if tmp_path is not None:
        path.write_text(text, encoding="utf-8")
    assert cli_runner("directive", "load", str(path)).exit_code == 0
    assert cli_runner("directive", "assign", CODE, "--provinces", "all").exit_code == 0


def _report(cli_runner, tmp_path, kind: str, lang: str) -> str:
    target = tmp_path / f"{kind}.{lang}.html"
    args = ["report", kind, *(["lao-cai"] if kind == "province" else []), "--directive", CODE, "--lang", lang,
            "--as-of", "2026-05-05", "-o", str(target)]
    result = cli_runner(*args)
    assert result.exit_code == 0, result.output
    return target.read_text(encoding="utf-8")


def _div(page: str, name: str) -> str | None:
    found = re.search(rf'<div class="{name}">(.*?)</div>', page, re.DOTALL)
    return html.unescape(found.group(1)).strip() if found else None


def _recipients(page: str) -> list[str]:
    block = re.search(r'<div class="recipients">(.*?)</div>', page, re.DOTALL).group(1)
    return [html.unescape(r).strip(" ;.") for r in re.findall(r"- ([^<]*)", block)]


def test_the_ministrys_reports_are_headed_and_worded_as_the_ministrys(cli_runner, tmp_path):
    _load_by_cli(cli_runner)
    national = _report(cli_runner, tmp_path, "national", "vi")
    assert (_div(national, "parent"), _div(national, "body")) == (None, "BỘ CÔNG THƯƠNG")
    assert "Kính gửi: Thủ tướng Chính phủ" in national and _recipients(national) == ["Thủ tướng Chính phủ", "Lưu: VT"]
    assert "Báo cáo chờ Bộ xem xét" in national and "Nhiệm vụ do Bộ trực tiếp thực hiện" in national
    assert OWN_KEY in national
    assert "Cục" not in national and "THỦ TƯỚNG CHÍNH PHỦ" not in national
    english = _report(cli_runner, tmp_path, "national", "en")
    assert (_div(english, "parent"), _div(english, "body")) == (None, "MINISTRY OF INDUSTRY AND TRADE")
    assert "To: the Prime Minister" in english and "Tasks the Ministry carries out itself" in english
    assert "Department" not in english
    province = _report(cli_runner, tmp_path, "province", "vi")
    assert "Kính gửi: Bộ Công Thương" in province
    assert _recipients(province) == ["Bộ Công Thương", "UBND tỉnh Lào Cai", "Lưu: VT"] and "Cục" not in province


def test_the_ministrys_own_task_by_every_key(cli_runner, tmp_path):
    _load_by_cli(cli_runner)
    for ref in (OWN_KEY, f"{CODE}:3", f"{CODE}:3:cuc"):
        shown = cli_runner("task", "show", ref)
        assert shown.exit_code == 0 and shown.output.startswith(f"{OWN_KEY}  ("), (ref, shown.output)
    assert "theo dõi:    Bộ Công Thương" in shown.output and "(bo, cơ quan theo dõi)" in shown.output
    assert "Cục" not in shown.output
    # Directive 20's own task by its group alone, and its keys of before.
    assert cli_runner("task", "show", "20/CT-BCT:10").output.startswith("20/CT-BCT:10:cuc  (")
    refused = cli_runner("task", "show", "20/CT-BCT:2")  # a province's group: which province is needed
    assert refused.exit_code == 1 and "CHỈ_THỊ:NHÓM:TỈNH" in refused.output
    # A file that renames the suffix moves the task; the keys of before still find it.
    _load_by_cli(cli_runner, TEXT.replace('key_suffix = "bo"', 'key_suffix = "bct"'), tmp_path)
    for ref in (f"{CODE}:3", f"{CODE}:3:bo", f"{CODE}:3:bct", f"{CODE}:3:cuc"):
        assert cli_runner("task", "show", ref).output.startswith(f"{CODE}:3:bct  ("), ref
    user = cli_runner("users", "add", "--email", "a@bct.example.vn", "--name", "Giám Sát", "--role", "overseer")
    assert user.exit_code == 0
    started = cli_runner("task", "start", f"{CODE}:3", "--as", "a@bct.example.vn")
    assert started.exit_code == 0, started.output
    assert "đang thực hiện" in cli_runner("task", "show", f"{CODE}:3:bct").output.lower()


# --- the task page ------------------------------------------------------------------------------------


def test_the_task_page_names_the_directives_overseer(site):  # noqa: F811 - the fixture
    load_and_assign(site.db, site.clock)
    overseer = site.client("overseer")
    own = overseer.get(f"/tasks/{site.task_id(OWN_KEY)}").text
    assert '<dd class="overseer">Bộ Công Thương</dd>' in own and "Cục" not in own
    twenty = overseer.get(f"/tasks/{site.task_id('20/CT-BCT:2:ha-noi')}").text
    assert '<dd class="overseer">Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công</dd>' in twenty
    # A decision on an extension request is the Ministry's.
    from datetime import date

    asked = request_extension(site.db, site.clock, site.emails["own"], f"{CODE}:1:ha-noi", date(2026, 6, 30),
                              "Chờ số liệu của các xã")
    refuse_request(site.db, site.clock, site.emails["overseer"], asked.id, "Đủ thời gian thực hiện")
    page = site.client("own").get(f"/tasks/{site.task_id(f'{CODE}:1:ha-noi')}").text
    assert "Quyết định của Bộ:" in page and "Cục" not in page
