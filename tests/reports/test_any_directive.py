"""Reports work for every directive, in its own words, through the real CLI.

Three directives beside Directive 20: the shipped example EX-01/2026 (its
own wording, one result indicator, no budget), one written here (its own
overseer, prefixes, signers, a plan/actual money pair and two results) and
a bare one (no indicators, no wording: the defaults).
"""
from __future__ import annotations

import html
import io
import re

import pytest
from openpyxl import load_workbook

from dtrack.reports.render import FORMATS, money, percent
from dtrack.seeds import EXAMPLE_DIRECTIVE_FILE

from .htmltables import parse_html

# The command line in English: these tests are about behaviour, not wording (tests/test_cli_language.py).
pytestmark = pytest.mark.usefixtures("english")

OVERSEER = "giam.sat@moit.example.vn"

SAVING = """
[directive]
code = "TKNL-07/2026"
title_vi = "Chỉ thị về sử dụng năng lượng tiết kiệm và hiệu quả"
title_en = "Directive on using energy sparingly and efficiently"
issuer_vi = "Bộ Công Thương"
issuer_en = "Ministry of Industry and Trade"
overseer_vi = "Vụ Tiết kiệm năng lượng và Phát triển bền vững"
overseer_en = "Energy Saving and Sustainable Development Division"

[directive.report]
budget_vi = "Kinh phí tiết kiệm năng lượng"
budget_en = "Energy saving budget"
indicators_vi = "Kết quả tiết kiệm năng lượng"
indicators_en = "Energy saving results"

[directive.report.national]
number_prefix = "/BC-TKNL"
signer_vi = "VỤ TRƯỞNG"
signer_en = "DIRECTOR"
recipients_vi = ["Bộ trưởng (để báo cáo)", "Thứ trưởng phụ trách"]
recipients_en = ["the Minister (for information)", "the Deputy Minister in charge"]

[directive.report.province]
number_prefix = "/BC-SCT-NL"
signer_vi = "GIÁM ĐỐC SỞ"
signer_en = "DIRECTOR OF THE DEPARTMENT"

[[groups]]
ordinal = 1
title_vi = "Kiểm toán năng lượng các cơ sở sử dụng năng lượng trọng điểm"
title_en = "Energy audits of the key energy users"
kind = "one_off"
deadline = 2026-09-30

[[groups]]
ordinal = 2
title_vi = "Tuyên truyền tiết kiệm điện mùa nắng nóng"
title_en = "Campaign to save electricity in the hot season"
kind = "one_off"
deadline = "+60 days"

[[indicators]]
code = "fund_plan"
name_vi = "Kinh phí tiết kiệm năng lượng được giao"
name_en = "Energy saving funds allotted"
unit_vi = "VND"
unit_en = "VND"
aggregate = "sum"
role = "plan"

[[indicators]]
code = "fund_spent"
name_vi = "Kinh phí tiết kiệm năng lượng đã chi"
name_en = "Energy saving funds spent"
unit_vi = "VND"
unit_en = "VND"
aggregate = "sum"
role = "actual"

[[indicators]]
code = "audits"
name_vi = "Cơ sở được kiểm toán năng lượng"
name_en = "Establishments audited"
unit_vi = "cơ sở"
unit_en = "establishments"
aggregate = "sum"

[[indicators]]
code = "auditors"
name_vi = "Kiểm toán viên năng lượng"
name_en = "Energy auditors"
unit_vi = "người"
unit_en = "people"
aggregate = "latest"
"""

BARE = """
[directive]
code = "KHCN-02/2026"
title_vi = "Chỉ thị về đẩy mạnh đổi mới sáng tạo trong doanh nghiệp nhỏ"
title_en = "Directive on innovation in small enterprises"
issuer_vi = "Bộ Khoa học và Công nghệ"
issuer_en = "Ministry of Science and Technology"

[[groups]]
ordinal = 1
title_vi = "Lập danh sách doanh nghiệp nhỏ cần hỗ trợ"
title_en = "List the small enterprises that need support"
kind = "one_off"
deadline = 2026-05-31
"""

