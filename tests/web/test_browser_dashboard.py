"""The dashboard and the scorecard in real Chromium against a real server (both back-ends).

Without JavaScript: the figures are there (SVG drawn by the server), a tile opens the
province's overdue list, and at 390 px neither page is wider than the screen. With it:
axe-core finds no serious or critical violation on either page at 390 and 1280 px.
"""
from __future__ import annotations

import pytest

from tests.web.browser_support import OVERSEER, TIMEOUT_MS
from tests.web.test_browser import login
from tests.web.test_browser_phone import axe_bad

pytestmark = pytest.mark.slow
PAGES = ("/dashboard", "/scorecard")


@pytest.mark.parametrize("width", [390, 1280])
def test_the_dashboard_works_without_script_and_fits_the_screen(web_site, chromium, width):
    context = chromium.new_context(base_url=web_site.base_url, locale="vi-VN", java_script_enabled=False,
                                   viewport={"width": width, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        login(page, OVERSEER)
        assert page.url.endswith("/dashboard")  # the overseer's home
        assert page.locator("svg.tilemap a[data-province]").count() == 34
        assert page.locator("svg.bars a[data-region]").count() == 4  # three regions and the country
        for path in PAGES:
            page.goto(path)
            assert page.evaluate("() => document.scrollingElement.scrollWidth") <= width, path
        page.goto("/dashboard")
        with page.expect_navigation():
            page.locator('svg.tilemap a[data-province="ha-noi"]').click()
        assert "/overdue?province=ha-noi" in page.url
        assert page.locator("main").inner_text().strip()
    finally:
        context.close()


def test_the_dashboard_and_the_scorecard_pass_axe(web_site, chromium):
    context = chromium.new_context(base_url=web_site.base_url, locale="vi-VN", bypass_csp=True,
                                   viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    found = {}
    try:
        login(page, OVERSEER)
        for path in PAGES:
            for width in (390, 1280):
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(path)
                found[f"{path} @ {width}"] = axe_bad(page)
    finally:
        context.close()
    assert found == {key: [] for key in found}
