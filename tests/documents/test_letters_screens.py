"""/letters and the urge letter form in a browser at 1280 and 390 px: nothing wider than the screen.

The page comes from the in-process site (its logged-in TestClient answers the browser's requests through
Playwright's routing), so no server is started.
"""
from __future__ import annotations

import io

import pytest

from tests.documents import SHOTS
from tests.documents.test_letters_web import _prepared

BASE = "http://dtrack.test"


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_letters_page_fits_a_desktop_and_a_phone(site, chromium):  # noqa: F811 - fixture
    ids = _prepared(site)
    overseer = site.client("overseer")
    SHOTS.mkdir(parents=True, exist_ok=True)

    def answer(route) -> None:
        request = route.request
        path = request.url.removeprefix(BASE)
        got = overseer.request(request.method, path, content=request.post_data_buffer,
                               headers={k: v for k, v in request.headers.items() if k.lower() == "content-type"})
        route.fulfill(status=got.status_code, body=got.content, headers=dict(got.headers))

    for width, height in ((1280, 900), (390, 844)):
        context = chromium.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
        page = context.new_page()
        page.route(f"{BASE}/**", answer)
        page.goto(f"{BASE}/letters")
        assert page.locator("tr[data-letter]").count() == len(ids)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{width} px: {overflow} px too wide"
        page.screenshot(path=str(SHOTS / f"letters-{width}.png"), full_page=False)
        page.goto(f"{BASE}/reports/urge/ha-noi/compose")
        assert page.locator('input[type="date"]#reply_by').count() == 1
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"compose, {width} px: {overflow} px too wide"
        page.screenshot(path=str(SHOTS / f"urge-compose-{width}.png"), full_page=True)
        context.close()
    pdf = overseer.get(f"/letters/{ids[0]}/draft?format=pdf").content
    import pypdfium2 as pdfium

    pdfium.PdfDocument(io.BytesIO(pdf))[0].render(scale=1.5).to_pil().save(SHOTS / "letter-draft-p1.png")