# What each directive's reports must say, and which sections they have.
EXPECTED = {
    "EX-01/2026": {
        "parent": "BỘ CÔNG THƯƠNG", "body": "CỤC THƯƠNG MẠI ĐIỆN TỬ VÀ KINH TẾ SỐ", "prefix": "/BC-TMĐT",
        "signer": "CỤC TRƯỞNG", "recipients": ["Bộ trưởng (để báo cáo)", "Các Thứ trưởng",
                                               "Sở Công Thương các tỉnh, thành phố"],
        "to": "Bộ trưởng Bộ Công Thương",
        "province_prefix": "/BC-SCT-CĐS", "province_signer": "GIÁM ĐỐC",
        "province_to": "Cục Thương mại điện tử và Kinh tế số (Bộ Công Thương)",
        "province_recipients": ["Như trên", "UBND tỉnh Cà Mau (để báo cáo)"],
        "budget": False, "indicators": "Chỉ tiêu chuyển đổi số năm 2026",
    },
    "TKNL-07/2026": {
        "parent": "BỘ CÔNG THƯƠNG", "body": "VỤ TIẾT KIỆM NĂNG LƯỢNG VÀ PHÁT TRIỂN BỀN VỮNG", "prefix": "/BC-TKNL",
        "signer": "VỤ TRƯỞNG", "recipients": ["Bộ trưởng (để báo cáo)", "Thứ trưởng phụ trách"],
        "to": "Lãnh đạo Bộ Công Thương",
        "province_prefix": "/BC-SCT-NL", "province_signer": "GIÁM ĐỐC SỞ",
        "province_to": "Vụ Tiết kiệm năng lượng và Phát triển bền vững (Bộ Công Thương)",
        "province_recipients": ["Vụ Tiết kiệm năng lượng và Phát triển bền vững (Bộ Công Thương)",
                                "UBND tỉnh Cà Mau"],
        "budget": "Kinh phí tiết kiệm năng lượng năm 2026: kế hoạch và giải ngân",
        "indicators": "Kết quả tiết kiệm năng lượng năm 2026",
    },
    "KHCN-02/2026": {  # nothing said: every default
        "parent": None, "body": "BỘ KHOA HỌC VÀ CÔNG NGHỆ", "prefix": "/BC", "signer": "THỦ TRƯỞNG ĐƠN VỊ",
        "recipients": ["Lãnh đạo Bộ Khoa học và Công nghệ"], "to": "Lãnh đạo Bộ Khoa học và Công nghệ",
        "province_prefix": "/BC", "province_signer": "THỦ TRƯỞNG ĐƠN VỊ",
        "province_to": "Bộ Khoa học và Công nghệ",
        "province_recipients": ["Bộ Khoa học và Công nghệ", "UBND tỉnh Cà Mau"],
        "budget": False, "indicators": False,
    },
}
# Directive 20's own wording, which no other directive's report may carry (unless it says so itself).
DIRECTIVE_20_WORDS = {"vi": ("khuyến công", "/bc-kc", "cục đổi mới sáng tạo", "thủ trưởng đơn vị"),
                      "en": ("industrial promotion", "/bc-kc", "department of innovation", "head of the unit")}


def _foreign_words(code: str, data: bytes, lang: str) -> list[str]:
    own = {"EX-01/2026": {"khuyến công", "industrial promotion"},  # its title and groups say so
           "KHCN-02/2026": {"thủ trưởng đơn vị", "head of the unit"}}.get(code, set())  # the default signer
    text = data.decode().lower()
    return [w for w in DIRECTIVE_20_WORDS[lang] if w in text and w not in own]


def _load(cli_runner, tmp_path, text: str | None) -> str:
    """Load (and assign to every province) a directive written here, or the shipped example."""
    if text is None:
        path = EXAMPLE_DIRECTIVE_FILE
    else:
        path = tmp_path / "directive.toml"
        path.write_text(text, encoding="utf-8")
    loaded = cli_runner("directive", "load", str(path))
    assert loaded.exit_code == 0, loaded.output
    code = re.search(r"directive (\S+):", loaded.output).group(1)
    assigned = cli_runner("directive", "assign", code, "--provinces", "all")
    assert assigned.exit_code == 0, assigned.output
    return code


def _report(cli_runner, tmp_path, kind: str, code: str, fmt: str, lang: str = "vi") -> bytes:
    target = tmp_path / f"{kind}.{lang}.{fmt}"
    args = ["report", kind, *(["ca-mau"] if kind == "province" else []), "--directive", code, "--format", fmt,
            "--lang", lang, "--as-of", "2026-03-01", "-o", str(target)]
    result = cli_runner(*args)
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    return target.read_bytes()


