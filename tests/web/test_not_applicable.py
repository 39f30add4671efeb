"""The task page's "not applicable" form, and the Department's own task in the overseers' pages (issue 11)."""
from __future__ import annotations

from tests.web.http_support import count, form_of

KEY = "20/CT-BCT:2:ha-noi"
DEPARTMENT_KEY = "20/CT-BCT:10:cuc"
REASON = "Hà Nội không có đề án <b>đan lát</b>"


def test_an_overseer_marks_a_task_not_applicable_and_undoes_it(site):
    client = site.client("overseer")
    task_id = site.task_id(KEY)
    token, version = form_of(client, task_id)
    assert 'data-form="not-applicable"' in client.get(f"/tasks/{task_id}").text

    missing = client.post(f"/tasks/{task_id}/not-applicable", data={"csrf_token": token, "version": version,
                                                                     "reason": "  "})
    assert missing.status_code == 422 and 'class="field-error" data-field="reason"' in missing.text
    assert count(site, "events", "trigger = 'exempt'") == 0

    answer = client.post(f"/tasks/{task_id}/not-applicable", data={"csrf_token": token, "version": version,
                                                                    "reason": REASON})
    assert answer.status_code == 303
    page = client.get(f"/tasks/{task_id}").text
    assert 'data-not-applicable="1"' in page
    assert "Không áp dụng: Hà Nội không có đề án &lt;b&gt;đan lát&lt;/b&gt;" in page
    assert REASON not in page  # escaped
    assert count(site, "events", "trigger = 'exempt' AND note = :note", note=REASON) == 1
    # The province's own page shows it as such.
    own = site.client("own").get("/province").text
    assert "Không áp dụng" in own

    token, version = form_of(client, task_id)
    answer = client.post(f"/tasks/{task_id}/applicable", data={"csrf_token": token, "version": version, "reason": ""})
    assert answer.status_code == 303
    assert 'data-form="not-applicable"' in client.get(f"/tasks/{task_id}").text
    assert count(site, "events", "trigger = 'restore'") == 1
    assert site.scalar("SELECT count(*) FROM tasks WHERE not_applicable_since IS NOT NULL") == 0


def test_a_province_officer_is_refused_and_nothing_changes(site):
    client = site.client("own")
    task_id = site.task_id(KEY)
    token, version = form_of(client, task_id)
    assert 'data-form="not-applicable"' not in client.get(f"/tasks/{task_id}").text
    before = site.fingerprint()
    answer = client.post(f"/tasks/{task_id}/not-applicable", data={"csrf_token": token, "version": version,
                                                                    "reason": "Tỉnh tự miễn"})
    assert answer.status_code == 403
    assert site.fingerprint() == before and count(site, "events", "trigger = 'exempt'") == 0


def test_the_departments_task_is_on_the_overseers_page_and_hidden_from_provinces(site):
    overseer = site.client("overseer")
    home = overseer.get("/province").text
    assert 'data-section="department"' in home and f'data-task="{DEPARTMENT_KEY}"' in home
    hanoi = site.client("own").get("/province").text
    assert "20/CT-BCT · 10" not in hanoi and 'data-section="department"' not in hanoi
    department_id = site.task_id(DEPARTMENT_KEY)
    assert overseer.get(f"/tasks/{department_id}").status_code == 200
    assert site.client("own").get(f"/tasks/{department_id}").status_code == 404  # hidden: as a missing task
