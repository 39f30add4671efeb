"""Finding and acting on lists in real Chromium (issue 26): search, sort, filters and "select all".

Both back-ends, a real server. Submissions are made through the engine (as the CLI makes them);
the overseer then works the review queue in the browser: searches without diacritics, sorts by a
column, filters by a province picker, ticks every row with the header checkbox (JavaScript) and
with the "select all" link (without), and an empty bulk accept says nothing was selected.
Screenshots of the review queue and a searched list at 1280 and 390 px go to
$DTRACK_LIST_SCREENSHOTS (default test-output/screenshots/<backend>/lists/).
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from dtrack.workflow.service import Tracker
from tests.web.browser_support import OFFICER, OTHER_OFFICER, OVERSEER, SCREENSHOTS
from tests.web.test_browser import login

pytestmark = pytest.mark.slow
SUBMITTED = (("20/CT-BCT:2:ha-noi", OFFICER), ("20/CT-BCT:3:ha-noi", OFFICER), ("20/CT-BCT:4:hue", OTHER_OFFICER))


def _rows(page) -> list[str]:
    return page.eval_on_selector_all("table.queue tbody tr", "rows => rows.map(r => r.dataset.task)")


def _shot(page, folder: Path, name: str) -> None:
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_review_queue_searched_sorted_filtered_and_selected(web_site, new_page, screens):
    folder = Path(os.environ.get("DTRACK_LIST_SCREENSHOTS", SCREENSHOTS / web_site.backend / "lists"))
    folder.mkdir(parents=True, exist_ok=True)
    tracker = Tracker(web_site.db)
    for key, officer in SUBMITTED:
        tracker.fire(key, "start", officer.email)
        tracker.fire(key, "submit", officer.email, evidence="QĐ 12/QĐ-UBND")
    page = new_page("overseer")
    with screens.on_failure():
        login(page, OVERSEER)
        page.goto("/review")
        assert sorted(_rows(page)) == sorted(key for key, _ in SUBMITTED)
        _shot(page, folder, "review-queue")
        # Search without diacritics: "ha noi" finds Hà Nội's two.
        page.fill("#q", "ha noi")
        with page.expect_navigation():
            page.locator("form.filters button[type=submit]").click()
        assert sorted(_rows(page)) == ["20/CT-BCT:2:ha-noi", "20/CT-BCT:3:ha-noi"]
        _shot(page, folder, "review-searched")
        # Sort by the group column, then reversed by a second click; the search stays.
        with page.expect_navigation():
            page.click('a[data-sort="task"]')
        assert _rows(page) == ["20/CT-BCT:2:ha-noi", "20/CT-BCT:3:ha-noi"]
        with page.expect_navigation():
            page.click('a[data-sort="task"]')
        assert _rows(page) == ["20/CT-BCT:3:ha-noi", "20/CT-BCT:2:ha-noi"]
        assert page.input_value("#q") == "ha noi"
        # The province picker: Huế's only.
        page.fill("#q", "")
        page.select_option("#province", "hue")
        with page.expect_navigation():
            page.locator("form.filters button[type=submit]").click()
        assert _rows(page) == ["20/CT-BCT:4:hue"]
        # Select all with JavaScript: the header checkbox ticks every row.
        page.goto("/review")
        boxes = page.locator("table.queue tbody input[type=checkbox]")
        page.check("input[data-select-all]")
        assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
        page.uncheck("input[data-select-all]")
        assert not any(boxes.nth(i).is_checked() for i in range(boxes.count()))
        # Without JavaScript: the link reloads the queue ticked.
        with page.expect_navigation():
            page.click('a[data-action="select-all"]')
        assert boxes.count() == 3 and all(boxes.nth(i).is_checked() for i in range(3))
        # Nothing ticked: the accept says so and accepts nothing.
        page.goto("/review")
        with page.expect_navigation():
            page.click('button[data-action="bulk-accept"]')
        expect(page.locator("main")).to_contain_text("chưa chọn nhiệm vụ nào")
        assert len(_rows(page)) == 3  # the queue stays, to tick one
        assert all(web_site.task(web_site.task_id(key, key.split(":")[2])).state == "submitted"
                   for key, _ in SUBMITTED)
