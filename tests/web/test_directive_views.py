"""One view per directive: every list, matrix and count narrows to `?directive=` and says which it shows.

Two directives are loaded (Directive 20 and the tests' own 12/CT-LN, whose every task is overdue on the
test day). Without `?directive=` the views count both, as before; with it, one; an unknown code is a
message beside the filter (pages), a problem document (API), one line (CLI): never a 500, an empty view
or an English sentence for a Vietnamese user.
"""
from __future__ import annotations

import html
import json
import re

import pytest

from dtrack.reading.four_cells import CELLS
from dtrack.workflow.service import Tracker
from tests.scoped_directive import CODE, load_and_assign
from tests.web.test_api import api, token_for

TWENTY = "20/CT-BCT"
# On 05/01/2026: Directive 20's half-year report (due 15/12/2025) is overdue in the 34 provinces;
# 12/CT-LN's 45 province tasks (34 + 8 in the South + 3 pottery provinces) are all overdue.
OVERDUE = {TWENTY: 34, CODE: 45}


@pytest.fixture
def two(site):
    load_and_assign(site.db, site.clock)
    officer = site.emails["own"]
    for key in (f"{CODE}:1:ha-noi", "20/CT-BCT:9:ha-noi:2025-H2"):  # one submission waiting in each directive
        for trigger in ("start", "submit"):
            Tracker(site.db, site.clock).fire(key, trigger, officer)
    return site


def _cells(data: dict) -> int:
    return sum(data["total"][str(c)] for c in CELLS)


def test_the_matrix_page_its_json_and_the_api_show_one_directive_when_asked(two):
    overseer = two.client("overseer")
    token = api(two, token_for(two, "overseer"))
    every = overseer.get("/matrix?format=json").json()
    assert every["directive"] is None and every["total"]["overdue"] == OVERDUE[TWENTY] + OVERDUE[CODE] - 2
    for code in (TWENTY, CODE):
        one = overseer.get("/matrix", params={"format": "json", "directive": code}).json()
        assert one["directive"] == code
        assert one["total"]["overdue"] == OVERDUE[code] - 1  # Hà Nội's submitted task waits for review
        assert one["total"]["awaiting_review"] == 1
        assert token.get("/api/v1/matrix", params={"directive": code}).json() == one
        page = overseer.get("/matrix", params={"directive": code})
        assert page.status_code == 200
        assert f'data-directive="{code}"' in page.text and f"Chỉ thị {code}" in page.text
        assert f'<option value="{code}" selected>' in page.text
    assert _cells(overseer.get("/matrix", params={"format": "json", "directive": TWENTY}).json()) + _cells(
        overseer.get("/matrix", params={"format": "json", "directive": CODE}).json()) == _cells(every)
    assert "Mọi chỉ thị" in overseer.get("/matrix").text
    south = token.get("/api/v1/matrix", params={"directive": CODE, "region": "south"}).json()
    assert south["directive"] == CODE and south["total"]["overdue"] == 8 + 8 + 1  # groups 1, 2 and Kiên Giang's 3


@pytest.mark.parametrize("path", ["/matrix", "/overdue", "/review", "/status"])
def test_an_unknown_directive_is_a_message_beside_the_filter(two, path):
    overseer = two.client("overseer")
    page = overseer.get(path, params={"directive": "99/CT-XX"})
    assert page.status_code == 422
    error = html.unescape(page.text.split('data-field="directive"')[1].split("</p>")[0])
    assert "không có chỉ thị '99/CT-XX'" in error
    assert 'id="directive"' in page.text.split('data-field="directive"')[0]  # the filter it stands beside
    assert "<table" not in page.text  # no figures that would look like a directive without tasks
    assert overseer.get(path, params={"directive": TWENTY}).status_code == 200


def test_the_api_answers_an_unknown_directive_with_a_problem_document_in_the_callers_language(two):
    token = api(two, token_for(two, "overseer"))
    for path in ("/api/v1/matrix", "/api/v1/overdue", "/api/v1/tasks", "/api/v1/status"):
        answer = token.get(path, params={"directive": "99/CT-XX"})
        assert answer.status_code == 404, path
        assert answer.headers["content-type"].startswith("application/problem+json")
        problem = answer.json()
        assert problem["field"] == "directive" and "không có chỉ thị '99/CT-XX'" in problem["detail"], path
        assert "unknown" not in problem["detail"]
        english = token.get(path, params={"directive": "99/CT-XX", "lang": "en"}).json()
        assert "unknown directive '99/CT-XX'" in english["detail"]


