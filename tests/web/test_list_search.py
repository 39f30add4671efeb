"""Search, sort and filters on the review queue and the overdue list (issue 26), over HTTP on both back-ends."""
from __future__ import annotations

import re

import pytest

from tests.web.http_support import CSRF, count

ROWS = re.compile(r'<tr data-task="([^"]+)"')


def _submit(site, key: str) -> int:
    from dtrack.workflow.service import Tracker

    tracker = Tracker(site.db, site.clock)
    officer = site.emails["own" if key.endswith("ha-noi") else "other"]
    tracker.fire(key, "start", officer)
    tracker.fire(key, "submit", officer, evidence="QĐ 12/QĐ-UBND")
    return site.task_id(key)


@pytest.fixture
def queue(site):
    for key in ("20/CT-BCT:2:ha-noi", "20/CT-BCT:3:ha-noi", "20/CT-BCT:4:hue"):
        _submit(site, key)
        site.clock.advance(hours=1)
    return site


def _rows(page) -> list[str]:
    return ROWS.findall(page.text.split('class="requests"')[0])


@pytest.mark.parametrize("typed", ["Hà Nội", "ha noi", "HA-NOI", "20/CT-BCT:3:ha-noi"])
def test_the_review_queue_searched_by_province_or_key_with_or_without_diacritics(queue, typed):
    page = queue.client("overseer").get("/review", params={"q": typed})
    assert page.status_code == 200
    wanted = {"20/CT-BCT:3:ha-noi"} if ":" in typed else {"20/CT-BCT:2:ha-noi", "20/CT-BCT:3:ha-noi"}
    assert set(_rows(page)) == wanted


def test_the_review_queue_searched_by_title_words_and_filtered_by_region_province_group(queue):
    overseer = queue.client("overseer")
    title = queue.scalar("SELECT title_vi FROM task_groups WHERE ordinal = 4")
    word = title.split()[-1]
    assert "20/CT-BCT:4:hue" in _rows(overseer.get("/review", params={"q": word}))
    assert _rows(overseer.get("/review", params={"province": "hue"})) == ["20/CT-BCT:4:hue"]
    assert _rows(overseer.get("/review", params={"group": "2"})) == ["20/CT-BCT:2:ha-noi"]
    assert set(_rows(overseer.get("/review", params={"region": "north"}))) == {"20/CT-BCT:2:ha-noi",
                                                                             "20/CT-BCT:3:ha-noi"}
    assert _rows(overseer.get("/review", params={"q": "không có tỉnh nào tên này"})) == []


def test_the_review_queue_sorted_by_a_column_and_back(queue):
    overseer = queue.client("overseer")
    assert _rows(overseer.get("/review")) == ["20/CT-BCT:2:ha-noi", "20/CT-BCT:3:ha-noi", "20/CT-BCT:4:hue"]
    assert _rows(overseer.get("/review", params={"sort": "-task"})) == ["20/CT-BCT:4:hue", "20/CT-BCT:3:ha-noi",
                                                                         "20/CT-BCT:2:ha-noi"]
    by_province = overseer.get("/review", params={"sort": "-province"})
    assert _rows(by_province)[0] == "20/CT-BCT:4:hue"
    assert 'data-sort="province"' in by_province.text and "sort=province" in by_province.text  # the next click


@pytest.mark.parametrize(("path", "params", "field"), [
    ("/review", {"sort": "xyz"}, "sort"), ("/overdue", {"sort": "-nothing"}, "sort"),
    ("/review", {"province": "xyz"}, "province"), ("/overdue", {"province": "xyz"}, "province"),
    ("/review", {"group": "abc"}, "group"), ("/review", {"q": "x" * 201}, "q"),
])
def test_a_wrong_value_is_said_beside_the_filter(queue, path, params, field):
    page = queue.client("overseer").get(path, params=params)
    assert page.status_code == 422
    said = re.search(rf'data-field="{field}">([^<]+)<', page.text)
    assert said and "--" not in said.group(1) and "sort" not in said.group(1).replace("sắp xếp", "")


def test_select_all_without_javascript_and_an_empty_accept(queue):
    overseer = queue.client("overseer")
    page = overseer.get("/review", params={"all": "1", "province": "ha-noi"})
    assert page.text.count(" checked>") == 2
    token = CSRF.search(page.text).group(1)
    before = count(queue, "events")
    empty = overseer.post("/review/accept", data={"csrf_token": token, "note": ""})
    assert empty.status_code == 422 and "chưa chọn nhiệm vụ nào" in empty.text
    assert count(queue, "events") == before


def test_the_overdue_list_searched_and_sorted(site):
    site.clock.advance(days=400)
    overseer = site.client("overseer")
    every = overseer.get("/overdue", params={"q": "ha noi", "sort": "province"})
    assert every.status_code == 200
    keys = ROWS.findall(every.text)
    assert keys and all(k.split(":")[2] == "ha-noi" for k in keys), keys
    sorted_page = ROWS.findall(overseer.get("/overdue", params={"sort": "-province"}).text)
    slugs = [k.split(":")[2] for k in sorted_page]
    assert slugs == sorted(slugs, reverse=True)


@pytest.mark.parametrize(("typed", "wanted"), [("Huế", {"other"}), ("hue", {"other"}), ("nguyen thi", {"own"}),
                                              ("moit", {"overseer", "admin"})])
def test_the_users_page_searched_by_name_email_or_province(site, typed, wanted):
    page = site.client("admin").get("/admin/users", params={"q": typed})
    assert page.status_code == 200
    shown = set(re.findall(r'<tr data-user="([^"]+)"', page.text))
    assert shown == {site.emails[who] for who in wanted}


def test_the_users_page_sorted_and_a_wrong_sort(site):
    admin = site.client("admin")
    emails = re.findall(r'<tr data-user="([^"]+)"', admin.get("/admin/users", params={"sort": "-email"}).text)
    assert emails == sorted(emails, reverse=True) and len(emails) >= 4
    wrong = admin.get("/admin/users", params={"sort": "password"})
    assert wrong.status_code == 422 and 'data-field="sort"' in wrong.text


def test_the_province_worklist_searched_and_sorted(site):
    officer = site.client("own")
    title = site.scalar("SELECT title_vi FROM task_groups WHERE ordinal = 3")
    found = ROWS.findall(officer.get("/province", params={"q": title.lower()}).text)
    assert found and all(k.split(":")[1] == "3" for k in found)
    every = ROWS.findall(officer.get("/province", params={"sort": "-task"}).text)
    assert len(every) > len(found)
    wrong = officer.get("/province", params={"sort": "xyz"})
    assert wrong.status_code == 422 and 'data-field="sort"' in wrong.text and ROWS.findall(wrong.text)


def test_an_empty_overdue_list_says_so_and_why(site):
    overseer = site.client("overseer")
    assert ROWS.findall(overseer.get("/overdue").text)  # the season has overdue tasks ...
    filtered = overseer.get("/overdue", params={"q": "không có tỉnh nào tên này"})
    assert filtered.status_code == 200 and not ROWS.findall(filtered.text)  # ... none of them matches
    assert "khớp với bộ lọc" in filtered.text and "<table" not in filtered.text
    site.clock.advance(days=-90)  # before any deadline: nothing is late, whatever the filters
    nothing_late = overseer.get("/overdue")
    assert not ROWS.findall(nothing_late.text) and "Không có nhiệm vụ nào quá hạn." in nothing_late.text