def _header(page: str) -> dict[str, object]:
    """The administrative header and footer of a rendered HTML report, as text."""
    def div(name: str) -> str | None:
        found = re.search(rf'<div class="{name}">(.*?)</div>', page, re.DOTALL)
        return html.unescape(found.group(1)).strip() if found else None

    recipients = re.search(r'<div class="recipients">(.*?)</div>', page, re.DOTALL).group(1)
    sign = re.search(r'<div class="sign">(.*?)<small>', page, re.DOTALL).group(1)
    return {"parent": div("parent"), "body": div("body"), "number": div("number"),
            "to": html.unescape(re.search(r'<p class="recipient">(.*?)</p>', page).group(1)),
            "signer": html.unescape(sign).strip(),
            "recipients": [html.unescape(r).strip(" ;.") for r in re.findall(r"- ([^<]*)", recipients)]}


@pytest.mark.parametrize("text", [None, SAVING, BARE], ids=["EX-01", "own", "bare"])
def test_every_directive_reports_in_every_format_with_its_own_wording(cli_runner, tmp_path, text):
    code = _load(cli_runner, tmp_path, text)
    expected = EXPECTED[code]
    assert set(FORMATS) == {"html", "md", "xlsx", "csv"}  # what `dtrack report --format` offers
    for kind in ("national", "province"):
        for lang in ("vi", "en"):
            for fmt in FORMATS:
                data = _report(cli_runner, tmp_path, kind, code, fmt, lang)
                assert data
                if fmt == "xlsx":
                    sheets = load_workbook(io.BytesIO(data)).sheetnames
                    budget, indicators = ("Kinh phí", "Chỉ tiêu") if lang == "vi" else ("Budget", "Indicators")
                    assert (budget in sheets) == bool(expected["budget"])
                    assert (indicators in sheets) == bool(expected["indicators"])
                else:
                    assert _foreign_words(code, data, lang) == []

    page = _report(cli_runner, tmp_path, "national", code, "html").decode()
    assert ('id="budget"' in page and 'id="budget_provinces"' in page) == bool(expected["budget"])
    head = _header(page)
    assert head == {"parent": expected["parent"], "body": expected["body"],
                    "number": f"Số:        {expected['prefix']}", "to": f"Kính gửi: {expected['to']}",
                    "signer": expected["signer"],
                    "recipients": [*expected["recipients"], "Lưu: VT"]}
    for title in (expected["budget"], expected["indicators"]):
        assert (title in page) if title else True
    assert ('id="indicators"' in page) == bool(expected["indicators"])

    province = _report(cli_runner, tmp_path, "province", code, "html").decode()
    head = _header(province)
    assert head["parent"] == "ỦY BAN NHÂN DÂN TỈNH CÀ MAU"
    assert head["number"] == f"Số:        {expected['province_prefix']}"
    assert head["to"] == f"Kính gửi: {expected['province_to']}"
    assert head["signer"] == expected["province_signer"]
    assert head["recipients"] == [*expected["province_recipients"], "Lưu: VT"]
    assert ('id="province_budget"' in province) == bool(expected["budget"])
    assert ('id="indicators"' in province) == bool(expected["indicators"])

    markdown = _report(cli_runner, tmp_path, "national", code, "md").decode()
    assert f"**{expected['body']}**" in markdown and expected["prefix"] in markdown
    assert ("## " + expected["indicators"] in markdown) if expected["indicators"] else "## Chỉ tiêu" not in markdown


def test_a_city_report_goes_to_its_peoples_committee_in_both_languages(cli_runner, tmp_path):
    code = _load(cli_runner, tmp_path, SAVING)
    vi = _header(_report(cli_runner, tmp_path, "province", code, "html").decode())
    en = _header(_report(cli_runner, tmp_path, "province", code, "html", "en").decode())
    assert "UBND tỉnh Cà Mau" in vi["recipients"]
    assert "People's Committee of Ca Mau" in en["recipients"]
    assert en["signer"] == "DIRECTOR OF THE DEPARTMENT" and en["number"].endswith("/BC-SCT-NL")
    result = cli_runner("report", "province", "ha-noi", "--directive", code, "--as-of", "2026-03-01")
    assert result.exit_code == 0 and "- UBND thành phố Hà Nội;" in result.output


