"""The page of what changed since the last visit, over HTTP on both back-ends: the list, the homes' count
link, "Đánh dấu đã xem" (POST, CSRF), and a GET that never writes."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from dtrack.persistence.models import User
from dtrack.workflow.comments import post_comment
from dtrack.workflow.extension import extend
from dtrack.workflow.service import Tracker
from tests.web.http_support import ACCOUNTS, csrf_of

KEY = "20/CT-BCT:2:ha-noi"
TITLE = "Xây dựng, phê duyệt Chương trình khuyến công địa phương 2026-2030"
OWN, OVERSEER = ACCOUNTS["own"][0], ACCOUNTS["overseer"][0]
COUNT = re.compile(r'data-changes-count="(\d+)"')


def _work(site) -> None:
    """The Hà Nội officer submits; the Department returns it, comments and extends it; a minute apart."""
    from datetime import date

    tracker = Tracker(site.db, site.clock)
    for action in (lambda: tracker.fire(KEY, "start", OWN),
                   lambda: tracker.fire(KEY, "submit", OWN, evidence="QĐ 9/QĐ-UBND"),
                   lambda: tracker.fire(KEY, "send_back", OVERSEER, note="Bổ sung danh sách cơ sở"),
                   lambda: post_comment(site.db, site.clock, KEY, OVERSEER, "Hạn mới là 30/6"),
                   lambda: extend(site.db, site.clock, OVERSEER, date(2027, 6, 30), "Theo đề nghị của tỉnh",
                                  task_refs=[KEY]),
                   lambda: post_comment(site.db, site.clock, KEY, OWN, "Cảm ơn Cục")):
        site.clock.advance(minutes=1)
        action()


def _seen_at(site, who: str):
    with site.db.session() as session:  # the mapped column: an aware UTC instant on both back-ends
        return session.scalar(select(User.changes_seen_at).where(User.email == ACCOUNTS[who][0]))


def test_the_page_lists_others_changes_by_title_and_province_and_the_home_counts_them(site):
    _work(site)
    own = site.client("own")
    home = own.get("/province")
    assert home.status_code == 200 and COUNT.findall(home.text) == ["3"]
    assert "Thay đổi từ lần xem trước (3)" in home.text and 'href="/changes"' in home.text
    page = own.get("/changes")
    assert page.status_code == 200
    rows = re.findall(r'<tr data-change="(\w+)"', page.text)
    assert rows == ["extend", "comment", "send_back"]  # newest first; Hà's own comment is not news to her
    assert TITLE in page.text and "(Hà Nội" in page.text and KEY not in page.text
    assert "Bổ sung danh sách cơ sở" in page.text and "Lê Văn Giám" in page.text and "Cảm ơn Cục" not in page.text
    assert "05/01/2026 12:03" in page.text  # the send-back, in Hà Nội's time, dd/mm/yyyy HH:MM
    assert re.search(r"\(hạn \d\d/\d\d/\d{4} → 30/06/2027\)", page.text)
    assert "data-never-seen" in page.text and "trong 14 ngày qua" in page.text
    assert 'action="/changes/seen"' in page.text and "Đánh dấu đã xem" in page.text
    assert 'class="cards changes-table"' in page.text  # cards on a phone, like the other lists
    as_json = own.get("/changes?format=json").json()
    assert [c["trigger"] for c in as_json["items"]] == rows and as_json["marked"] is False
    # The Department: the officer's comment only (its own work is not news to it); on the dashboard too.
    overseer = site.client("overseer")
    assert COUNT.findall(overseer.get("/dashboard").text) == ["1"]
    assert re.findall(r'<tr data-change="(\w+)"', overseer.get("/changes").text) == ["comment"]
    # Another province: nothing of Hà Nội's.
    other = site.client("other")
    assert COUNT.findall(other.get("/province").text) == ["0"]
    assert "Không có thay đổi nào." in other.get("/changes").text


def test_marking_as_seen_sets_the_mark_in_one_post_and_the_list_starts_again(site):
    _work(site)
    own = site.client("own")
    assert COUNT.findall(own.get("/province").text) == ["3"]  # kept by the page memo: the mark must end it
    token = csrf_of(own, "/changes")
    site.clock.advance(minutes=1)
    answer = own.post("/changes/seen", data={"csrf_token": token})
    assert answer.status_code == 303 and answer.headers["location"] == "/changes?flash=changes_seen"
    assert _seen_at(site, "own") == site.clock.now()
    after = own.get(answer.headers["location"])
    assert "Đã đánh dấu đã xem" in after.text and "Không có thay đổi nào." in after.text
    assert "data-never-seen" not in after.text and "12:07" in after.text  # since the mark, shown in local time
    assert COUNT.findall(own.get("/province").text) == ["0"]
    site.clock.advance(minutes=1)
    post_comment(site.db, site.clock, KEY, OVERSEER, "Đã nhận bản bổ sung")
    assert COUNT.findall(own.get("/province").text) == ["1"]
    assert re.findall(r'<tr data-change="(\w+)"', own.get("/changes").text) == ["comment"]
    assert _seen_at(site, "other") is None  # one user's mark is theirs alone


def test_a_change_made_while_the_list_was_read_is_not_marked_seen_unshown(site):
    _work(site)
    own = site.client("own")
    page = own.get("/changes").text
    token = csrf_of(own, "/changes")
    shown_at = re.search(r'name="shown_at" value="([^"]+)"', page).group(1)
    site.clock.advance(minutes=1)
    post_comment(site.db, site.clock, KEY, OVERSEER, "Viết trong lúc cán bộ đang đọc danh sách")
    site.clock.advance(minutes=1)
    answer = own.post("/changes/seen", data={"csrf_token": token, "shown_at": shown_at})
    assert answer.status_code == 303
    assert _seen_at(site, "own") == site.clock.now() - timedelta(minutes=2)  # when the list was shown
    assert re.findall(r'<tr data-change="(\w+)"', own.get("/changes").text) == ["comment"]
    # A made-up or naive instant is not believed: the mark is then now (and never later than now).
    for made_up in ("", "hôm qua", "2026-01-05T10:00:00", "2999-01-01T00:00:00+00:00"):
        own.post("/changes/seen", data={"csrf_token": token, "shown_at": made_up})
        assert _seen_at(site, "own") == site.clock.now()


def test_the_page_does_not_write_and_a_post_without_its_token_is_refused(site):
    _work(site)
    own = site.client("own")
    before = (site.fingerprint(), _seen_at(site, "own"))
    for _ in range(2):
        assert own.get("/changes").status_code == 200
        assert own.get("/changes?format=json").status_code == 200
    assert (site.fingerprint(), _seen_at(site, "own")) == before
    for data in ({}, {"csrf_token": "not-the-token"}):
        refused = own.post("/changes/seen", data=data)
        assert refused.status_code == 403
    assert _seen_at(site, "own") is None
    anonymous = site.anonymous()
    assert anonymous.get("/changes").status_code == 303
    assert anonymous.post("/changes/seen", data={}).status_code == 303
    assert _seen_at(site, "own") is None


def test_a_commune_officer_sees_their_commune_part_judged_and_no_task(site):
    from datetime import date

    from dtrack.accounts.admin import set_password
    from dtrack.workflow.part_service import PartTracker
    from dtrack.workflow.parts import delegate
    from dtrack.workflow.users import add_user
    from tests.web.http_support import PASSWORD

    with site.db.session() as session:
        for email, code in (("ba.dinh@xa.example.vn", "00004"), ("ngoc.ha@xa.example.vn", "00008")):
            add_user(session, email=email, name=f"Cán bộ {code}", role="commune", province=None,
                     now=site.clock.now(), commune=code)
    for email in ("ba.dinh@xa.example.vn", "ngoc.ha@xa.example.vn"):
        set_password(site.db, site.clock, email, PASSWORD)
    _work(site)
    parts = PartTracker(site.db, site.clock)
    delegate(site.db, site.clock, OWN, KEY, ["00004"], date(2026, 3, 2), "Báo cáo số cơ sở")
    for trigger, who, note in (("start", "ba.dinh@xa.example.vn", None), ("submit", "ba.dinh@xa.example.vn", None),
                               ("accept", OWN, "Đủ số liệu")):
        site.clock.advance(minutes=1)
        parts.fire(f"{KEY}/00004", trigger, who, note=note, progress=100 if trigger == "submit" else None)
    ba_dinh = site.client("ba.dinh@xa.example.vn")
    assert COUNT.findall(ba_dinh.get("/commune").text) == ["1"]
    page = ba_dinh.get("/changes")
    assert re.findall(r'<tr data-change="(\w+)" data-part-change', page.text) == ["accept"]
    assert "Đủ số liệu" in page.text and TITLE in page.text and 'href="/parts/' in page.text
    assert 'href="/tasks/' not in page.text and "Bổ sung danh sách cơ sở" not in page.text and KEY not in page.text
    # The province officer sees the commune's submission beside the Department's work.
    assert re.findall(r'<tr data-change="(\w+)"', site.client("own").get("/changes").text)[0] == "submit"
    near = site.client("ngoc.ha@xa.example.vn")
    assert COUNT.findall(near.get("/commune").text) == ["0"] and "Không có thay đổi nào." in near.get("/changes").text
