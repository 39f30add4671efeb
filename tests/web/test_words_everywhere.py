"""Every page and every form, refused with wrong values, reads in Vietnamese: no English, no CLI word, no bare id.

Issue 26: "comment: đang để trống; write what you want to say", "217: cannot accept
20/CT-BCT:7:dien-bien…", "--province: …", "xem `dtrack users list`". The POST routes are
enumerated from the application's router (a new form is swept without anyone adding it here);
each is sent twice per role, empty and with wrong values, and what comes back is checked with
`words_check`: a refusal says why (a message shows), in Vietnamese, naming tasks by their title.
"""
from __future__ import annotations

import re

import pytest
from starlette.routing import Route

from tests.web.http_support import csrf_of
from tests.web.words_check import faults, messages

KEY = "20/CT-BCT:2:ha-noi"
# Values no field accepts: an out-of-range number, an impossible date, an unknown province, directive...
WRONG = {"note": "", "reason": "", "body": "", "progress": "150", "to": "31/02/2026", "due_on": "hôm qua",
         "email": "khong-phai-email", "name": "", "role": "vua", "province": "xyz", "provinces": "xyz",
         "unit": "xyz", "group": "abc", "directive": "99/CT-XX", "code": "99/CT-XX", "indicator": "zz",
         "value": "-abc", "as_of": "99/99/9999", "period": "zz", "day": "32/13/2026", "days": "999",
         "working": "zz", "password": "ngan", "password2": "khac", "lang": "zz"}
PAGES = ["/province", "/review", "/overdue", "/matrix", "/status", "/indicators", "/account", "/extend-group",
         "/admin/users", "/admin/directives", "/admin/settings", "/admin/outbox", "/admin/calendar"]
BAD_FILTERS = [("/overdue", "province", "xyz"), ("/overdue", "region", "zz"), ("/overdue", "group", "abc"),
               ("/overdue", "min_days", "-1"), ("/overdue", "directive", "99/CT-XX"), ("/matrix", "region", "zz"),
               ("/status", "directive", "99/CT-XX"), ("/review", "directive", "99/CT-XX")]
SKIPPED = {"/logout", "/login", "/invite/{token}", "/account/language"}  # swept apart: they end the session


def _post_paths(site, task_id: int) -> list[str]:
    """Every POST form of the pages, its path parameters filled (a row that exists where one is needed)."""
    filled = {"task_id": str(task_id), "trigger": "update", "user_id": "999999", "file_id": "999999",
              "token_id": "999999", "message_id": "999999", "request_id": "999999"}
    paths = []
    for route in site.app.routes:
        if not isinstance(route, Route) or "POST" not in (route.methods or ()) or route.path.startswith("/api"):
            continue
        if route.path in SKIPPED:
            continue
        path = re.sub(r"\{(\w+)(:\w+)?\}", lambda m: filled.get(m.group(1), "999999"), route.path)
        paths.append(path)
        if "{trigger}" in route.path:
            paths += [path.replace("/update", f"/{t}") for t in ("block", "submit", "accept", "send_back")]
    return paths


def _check(answer, what: str) -> None:
    assert answer.status_code < 500, f"{what}: {answer.status_code}"
    assert not faults(answer.text), f"{what}: {faults(answer.text)}"
    if 400 <= answer.status_code < 500:
        assert messages(answer.text), f"{what}: refused ({answer.status_code}) without saying why"


@pytest.mark.parametrize("who", ["own", "overseer", "admin"])
def test_every_page_and_every_refused_form_reads_in_vietnamese(site, who):
    client = site.client(who)
    task_id = site.task_id(KEY)
    for path in [*PAGES, f"/tasks/{task_id}"]:
        _check(client.get(path), f"{who} GET {path}")
    token = csrf_of(client, "/account")
    for path in _post_paths(site, task_id):
        version = str(site.version(task_id))
        for form in ({}, WRONG):
            _check(client.post(path, data={"csrf_token": token, "version": version, **form}),
                   f"{who} POST {path} {'wrong' if form else 'empty'}")


def test_the_forms_before_a_login_read_in_vietnamese(site):
    anonymous = site.anonymous()
    page = anonymous.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    _check(anonymous.post("/login", data={"csrf_token": token, "email": "", "password": ""}), "login")
    _check(anonymous.post("/invite/khong-co", data={"csrf_token": token, **WRONG}), "invite")


@pytest.mark.parametrize(("path", "name", "value"), BAD_FILTERS)
def test_a_wrong_filter_is_a_message_beside_it_not_a_missing_page(site, path, name, value):
    answer = site.client("overseer").get(path, params={name: value})
    assert answer.status_code == 422, answer.status_code  # the page again, not the 404 page
    assert f'data-field="{name}"' in answer.text or f'data-unplaced="{name}"' in answer.text
    _check(answer, f"{path}?{name}={value}")


def test_an_empty_bulk_accept_says_nothing_was_selected(site):
    overseer = site.client("overseer")
    before = site.fingerprint()
    answer = overseer.post("/review/accept", data={"csrf_token": csrf_of(overseer, "/review")})
    assert answer.status_code == 422
    assert any("chưa chọn nhiệm vụ nào" in message for message in messages(answer.text))
    assert site.fingerprint() == before


def test_a_bulk_result_names_tasks_by_title_and_province(site):
    overseer = site.client("overseer")
    task_id = site.task_id(KEY)  # not started: the Department cannot accept it
    answer = overseer.post("/review/accept", data={"csrf_token": csrf_of(overseer, "/review"), f"task_{task_id}": "on"})
    assert answer.status_code == 200
    refused = re.search(r'<li data-refused="[^"]*">(.*?)</li>', answer.text, re.DOTALL).group(1)
    assert "«Xây dựng, phê duyệt Chương trình khuyến công địa phương 2026-2030» (Hà Nội)" in refused
    assert f'href="/tasks/{task_id}"' in refused
    assert not faults(answer.text)


def test_the_settings_page_explains_each_setting_without_a_command(site):
    page = site.client("admin").get("/admin/settings")
    assert page.status_code == 200
    assert not faults(page.text)
    assert "`" not in page.text and "dtrack serve" not in page.text and "dtrack scheduler" not in page.text


@pytest.mark.parametrize("shown", [
    "comment: đang để trống; write what you want to say", "token_days: a token lives 1 to 366 days, not 999",
    "217: không thể chấp nhận", "không thể chấp nhận nhiệm vụ 20/CT-BCT:7:dien-bien", "--province: cần tỉnh",
    "xem `dtrack users list`"])
def test_the_check_sees_each_fault_the_issue_names(shown):
    assert faults(f"<main><p>{shown}</p></main>")


def test_the_check_passes_vietnamese_times_and_dates():
    assert not faults("<main><p>Hạn 17/03/2026 lúc 07:30 · còn 71 ngày; «Báo cáo» (Hà Nội)</p></main>")


def test_the_status_matrix_shows_vietnamese_badges_and_explains_the_overdue_marks(site):
    page = site.client("overseer").get("/status").text
    cells = re.findall(r'data-state="[^"]+" class="state[^"]*"[^>]*><span class="badge">([^<]+)</span>', page)
    assert cells and set(cells) <= {"Chưa", "Đang", "Chờ", "Trả", "Vướng", "Xong"}
    legend = page.split('class="legend legend-overdue"')[1].split("</p>")[0]
    assert "quá hạn" in legend and "!2" in legend
    assert not faults(page)