def test_the_budget_section_comes_from_the_directives_plan_and_actual(cli_runner, tmp_path):
    code = _load(cli_runner, tmp_path, SAVING)
    assert cli_runner("users", "add", "--email", OVERSEER, "--name", "Giám Sát", "--role", "overseer").exit_code == 0
    for indicator, value in (("fund_plan", "2000000000"), ("fund_spent", "500000000"), ("audits", "12")):
        result = cli_runner("indicators", "report", "ca-mau", "--period", "2026", "--indicator", indicator,
                            "--value", value, "--as", OVERSEER, "--directive", code, "--as-of", "2026-02-01")
        assert result.exit_code == 0, result.output
    page = parse_html(_report(cli_runner, tmp_path, "province", code, "html").decode())
    own = page.tables["province_budget"][1]
    assert own[:4] == ["Cà Mau", money(2_000_000_000, "vi"), money(500_000_000, "vi"), percent(0.25, "vi")]
    results = {row[0]: row for row in page.tables["indicators"][1:]}
    assert results["Cơ sở được kiểm toán năng lượng"][1:3] == ["cơ sở", "12"]
    national = _report(cli_runner, tmp_path, "national", code, "html").decode()
    budget = {row[0]: row for row in parse_html(national).tables["budget"][1:]}
    assert budget["Miền Nam"][1:4] == [money(2_000_000_000, "vi"), money(500_000_000, "vi"), percent(0.25, "vi")]
    assert parse_html(national).tables["budget_provinces"][1][0] == "Cà Mau"
    assert 'id="split"' not in national  # no plan parts: no split sentence
    english = _report(cli_runner, tmp_path, "national", code, "html", "en").decode()
    assert "Energy saving budget 2026: plan and disbursement" in english
    assert "Energy saving results 2026" in english


def test_directive_20_keeps_its_wording(cli_runner, tmp_path):
    page = _report(cli_runner, tmp_path, "national", "20/CT-BCT", "html").decode()
    assert _header(page) == {
        "parent": "BỘ CÔNG THƯƠNG", "body": "CỤC ĐỔI MỚI SÁNG TẠO, CHUYỂN ĐỔI XANH VÀ KHUYẾN CÔNG",
        "number": "Số:        /BC-KC", "to": "Kính gửi: Bộ trưởng Bộ Công Thương", "signer": "THỦ TRƯỞNG ĐƠN VỊ",
        "recipients": ["Bộ trưởng Bộ Công Thương", "Lưu: VT"]}
    assert "Kinh phí khuyến công năm 2026: kế hoạch và giải ngân" in page
    province = _header(_report(cli_runner, tmp_path, "province", "20/CT-BCT", "html", "en").decode())
    assert province == {
        "parent": "PEOPLE'S COMMITTEE OF CA MAU", "body": "DEPARTMENT OF INDUSTRY AND TRADE",
        "number": "No.:        /BC-SCT",
        "to": "To: the Department of Innovation, Green Transformation and Industrial Promotion (MOIT)",
        "signer": "HEAD OF THE UNIT",
        "recipients": ["the Department of Innovation, Green Transformation and Industrial Promotion (MOIT)",
                       "People's Committee of Ca Mau (for information)", "Archive: records"]}
    in_vietnamese = _header(_report(cli_runner, tmp_path, "province", "20/CT-BCT", "html").decode())
    assert in_vietnamese["recipients"] == [
        "Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công (Bộ Công Thương)", "UBND tỉnh Cà Mau (để báo cáo)",
        "Lưu: VT"]


def test_the_directives_words_are_escaped_in_every_format():
    from datetime import date

    from dtrack.directives.format import ReportSideSpec, ReportSpec
    from dtrack.persistence.models import Directive
    from dtrack.reports.document import Report, Table, national_header
    from dtrack.reports.render import render
    from dtrack.reports.wording import directive_wording

    hostile = "<script>alert('x')</script>"
    side = ReportSideSpec(number_prefix=f"/BC-{hostile}", signer_vi=hostile, recipients_vi=(hostile, "*bold*|pipe"))
    spec = ReportSpec(overseer_vi=hostile, national=side)
    words = directive_wording(Directive(code="X-1", issuer_vi="Bộ <b>", issuer_en="Ministry",
                                        report_wording=spec.to_json()), "vi")
    report = Report("province", "vi", date(2026, 1, 5), 2026, national_header("X-1", date(2026, 1, 5), "vi", words),
                    extra={"slug": "x", "province": "X", "note": None})
    report.tables += [Table(key, key, ["#"], []) for key in ("groups", "notes", "obstacles", "proposals")]
    page = render(report, "html").decode()
    assert "<script>" not in page.lower() and "<b>" not in page.lower()
    assert page.lower().count("&lt;script&gt;") == 4  # the issuing body (upper case), number, signer, a recipient
    markdown = render(report, "md").decode()
    assert "<script>" not in markdown
