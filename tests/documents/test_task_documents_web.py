"""A document's number recorded from the task page ("Ghi số văn bản", issue 23), over HTTP on both back-ends.

The form is offered to those `record_for` lets record (the task's province officers, overseers, admins)
and filled as they most often need it; a mistake comes back beside its field in Vietnamese, the typed
values kept and nothing written; another province's task stays unknown; the token and the escaping hold.
"""
from __future__ import annotations

import html
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dtrack.documents.task_documents import check_number
from dtrack.errors import DtrackError, InvalidInput
from tests.web.http_support import csrf_of
from tests.web.words_check import faults

KEY = "20/CT-BCT:2:ha-noi"
FORM = re.compile(r'<form method="post" action="/tasks/\d+/documents".*?</form>', re.DOTALL)


def _documents(site) -> int:
    return site.scalar("SELECT count(*) FROM task_documents")


def _fields(token: str, **given: str) -> dict[str, str]:
    return {"csrf_token": token, "number": "123/BC-SCT", "issued_on": "2026-01-02",
            "issuer": "Sở Công Thương thành phố Hà Nội", "summary": "V/v báo cáo tiến độ", "direction": "in", **given}


def _form(page: str) -> str:
    found = FORM.search(page)
    assert found, "no document form on the page"
    return found.group(0)


def test_an_officer_records_a_number_and_the_page_lists_it(site):
    task_id = site.task_id(KEY)
    own = site.client("own")
    page = own.get(f"/tasks/{task_id}").text
    form = _form(page)
    assert "<summary>Ghi số văn bản</summary>" in page and 'id="record-document">' in page  # collapsed
    assert 'value="Sở Công Thương thành phố Hà Nội"' in form  # the officer's Department, as the CLI example reads
    assert '<option value="in" selected>Tỉnh gửi Bộ</option>' in form and 'type="date"' in form
    token = csrf_of(own, f"/tasks/{task_id}")
    done = own.post(f"/tasks/{task_id}/documents", data=_fields(token, number="Số: 123/BC-SCT"))
    assert done.status_code == 303 and done.headers["location"].startswith(f"/tasks/{task_id}?flash=document_recorded")
    # The date as Vietnamese readers write it is taken too (a browser without a date picker sends it so).
    own.post(f"/tasks/{task_id}/documents", data=_fields(token, number="45/UBND-KT", issued_on="01/12/2025",
                                                         issuer="Ủy ban nhân dân thành phố Hà Nội", summary=""))
    shown = own.get(done.headers["location"]).text
    assert "Đã ghi số văn bản vào nhiệm vụ." in shown
    assert 'data-document="123/BC-SCT"' in shown and "Số 123/BC-SCT ngày 02/01/2026" in shown
    assert "Số 45/UBND-KT ngày 01/12/2025 – Ủy ban nhân dân thành phố Hà Nội" in shown
    assert shown.index("45/UBND-KT") < shown.index("123/BC-SCT")  # oldest first
    assert "V/v báo cáo tiến độ" in shown and "(Tỉnh gửi Bộ)" in shown
    officer_id = site.scalar("SELECT id FROM users WHERE email = :e", e=site.emails["own"])
    assert site.scalar("SELECT recorded_by FROM task_documents WHERE number = '123/BC-SCT'") == officer_id
    # Each number is a line of the task's audit trail too, by whom, the state left as it was.
    assert site.scalar("SELECT count(*) FROM events WHERE task_id = :t AND trigger = 'record_document' "
                       "AND actor_id = :a AND from_state = to_state AND note IN ('123/BC-SCT', '45/UBND-KT')",
                       t=task_id, a=officer_id) == 2
    assert '<tr data-trigger="record_document">' in shown and "ghi số văn bản" in shown
    assert not faults(shown)


def test_an_overseer_starts_from_the_overseeing_body_and_a_letter_sent(site):
    task_id = site.task_id(KEY)
    overseer = site.client("overseer")
    form = _form(overseer.get(f"/tasks/{task_id}").text)
    assert 'value="Cục Đổi mới sáng tạo' in form and '<option value="out" selected>Bộ gửi tỉnh</option>' in form
    token = csrf_of(overseer, f"/tasks/{task_id}")
    done = overseer.post(f"/tasks/{task_id}/documents",
                         data=_fields(token, number="12/KC", issuer="Cục Đổi mới sáng tạo", direction="out"))
    assert done.status_code == 303
    assert site.scalar("SELECT direction FROM task_documents WHERE number = '12/KC'") == "out"
    assert "(Bộ gửi tỉnh)" in overseer.get(f"/tasks/{task_id}").text
    admin = site.client("admin")
    assert 'data-form="document"' in admin.get(f"/tasks/{task_id}").text