def test_lists_and_downloads_narrow_to_the_directive_and_say_which(two):
    overseer = two.client("overseer")
    token = api(two, token_for(two, "overseer"))
    late = overseer.get("/overdue", params={"format": "json", "directive": CODE}).json()
    assert late["directive"] == CODE and late["total_overdue"] == OVERDUE[CODE] - 1
    assert {t["key"].split(":")[0] for t in late["overdue"]} == {CODE}
    assert token.get("/api/v1/overdue", params={"directive": CODE}).json()["total_overdue"] == late["total_overdue"]
    csv = overseer.get("/overdue", params={"format": "csv", "directive": CODE}).text
    assert CODE in csv and TWENTY not in csv
    page = overseer.get("/overdue", params={"directive": CODE}).text
    assert f"Chỉ thị {CODE}" in page
    download = re.search(r'href="([^"]*)" data-download="csv"', page).group(1)
    assert "directive=12/CT-LN" in html.unescape(download).replace("%2F", "/")
    waiting = overseer.get("/review", params={"format": "json", "directive": CODE}).json()
    assert [t["key"] for t in waiting] == [f"{CODE}:1:ha-noi"]
    assert len(overseer.get("/review?format=json").json()) == 2
    review = overseer.get("/review", params={"directive": CODE}).text
    assert f"Chỉ thị {CODE}" in review and "/reports/national?directive=12/CT-LN" in review.replace("%2F", "/")
    listing = token.get("/api/v1/tasks", params={"directive": CODE, "limit": 500}).json()
    assert listing["directive"] == CODE and listing["total"] == OVERDUE[CODE] + 1  # with the Department's own
    assert {item["directive"] for item in listing["items"]} == {CODE}
    status = overseer.get("/status", params={"directive": CODE}).text
    assert f'data-directive="{CODE}"' in status and f'<option value="{CODE}" selected>' in status


def test_the_command_line_narrows_the_four_cells_and_refuses_an_unknown_code_in_one_line(two, cli_runner):
    cells = json.loads(cli_runner("overdue", "--matrix", "--json", "--directive", CODE).output)
    assert cells["directive"] == CODE and cells["total"]["overdue"] == OVERDUE[CODE] - 1
    text = cli_runner("overdue", "--matrix", "--directive", CODE).output
    assert text.splitlines()[0] == f"Chỉ thị {CODE}"
    assert cli_runner("overdue", "--matrix").output.splitlines()[0] == "Mọi chỉ thị"
    assert cli_runner("overdue", "--directive", CODE).output.splitlines()[0] == f"Chỉ thị {CODE}"
    for args in (("overdue", "--matrix"), ("overdue",), ("overdue", "--json")):
        refused = cli_runner(*args, "--directive", "99/CT-XX")
        lines = refused.output.strip().splitlines()
        assert refused.exit_code == 1 and len(lines) == 1, refused.output
        assert "--directive" in lines[0] and "không có chỉ thị '99/CT-XX'" in lines[0]


def test_the_province_home_narrows_to_one_directive_and_says_an_unknown_code_beside_the_filter(two):
    for who in ("own", "overseer"):  # the province's officer, and an overseer looking at Hà Nội
        client = two.client(who)
        every = client.get("/province", params={"province": "ha-noi", "format": "json"}).json()
        keys = {t["key"] for tasks in every["sections"].values() for t in tasks}
        assert every["directive"] is None and {k.split(":")[0] for k in keys} == {TWENTY, CODE}
        for code in (TWENTY, CODE):
            one = client.get("/province", params={"province": "ha-noi", "format": "json", "directive": code}).json()
            assert one["directive"] == code
            assert {t["key"] for tasks in one["sections"].values() for t in tasks} == {
                k for k in keys if k.startswith(f"{code}:")}
            page = client.get("/province", params={"province": "ha-noi", "directive": code})
            assert page.status_code == 200 and f'data-directive="{code}"' in page.text
            assert f'<option value="{code}" selected>' in page.text
            csv = html.unescape(re.search(r'href="([^"]*)" data-download="csv"', page.text)[1])
            assert f"directive={code.replace('/', '%2F')}" in csv and "format=csv" in csv  # the download keeps it
        wrong = client.get("/province", params={"province": "ha-noi", "directive": "99/CT-XX"})
        assert wrong.status_code == 422
        error = html.unescape(wrong.text.split('data-field="directive"')[1].split("</p>")[0])
        assert "không có chỉ thị '99/CT-XX'" in error and "--" not in error
        assert 'data-directive=""' in wrong.text  # and the page says it shows every directive
