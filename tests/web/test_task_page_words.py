"""The task page (issue 26): what the task requires first, one primary action, an empty update writes nothing,
the typed values survive a conflict, the history newest first."""
from __future__ import annotations

import re

from tests.web.http_support import count, form_of
from tests.web.words_check import faults, messages

KEY = "20/CT-BCT:2:ha-noi"
SUMMARY_START = "Xây dựng"  # group 2's title; its summary is shown under it


def _started(site) -> tuple[object, int]:
    own = site.client("own")
    task_id = site.task_id(KEY)
    token, version = form_of(own, task_id)
    started = own.post(f"/tasks/{task_id}/actions/start", data={"csrf_token": token, "version": version})
    assert started.status_code == 303
    return own, task_id


def test_the_page_opens_with_what_the_task_requires_and_one_primary_action(site):
    own, task_id = _started(site)
    page = own.get(f"/tasks/{task_id}").text
    with site.db.session() as session:
        from dtrack.workflow.tasks import find_task

        summary = find_task(session, KEY)[0].group.summary_vi
    assert summary and summary in page.split('class="actions"')[0]  # above the actions
    assert re.search(r"<title>[^<]*Xây dựng, phê duyệt", page) and f"<title>{KEY}" not in page
    primary = re.findall(r'data-action="([^"]+)" class="primary"', page)
    assert primary == ["submit"]  # in progress: the step forward is submitting; updating is secondary
    assert 'data-action="update" class="secondary"' in page


def test_an_empty_progress_update_writes_nothing_and_says_so(site):
    own, task_id = _started(site)
    token, version = form_of(own, task_id)
    events = count(site, "events")
    before = site.fingerprint()
    answer = own.post(f"/tasks/{task_id}/actions/update",
                      data={"csrf_token": token, "version": version, "progress": "0", "note": " ", "evidence": ""})
    assert answer.status_code == 422
    assert any("không có gì để cập nhật" in message for message in messages(answer.text))
    assert count(site, "events") == events and site.fingerprint() == before


def test_after_a_conflict_the_typed_values_are_kept(site):
    own, task_id = _started(site)
    token, stale = form_of(own, task_id)
    fresh = form_of(own, task_id)[1]
    assert own.post(f"/tasks/{task_id}/actions/update",
                    data={"csrf_token": token, "version": fresh, "progress": "10"}).status_code == 303
    typed = "Đã rà soát 7 cụm công nghiệp; còn Sóc Sơn"
    answer = own.post(f"/tasks/{task_id}/actions/update",
                      data={"csrf_token": token, "version": stale, "progress": "35", "note": typed})
    assert answer.status_code == 409
    form = answer.text.split('data-also="update"')[1].split("</form>")[0]  # updating shares the submit form
    assert typed in form and 'value="35"' in form
    assert f'name="version" value="{site.version(task_id)}"' in form  # the task as it is now: a resend goes through


def test_the_history_is_newest_first(site):
    own, task_id = _started(site)
    token, version = form_of(own, task_id)
    assert own.post(f"/tasks/{task_id}/actions/update",
                    data={"csrf_token": token, "version": version, "progress": "20"}).status_code == 303
    history = own.get(f"/tasks/{task_id}").text.split('class="cards history"')[1]
    assert re.findall(r'<tr data-trigger="([^"]+)"', history)[:2] == ["update", "start"]


def _fire(site, who: str, key: str, trigger: str, **fields: str) -> None:
    client = site.client(who)
    task_id = site.task_id(key)
    token, version = form_of(client, task_id)
    answer = client.post(f"/tasks/{task_id}/actions/{trigger}",
                         data={"csrf_token": token, "version": version, **fields})
    assert answer.status_code == 303, (trigger, messages(answer.text))


def _section(page: str, name: str) -> str:
    return page.split(f'data-section="{name}"')[1].split("</section>")[0]


def test_the_province_home_sorts_returned_blocked_and_completed_tasks_apart(site):
    """Returned with the Department's note; blocked in their own list; "Đang thực hiện" only what is in progress;
    a completed row says whether it was on time."""
    returned, blocked, done, working = (f"20/CT-BCT:{n}:ha-noi" for n in (2, 3, 4, 5))
    for key in (returned, done, working):
        _fire(site, "own", key, "start")
    for key in (returned, done):
        _fire(site, "own", key, "submit", progress="100", evidence="Báo cáo số 12/BC-SCT")
    _fire(site, "overseer", returned, "send-back", note="Thiếu biên bản nghiệm thu của Ba Vì")
    _fire(site, "overseer", done, "accept")
    _fire(site, "own", blocked, "block", note="Chờ phân bổ kinh phí")
    page = site.client("own").get("/province").text
    assert f'data-task="{returned}"' in _section(page, "returned")
    assert "Ý kiến của Cục:</strong> Thiếu biên bản nghiệm thu của Ba Vì" in _section(page, "returned")
    assert f'data-task="{blocked}"' in _section(page, "blocked") and "Chờ phân bổ kinh phí" in _section(page, "blocked")
    in_progress = _section(page, "in_progress")
    assert f'data-task="{working}"' in in_progress
    assert all(f'data-task="{key}"' not in in_progress for key in (returned, blocked, done))
    assert 'data-task="20/CT-BCT:6:ha-noi"' in _section(page, "not_started")
    assert "đúng hạn" in _section(page, "completed")
    assert not faults(page)
