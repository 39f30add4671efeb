"""Extension requests in the web pages: a province asks on the task page, the Department decides there or on Rà soát."""
from __future__ import annotations

import re
from datetime import date

from tests.web.http_support import form_of

KEY = "20/CT-BCT:2:ha-noi"


def post(client, task_id: int, path: str, **fields: str):
    token, version = form_of(client, task_id)
    return client.post(f"/tasks/{task_id}/{path}", data={"csrf_token": token, "version": version, **fields})


def due_on(site, task_id: int) -> date:
    with site.db.session() as session:
        from dtrack.persistence.models import Task

        return session.get(Task, task_id).due_on


def pending_id(page: str) -> int:
    return int(re.search(r'data-request="(\d+)" data-status="pending"', page).group(1))


def test_ask_then_grant_another_date_on_the_task_page(site):
    own, overseer = site.client("own"), site.client("overseer")
    task_id = site.task_id(KEY)
    page = own.get(f"/tasks/{task_id}").text
    assert 'data-form="request-extension"' in page and 'data-form="extend"' not in page
    before = site.fingerprint()
    bad = post(own, task_id, "request-extension", to="30/02/2027", reason="Chờ số liệu <b>xã</b>")
    assert bad.status_code == 422 and '<p class="field-error" data-field="to">' in bad.text
    assert "Chờ số liệu &lt;b&gt;xã&lt;/b&gt;" in bad.text and "<b>xã</b>" not in bad.text  # kept, escaped
    empty = post(own, task_id, "request-extension", to="31/12/2027", reason="  ")
    assert empty.status_code == 422 and '<p class="field-error" data-field="reason">' in empty.text
    assert site.fingerprint() == before
    old_due = due_on(site, task_id)
    answer = post(own, task_id, "request-extension", to="31/12/2027", reason="Chờ số liệu của các xã")
    assert answer.status_code == 303
    page = own.get(answer.headers["location"]).text
    assert "Đã gửi đề nghị gia hạn" in page and 'data-form="request-extension"' not in page  # one pending at a time
    assert "Chờ quyết định" in page and "31/12/2027" in page
    assert 'data-form="grant"' not in page  # the province cannot decide
    review = overseer.get("/review").text
    assert f'data-task="{KEY}"' in review.split('class="requests"')[1] and "Chờ số liệu của các xã" in review
    request_id = pending_id(overseer.get(f"/tasks/{task_id}").text)
    granted = post(overseer, task_id, f"extension-requests/{request_id}/grant", to="30/09/2027", note="Đến quý III")
    assert granted.status_code == 303
    assert due_on(site, task_id) == date(2027, 9, 30) != old_due
    page = overseer.get(f"/tasks/{task_id}").text
    history = page.split('class="cards history"')[1]
    assert "đề nghị gia hạn" in history and "đồng ý gia hạn" in history and "gia hạn" in history
    assert 'data-status="granted"' in page and "30/09/2027" in page
    assert "Không có đề nghị gia hạn nào đang chờ." in overseer.get("/review").text


def test_refuse_on_the_task_page_and_grant_from_the_review_page(site):
    own, overseer = site.client("own"), site.client("overseer")
    task_id = site.task_id(KEY)
    post(own, task_id, "request-extension", to="31/12/2027", reason="Lần một")
    request_id = pending_id(own.get(f"/tasks/{task_id}").text)
    before = site.fingerprint()
    no_reason = post(overseer, task_id, f"extension-requests/{request_id}/refuse", reason="")
    assert no_reason.status_code == 422 and '<p class="field-error" data-field="reason">' in no_reason.text
    assert site.fingerprint() == before
    assert post(overseer, task_id, f"extension-requests/{request_id}/refuse",
                reason="Không đủ căn cứ").status_code == 303
    again = post(overseer, task_id, f"extension-requests/{request_id}/grant")
    assert again.status_code == 422 and f"đề nghị gia hạn {request_id} đã được quyết định (không đồng ý)" in again.text
    page = own.get(f"/tasks/{task_id}").text
    assert 'data-status="refused"' in page and "Không đủ căn cứ" in page
    post(own, task_id, "request-extension", to="31/12/2027", reason="Lần hai")
    second = pending_id(own.get(f"/tasks/{task_id}").text)
    token = re.search(r'name="csrf_token" value="([^"]+)"', overseer.get("/review").text).group(1)
    answer = overseer.post(f"/tasks/{task_id}/extension-requests/{second}/grant",
                           data={"csrf_token": token, "back": "review"})
    assert answer.status_code == 303 and answer.headers["location"] == "/review?flash=granted"
    assert due_on(site, task_id) == date(2027, 12, 31)


def test_a_completed_tasks_deadline_cannot_be_extended_in_the_page(site):
    own, overseer = site.client("own"), site.client("overseer")
    task_id = site.task_id(KEY)
    for client, trigger in ((own, "start"), (own, "submit"), (overseer, "accept")):
        assert post(client, task_id, f"actions/{trigger}", progress="100", note="Đã xong").status_code == 303
    page = overseer.get(f"/tasks/{task_id}").text
    assert 'data-form="extend"' not in page
    assert 'data-form="request-extension"' not in own.get(f"/tasks/{task_id}").text
    before = site.fingerprint()
    answer = post(overseer, task_id, "extend", to="31/12/2027", reason="Sau khi xong")
    assert answer.status_code == 422
    assert '<p class="field-error" data-field="to">' in answer.text and "không thể gia hạn" in answer.text
    asked = post(own, task_id, "request-extension", to="31/12/2027", reason="Sau khi xong")
    assert asked.status_code == 422 and "không thể gia hạn" in asked.text
    assert site.fingerprint() == before


def test_other_provinces_and_the_department_cannot_ask(site):
    task_id = site.task_id(KEY)
    before = site.fingerprint()
    for who in ("other", "overseer", "admin"):
        client = site.client(who)
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/indicators").text).group(1)
        answer = client.post(f"/tasks/{task_id}/request-extension",
                             data={"csrf_token": token, "to": "31/12/2027", "reason": "Xin thêm"})
        # Another province's task is answered as a missing one; the Department sees it but may not ask.
        assert answer.status_code == (404 if who == "other" else 403), who
    assert site.fingerprint() == before
