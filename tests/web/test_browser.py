"""The daily work in real Chromium against `dtrack serve` as a process, on both back-ends.

A province officer (Hà Nội) and the Department's overseer take one task
through start, update, submit, send-back, resubmit and accept; the status
matrix shows it completed. A province officer cannot open another
province's task; logout ends the server-side session and the back button
shows no data. Every check of state reads the database the server wrote.
Screenshots of the main pages: test-output/screenshots/<backend>/ (see
browser_support).
"""
from __future__ import annotations

import re

import pytest

from tests.web.browser_support import OFFICER, OTHER_OFFICER, OVERSEER, Account

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips (laptop) or fails (CI) with the reason
    expect = None

pytestmark = pytest.mark.slow

TASK_PREFIX = "20/CT-BCT:2:"  # Directive 20's task group 2: the one the scenario takes through its life
UPDATE_NOTE = "Đã khảo sát 12/20 cụm công nghiệp; còn Sóc Sơn, Ba Vì."
EVIDENCE = "Báo cáo số 125/BC-SCT ngày 01/12/2026 (bản scan kèm biên bản)"
SEND_BACK_NOTE = "Thiếu biên bản nghiệm thu của Ba Vì; đề nghị bổ sung trước 15/12."
RESUBMIT_EVIDENCE = "Bổ sung biên bản nghiệm thu Ba Vì số 07/BB-NT"


def login(page, account: Account) -> None:
    page.goto("/login")
    expect(page.locator('main[data-page="login"]')).to_be_visible()
    form = page.locator("form").filter(has=page.locator('input[name="password"]'))
    form.locator('input[name="email"]').fill(account.email)
    form.locator('input[name="password"]').fill(account.password)
    with page.expect_navigation():
        form.locator('input[name="password"]').press("Enter")
    assert "/login" not in page.url, f"login as {account.email} failed: {page.url}\n{page.inner_text('main')}"


def set_field(form, name: str, value: str) -> None:
    field = form.locator(f'[name="{name}"]')
    expect(field).to_have_count(1)
    kind = field.evaluate("el => el.tagName.toLowerCase() + ':' + (el.type || '')")
    if kind.startswith("select"):
        field.select_option(value)
    elif kind == "input:range":
        field.evaluate("(el, v) => { el.value = v; el.dispatchEvent(new Event('change')); }", value)
    else:
        field.fill(value)


def act(page, trigger: str, **fields: str) -> None:
    """Fill the form that holds `<button data-action=TRIGGER>` and press it (POST, 303, GET)."""
    button = page.locator(f'button[data-action="{trigger}"]')
    expect(button).to_have_count(1)
    form = page.locator("form").filter(has=button)
    for name, value in fields.items():
        set_field(form, name, value)
    with page.expect_navigation():
        button.click()
    errors = page.locator(".field-error, .conflict")
    assert errors.count() == 0, f"{trigger} was refused: {errors.all_inner_texts()}"
    expect(page.locator('main[data-page="task"]')).to_be_visible()


def history_text(page) -> str:
    history = page.locator("table.history")
    expect(history).to_be_visible()
    return history.inner_text()


def open_task(page, task_id: int) -> None:
    response = page.goto(f"/tasks/{task_id}")
    assert response is not None and response.status == 200, response and response.status
    expect(page.locator('main[data-page="task"]')).to_be_visible()