@pytest.mark.parametrize(("field", "typed", "said"), [
    ("number", "abc", "'abc' không phải là số văn bản (ví dụ 123/BC-SCT)"),
    ("number", "báo cáo tháng", "'báo cáo tháng' không phải là số văn bản"),
    ("number", "  ", "cần ghi số văn bản (ví dụ 123/BC-SCT)"),
    ("issued_on", "31/02/2026", "Ngày không hợp lệ; hãy viết theo dạng dd/mm/yyyy"),
    ("issued_on", "", "Ngày không hợp lệ"),
    ("issuer", " ", "cần ghi cơ quan ban hành văn bản"),
    ("issuer", "S" * 201, "Nội dung quá dài (tối đa 200 ký tự)."),
    ("direction", "sideways", "'sideways' không phải là chiều văn bản"),
])
def test_a_mistake_is_said_beside_its_field_and_nothing_is_written(site, field, typed, said):
    task_id = site.task_id(KEY)
    own = site.client("own")
    token = csrf_of(own, f"/tasks/{task_id}")
    before = site.fingerprint()
    sent = _fields(token, summary="V/v <giữ nguyên>", **{field: typed})
    refused = own.post(f"/tasks/{task_id}/documents", data=sent)
    assert refused.status_code == 422
    assert site.fingerprint() == before and _documents(site) == 0
    beside = re.search(rf'<p class="field-error" data-field="{field}">(.*?)</p>', refused.text, re.DOTALL)
    assert beside, refused.text[:2000]
    assert said in html.unescape(beside.group(1))
    form = _form(refused.text)
    assert 'id="record-document" open>' in refused.text  # open again, on the typed values
    assert 'value="V/v &lt;giữ nguyên&gt;"' in form
    if field in ("number", "issuer") and typed.strip():
        assert f'value="{html.escape(typed)}"' in form
    if field == "issued_on" and typed:
        assert 'type="text"' in form and 'value="31/02/2026"' in form  # shown as typed, not lost by the picker
    assert not faults(refused.text), faults(refused.text)
    assert "--number" not in refused.text and "--date" not in refused.text


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=st.one_of(st.text(max_size=30), st.from_regex(r"\A\d{1,6}/[A-ZĐ]{1,4}-[A-Z]{1,4}\Z")))
def test_whatever_is_typed_as_the_number_is_recorded_as_the_core_reads_it_or_refused_beside(site, typed):
    typed = typed.replace("\x00", "")  # NUL never comes from typing: the edge answers 400 (tests/web)
    task_id = site.task_id(KEY)
    own = site.client("own")
    token = csrf_of(own, f"/tasks/{task_id}")
    before = _documents(site)
    answer = own.post(f"/tasks/{task_id}/documents", data=_fields(token, number=typed))
    try:
        expected = check_number(typed)
    except InvalidInput:
        assert answer.status_code == 422 and 'data-field="number"' in answer.text
        assert _documents(site) == before
        return
    assert answer.status_code == 303
    assert site.scalar("SELECT number FROM task_documents ORDER BY id DESC LIMIT 1") == expected


def test_another_provinces_officer_learns_nothing_and_records_nothing(site):
    task_id = site.task_id(KEY)
    other = site.client("other")
    assert other.get(f"/tasks/{task_id}").status_code == 404
    own_task = site.task_id("20/CT-BCT:2:hue")
    assert 'data-form="document"' in other.get(f"/tasks/{own_task}").text  # their own task: the form
    before = site.fingerprint()
    refused = other.post(f"/tasks/{task_id}/documents", data=_fields(csrf_of(other, "/province")))
    assert refused.status_code == 404 and site.fingerprint() == before
    wrong_too = other.post(f"/tasks/{task_id}/documents", data=_fields(csrf_of(other, "/province"), number="abc"))
    assert wrong_too.status_code == 404 and "abc" not in wrong_too.text  # the form of a task they cannot see: none


def test_a_post_without_the_sessions_token_is_refused(site):
    task_id = site.task_id(KEY)
    own = site.client("own")
    before = site.fingerprint()
    for token in ("", "not-the-token", csrf_of(site.client("overseer"), "/review")):
        refused = own.post(f"/tasks/{task_id}/documents", data=_fields(token))
        assert refused.status_code == 403 and not faults(refused.text)
    anonymous = site.anonymous().post(f"/tasks/{task_id}/documents", data=_fields("x"))
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    assert site.fingerprint() == before and _documents(site) == 0


def test_what_users_typed_is_shown_as_text(site):
    task_id = site.task_id(KEY)
    own = site.client("own")
    token = csrf_of(own, f"/tasks/{task_id}")
    issuer = '<script>alert("sở")</script> Sở "Công Thương" & Co'
    summary = "<img src=x onerror=alert(1)> V/v báo cáo"
    assert own.post(f"/tasks/{task_id}/documents", data=_fields(token, issuer=issuer, summary=summary)).status_code \
        == 303
    page = own.get(f"/tasks/{task_id}").text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert html.escape(issuer, quote=False) in page or "&lt;script&gt;alert(&#34;sở&#34;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt; V/v báo cáo" in page
    refused = own.post(f"/tasks/{task_id}/documents", data=_fields(token, number="abc", issuer=issuer))
    assert refused.status_code == 422 and "<script>alert" not in refused.text


def test_the_form_is_offered_exactly_to_those_the_core_lets_record(site):
    """`may_record` (the page's question) and `record_for` (the write) agree for every kind of user and task."""
    from datetime import date

    from dtrack.accounts.admin import disable_user
    from dtrack.documents.task_documents import may_record, record_for
    from dtrack.persistence.models import Task
    from dtrack.workflow.users import add_user, find_user

    with site.db.session() as session:
        add_user(session, email="xa@bađinh.example.vn", name="Cán bộ xã", role="commune", province=None,
                 now=site.clock.now(), commune="00004")
        add_user(session, email="nghi@soct.hanoi.example.vn", name="Đã nghỉ", role="province", province="ha-noi",
                 now=site.clock.now())
    disable_user(site.db, site.clock, "nghi@soct.hanoi.example.vn")
    emails = [*site.emails.values(), "xa@bađinh.example.vn", "nghi@soct.hanoi.example.vn"]
    seen = set()
    for key in (KEY, "20/CT-BCT:2:hue"):
        for email in emails:
            with site.db.session() as session:
                user, task = find_user(session, email), session.get(Task, site.task_id(key))
                offered = may_record(user, task)
                try:
                    record_for(session, user, key, "1/BC-SCT", date(2026, 1, 2), "Sở Công Thương", "", "in",
                               site.clock.now())
                    recorded = True
                except DtrackError:  # any refusal of the core
                    recorded = False
                session.rollback()
            assert offered == recorded, (email, key)
            seen.add(offered)
    assert seen == {True, False}
