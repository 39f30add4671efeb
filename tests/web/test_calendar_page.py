"""The working calendar's admin page: declare a day off after seeing what it moves; extensions off days off."""
from __future__ import annotations

from datetime import date

from dtrack.persistence.models import Task
from tests.web.http_support import csrf_of, form_of

KEY = "20/CT-BCT:2:ha-noi"


def due_on(site, task_id: int) -> date:
    with site.db.session() as session:
        return session.get(Task, task_id).due_on


def test_an_extension_to_a_holiday_says_which_working_day_it_gave(site):
    overseer = site.client("overseer")
    task_id = site.task_id(KEY)
    token, version = form_of(overseer, task_id)
    answer = overseer.post(f"/tasks/{task_id}/extend",
                           data={"csrf_token": token, "version": version, "to": "30/04/2027", "reason": "Chờ vốn"})
    assert answer.status_code == 303
    page = overseer.get(answer.headers["location"]).text
    assert "Đã gia hạn. 30/04/2027 là ngày nghỉ, hạn là 04/05/2027." in page
    assert due_on(site, task_id) == date(2027, 5, 4)
    # The days in a flash come from the query as dates only: nothing else a link carries reaches the page.
    forged = overseer.get(f"/tasks/{task_id}?flash=extended_day_off&asked=<b>x</b>&due=2027-05-04").text
    assert "<b>x</b>" not in forged and "là ngày nghỉ" not in forged


def test_the_admin_sees_what_a_day_off_moves_then_declares_it(site):
    overseer, admin = site.client("overseer"), site.client("admin")
    task_id = site.task_id(KEY)
    token, version = form_of(overseer, task_id)
    overseer.post(f"/tasks/{task_id}/extend",
                  data={"csrf_token": token, "version": version, "to": "04/05/2027", "reason": "Chờ vốn"})
    page = admin.get("/admin/calendar")
    assert page.status_code == 200 and "Lịch làm việc: ngày nghỉ và ngày làm bù" in page.text
    assert 'type="date"' in page.text and "Chưa khai báo ngày nào." in page.text
    token = csrf_of(admin, "/admin/calendar")
    before = site.fingerprint()
    shown = admin.post("/admin/calendar/preview", data={"csrf_token": token, "day": "2027-05-04", "kind": "off",
                                                         "note": "Nghỉ bù <i>Tết</i>"})
    assert shown.status_code == 200
    assert "Nếu khai báo 04/05/2027 là ngày nghỉ:" in shown.text and "1 hạn nhiệm vụ đang mở sẽ dời." in shown.text
    assert f'data-task="{KEY}"' in shown.text and "05/05/2027" in shown.text
    assert "Nghỉ bù &lt;i&gt;Tết&lt;/i&gt;" in shown.text  # kept for the confirmation, escaped
    assert site.fingerprint() == before

    done = admin.post("/admin/calendar/apply", data={"csrf_token": token, "day": "2027-05-04", "kind": "off",
                                                      "note": "Nghỉ bù <i>Tết</i>"})
    assert done.status_code == 303
    listed = admin.get(done.headers["location"]).text
    assert "Đã khai báo ngày; các hạn liên quan đã được dời" in listed
    assert 'data-day="2027-05-04"' in listed and "Nghỉ bù &lt;i&gt;Tết&lt;/i&gt;" in listed
    assert due_on(site, task_id) == date(2027, 5, 5)
    history = overseer.get(f"/tasks/{task_id}").text.split('class="cards history"')[1]
    assert "Nghỉ bù &lt;i&gt;Tết&lt;/i&gt;" in history


def test_bad_input_is_said_beside_its_field_in_vietnamese_and_changes_nothing(site):
    admin = site.client("admin")
    token = csrf_of(admin, "/admin/calendar")
    before = site.fingerprint()
    for fields, field, words in (
            ({"day": "31/02/2027", "kind": "off", "note": "x"}, "day", ""),
            ({"day": "2027-03-13", "kind": "off", "note": "Thứ Bảy"}, "day", "đã là ngày nghỉ"),
            ({"day": "2027-03-10", "kind": "off", "note": "  "}, "note", "cần ghi lý do")):
        for step in ("preview", "apply"):  # refused at the preview already, not only once confirmed
            answer = admin.post(f"/admin/calendar/{step}", data={"csrf_token": token, **fields})
            assert answer.status_code == 422, answer.text[:300]
            error = answer.text.split(f'<p class="field-error" data-field="{field}">')[1].split("</p>")[0]
            assert words in error and "--" not in error and "calendar_day" not in error
    assert site.fingerprint() == before


def test_only_administrators_reach_the_calendar(site):
    for who in ("overseer", "own"):
        client = site.client(who)
        assert client.get("/admin/calendar").status_code == 403
        token = csrf_of(client, "/account")
        refused = client.post("/admin/calendar/apply",
                              data={"csrf_token": token, "day": "2027-03-10", "kind": "off", "note": "Nghỉ"})
        assert refused.status_code == 403
    assert 'href="/admin/calendar"' in site.client("admin").get("/admin/users").text
    assert 'href="/admin/calendar"' not in site.client("overseer").get("/review").text