def test_officer_and_overseer_take_a_task_to_completed(web_site, new_page, screens):
    site = web_site
    task_id = site.task_id(TASK_PREFIX, "ha-noi")
    key = site.task(task_id).key
    officer = new_page("officer")
    overseer = new_page("overseer")
    with screens.on_failure():
        # The officer lands on "Việc của tỉnh", which lists the task.
        login(officer, OFFICER)
        expect(officer.locator('main[data-page="province-home"]')).to_be_visible()
        link = officer.locator(f'main a[href="/tasks/{task_id}"]').first
        expect(link).to_be_visible()
        screens.shot(officer, "province-home")
        with officer.expect_navigation():
            link.click()
        expect(officer.locator('main[data-page="task"]')).to_be_visible()
        screens.shot(officer, "task")

        act(officer, "start")
        assert site.task(task_id).state == "in_progress"
        act(officer, "update", progress="60", note=UPDATE_NOTE)
        after_update = site.task(task_id)
        assert (after_update.state, after_update.progress) == ("in_progress", 60)
        assert UPDATE_NOTE in history_text(officer)
        act(officer, "submit", evidence=EVIDENCE)
        assert site.task(task_id).state == "submitted"
        assert EVIDENCE in officer.locator("main").inner_text()
        screens.shot(officer, "task-submitted")

        # The overseer lands on the dashboard, opens the review queue and finds it there.
        login(overseer, OVERSEER)
        expect(overseer.locator('main[data-page="dashboard"]')).to_be_visible()
        overseer.goto("/review")
        expect(overseer.locator('main[data-page="review"]')).to_be_visible()
        row = overseer.locator(f'tr[data-task="{key}"]')
        expect(row).to_have_count(1)
        screens.shot(overseer, "review")
        with overseer.expect_navigation():
            row.locator(f'a[href="/tasks/{task_id}"]').first.click()
        expect(overseer.locator('main[data-page="task"]')).to_be_visible()
        assert EVIDENCE in overseer.locator("main").inner_text()
        act(overseer, "send-back", note=SEND_BACK_NOTE)
        assert site.task(task_id).state == "returned"

        # The officer reads the send-back note in the history and resubmits.
        open_task(officer, task_id)
        assert SEND_BACK_NOTE in history_text(officer)
        act(officer, "submit", evidence=RESUBMIT_EVIDENCE)
        assert site.task(task_id).state == "submitted"

        # The overseer accepts; the queue no longer holds it; the matrix shows it completed.
        overseer.goto("/review")
        row = overseer.locator(f'tr[data-task="{key}"]')
        expect(row).to_have_count(1)
        with overseer.expect_navigation():
            row.locator(f'a[href="/tasks/{task_id}"]').first.click()
        act(overseer, "accept")
        done = site.task(task_id)
        assert done.state == "completed"
        # start, update, submit, send-back, submit, accept: one audit row each.
        assert done.events == 6
        overseer.goto("/review")
        expect(overseer.locator('main[data-page="review"]')).to_be_visible()
        expect(overseer.locator(f'tr[data-task="{key}"]')).to_have_count(0)

        response = overseer.goto("/status")
        assert response is not None and response.status == 200
        expect(overseer.locator('main[data-page="status"]')).to_be_visible()
        cell = overseer.locator(f'a[data-task="{key}"]')
        expect(cell).to_have_count(1)
        expect(cell).to_have_attribute("data-state", "completed")
        expect(cell).to_have_attribute("href", re.compile(rf"/tasks/{task_id}$"))
        # Another Hà Nội task nobody touched is still not started.
        other_key = site.task(site.task_id("20/CT-BCT:1:", "ha-noi")).key
        expect(overseer.locator(f'a[data-task="{other_key}"]')).to_have_attribute("data-state", "not_started")
        screens.shot(overseer, "status")

        # The history, as the officer sees it now, names every step with its notes.
        open_task(officer, task_id)
        history = history_text(officer)
        for text in (UPDATE_NOTE, SEND_BACK_NOTE):
            assert text in history
        assert OVERSEER.name in history and OFFICER.name in history


def test_officer_cannot_open_another_provinces_task(web_site, new_page, screens):
    site = web_site
    foreign = site.task_id("20/CT-BCT:3:", "hue")
    before = site.task(foreign)
    officer = new_page("officer")
    with screens.on_failure():
        login(officer, OFFICER)
        response = officer.goto(f"/tasks/{foreign}")
        assert response is not None and response.status in (403, 404), response and response.status
        expect(officer.locator('main[data-page="task"]')).to_have_count(0)
        expect(officer.locator(f'form[action^="/tasks/{foreign}"]')).to_have_count(0)  # no action on it offered
        assert before.key not in officer.content()
        screens.shot(officer, "refused")
        # Nor may they act on it: the refusal is the core's, whatever the form carries.
        response = officer.goto(f"/province?province={OTHER_OFFICER.province}")
        assert response is not None
        if response.status == 200:  # the page may show the officer's own province instead of refusing
            expect(officer.locator(f'a[href="/tasks/{foreign}"]')).to_have_count(0)
        else:
            assert response.status in (403, 404)
        assert site.task(foreign) == before


def test_logout_ends_the_session_and_back_shows_no_data(web_site, new_page, screens, chromium):
    site = web_site
    task_id = site.task_id("20/CT-BCT:4:", "ha-noi")
    officer = new_page("officer")
    with screens.on_failure():
        login(officer, OFFICER)
        response = officer.goto(f"/tasks/{task_id}")
        assert response is not None and response.status == 200
        assert "no-store" in response.headers.get("cache-control", "")
        expect(officer.locator('main[data-page="task"]')).to_be_visible()
        task_url = officer.url
        stolen = officer.context.cookies()
        assert any(c["name"] == "dtrack_session" and c["httpOnly"] for c in stolen), stolen

        logout = officer.locator('form[action="/logout"]').locator("button, input[type=submit]").first
        with officer.expect_navigation():
            logout.click()
        expect(officer.locator('main[data-page="login"]')).to_be_visible()
        assert "/login" in officer.url

        # Back: the browser may not show the cached task page (no-store), the server sends the login page.
        officer.go_back()
        officer.wait_for_load_state()
        expect(officer.locator('main[data-page="task"]')).to_have_count(0)
        assert site.task(task_id).key not in officer.content()
        screens.shot(officer, "after-logout-back")
        officer.goto(task_url)
        officer.reload()
        expect(officer.locator('main[data-page="login"]')).to_be_visible()
        assert "/login" in officer.url

        # The old cookie is dead on the server too: replayed in a fresh context it opens nothing.
        replay = chromium.new_context(base_url=site.base_url)
        try:
            replay.add_cookies(stolen)
            page = replay.new_page()
            page.goto(f"/tasks/{task_id}")
            expect(page.locator('main[data-page="login"]')).to_be_visible()
            expect(page.locator('main[data-page="task"]')).to_have_count(0)
        finally:
            replay.close()
