"""In real Chromium against `dtrack serve`, on both back-ends: the province delegates a task to two communes,
a commune officer on a phone (390 px) updates and submits their part, the province accepts it, and the
task's progress (following its parts) moves.

Screenshots (the commune officer's phone views, the province's roll-up) go where the browser tests put
theirs (test-output/screenshots/<backend>/parts_on_a_phone/, or DTRACK_SCREENSHOTS).
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from bench.webserver import run_cli
from dtrack.persistence.models import Task
from dtrack.persistence.part_models import TaskPart
from tests.web.browser_support import OFFICER, Account

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips (laptop) or fails (CI) with the reason
    expect = None

pytestmark = pytest.mark.slow

COMMUNE_OFFICER = Account("can.bo@badinh.hanoi.example.vn", "Trần Thị Ba Đình", "commune", "Mật-khẩu-Ba-Đình-2026")
PHONE = {"width": 390, "height": 844}


def login(page, account: Account) -> None:
    page.goto("/login")
    form = page.locator("form").filter(has=page.locator('input[name="password"]'))
    form.locator('input[name="email"]').fill(account.email)
    form.locator('input[name="password"]').fill(account.password)
    with page.expect_navigation():
        form.locator('input[name="password"]').press("Enter")
    assert "/login" not in page.url, page.inner_text("main")


def press(page, action: str, **fields: str) -> None:
    """Fill the form holding `<button data-action=ACTION>` and send it; no refusal may come back."""
    button = page.locator(f'button[data-action="{action}"]')
    form = page.locator("form").filter(has=button)
    for name, value in fields.items():
        form.locator(f'[name="{name}"]').fill(value)
    with page.expect_navigation():
        button.click()
    errors = page.locator(".field-error, .conflict")
    assert errors.count() == 0, f"{action} was refused: {errors.all_inner_texts()}"


def test_parts_on_a_phone(web_site, new_page, screens, chromium):  # noqa: F811
    site = web_site
    run_cli(site.db_url, "users", "add", "--email", COMMUNE_OFFICER.email, "--name", COMMUNE_OFFICER.name,
            "--role", "commune", "--commune", "00004")
    run_cli(site.db_url, "users", "set-password", COMMUNE_OFFICER.email, "--password-stdin",
            stdin=COMMUNE_OFFICER.password + "\n")
    task_id = site.task_id("20/CT-BCT:3:", "ha-noi")
    with site.db.session() as session:
        due = session.scalar(select(Task.due_on).where(Task.id == task_id))
    officer = new_page("officer")
    phone_context = chromium.new_context(base_url=site.base_url, locale="vi-VN", viewport=PHONE,
                                         device_scale_factor=2, is_mobile=True, has_touch=True)
    phone = phone_context.new_page()
    screens.track("phone", phone)
    try:
        with screens.on_failure():
            login(officer, OFFICER)
            officer.goto(f"/tasks/{task_id}#parts")
            form = officer.locator('form[data-form="delegate"]')
            expect(form).to_be_visible()
            form.locator('[name="communes"]').fill("00004, Phường Ngọc Hà")
            form.locator('[name="to"]').fill(f"{due:%d/%m/%Y}")
            form.locator('[name="note"]').fill("Báo cáo số cơ sở công nghiệp nông thôn được hỗ trợ")
            form.locator('[name="progress_from_parts"]').check()
            press(officer, "delegate")
            expect(officer.locator("#parts")).to_have_attribute("data-parts-total", "2")

            login(phone, COMMUNE_OFFICER)
            expect(phone.locator('main[data-page="commune-home"]')).to_be_visible()
            row = phone.locator('tr[data-part$="/00004"]')
            expect(row).to_have_count(1)
            # Usable at 390 px: nothing wider than the screen.
            assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            screens.shot(phone, "commune-home-phone")
            with phone.expect_navigation():
                row.locator("a").first.click()
            expect(phone.locator('main[data-page="part"]')).to_be_visible()
            press(phone, "start")
            press(phone, "update", progress="60", note="Đã tổng hợp 3/5 thôn")
            press(phone, "submit", progress="100", evidence="Báo cáo số 12/BC-UBND")
            assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            screens.shot(phone, "part-submitted-phone")

            officer.goto(f"/tasks/{task_id}#parts")
            with officer.expect_navigation():
                officer.locator('tr[data-part$="/00004"] a').first.click()
            press(officer, "accept")
            officer.goto(f"/tasks/{task_id}#parts")
            expect(officer.locator("#parts")).to_have_attribute("data-parts-completed", "1")
            screens.shot(officer, "province-rollup")
            with site.db.session() as session:
                states = sorted(session.scalars(select(TaskPart.state).where(TaskPart.task_id == task_id)))
                progress = session.scalar(select(Task.progress).where(Task.id == task_id))
            assert states == ["completed", "not_started"]
            assert progress == 50  # the task follows its parts: (100 + 0) / 2
            expect(officer.locator("dd.progress")).to_contain_text("50%")
    finally:
        phone_context.close()
