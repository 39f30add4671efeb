"""Evidence files and the task's thread in real Chromium against `dtrack serve`, on both back-ends.

The Hà Nội officer attaches a PDF (its Vietnamese name kept) and writes in
the thread; the overseer downloads the very bytes and answers; the officer
reads the answer in the history. A file of the wrong type is refused beside
the field. Screenshots: test-output/screenshots/<backend>/evidence_and_thread/.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.browser_support import OFFICER, OVERSEER
from tests.web.test_browser import expect, history_text, login, open_task

pytestmark = pytest.mark.slow

PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
       b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
NAME = "Quyết định phê duyệt đề án.pdf"
QUESTION = "Đã đính kèm quyết định; mời Cục góp ý trước 20/12."
ANSWER = "Cục đã nhận quyết định, đề nghị bổ sung phụ lục kinh phí."


def test_evidence_and_thread(web_site, new_page, screens, tmp_path):
    task_id = web_site.task_id("20/CT-BCT:4:", "ha-noi")
    officer, overseer = new_page("officer"), new_page("overseer")
    with screens.on_failure():
        login(officer, OFFICER)
        open_task(officer, task_id)
        wrong = tmp_path / "anh-doi-ten.pdf"
        wrong.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
        form = officer.locator('form[data-form="files"]')
        form.locator('input[name="file"]').set_input_files(str(wrong))
        with officer.expect_navigation():
            form.locator('button[data-action="attach"]').click()
        expect(officer.locator('.field-error[data-field="file"]')).to_contain_text("Chỉ nhận tệp")
        good = tmp_path / NAME
        good.write_bytes(PDF)
        open_task(officer, task_id)
        form = officer.locator('form[data-form="files"]')
        form.locator('input[name="file"]').set_input_files(str(good))
        with officer.expect_navigation():
            form.locator('button[data-action="attach"]').click()
        expect(officer.locator("table.files")).to_contain_text(NAME)
        thread = officer.locator('form[data-form="comment"]')
        thread.locator('textarea[name="comment"]').fill(QUESTION)
        with officer.expect_navigation():
            thread.locator('button[data-action="comment"]').click()
        assert QUESTION in history_text(officer)
        screens.shot(officer, "task-with-evidence")

        login(overseer, OVERSEER)
        open_task(overseer, task_id)
        link = overseer.locator("table.files a", has_text=NAME)
        with overseer.expect_download() as caught:
            link.click()
        download = caught.value
        assert download.suggested_filename == NAME
        assert Path(download.path()).read_bytes() == PDF
        expect(overseer.locator('form[data-form="files"]')).to_have_count(0)  # the Department does not attach here
        thread = overseer.locator('form[data-form="comment"]')
        thread.locator('textarea[name="comment"]').fill(ANSWER)
        with overseer.expect_navigation():
            thread.locator('button[data-action="comment"]').click()
        screens.shot(overseer, "task-thread")

        open_task(officer, task_id)
        text = history_text(officer)
        assert QUESTION in text and ANSWER in text and text.index(ANSWER) < text.index(QUESTION)  # newest first
    view = web_site.task(task_id)
    assert view.events == 3  # attach and two comments: the wrong file left no trace
