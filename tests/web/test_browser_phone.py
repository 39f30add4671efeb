"""Every page on a phone and to a screen reader: real Chromium, a real server, both back-ends.

Each role (anonymous, province officer, overseer, administrator) visits every
page it can reach - the fixed list below plus every link of its navigation, so
a page added later is measured without editing this file - at 390 px and at
1280 px. At 390 px no page may be wider than the screen
(`document.scrollingElement.scrollWidth <= 390`): a wide table scrolls inside
its own box or becomes cards. Vietnamese text is never hyphenated or broken
mid-syllable (`word-break: break-all` appears nowhere in the styles).

axe-core (vendored in tests/web/vendor/, MPL-2.0) runs on every page at both
widths with the WCAG 2.0/2.1 A and AA rules: no serious or critical violation.
The counts are printed (`-s` shows them) and written beside the screenshots.

Screenshots of every page at both widths: $DTRACK_PHONE_SCREENSHOTS, default
test-output/screenshots/<backend>/phone/ (the session's review copies them).
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bench.webserver import add_user
from tests.web.browser_support import OFFICER, OVERSEER, SCREENSHOTS, TIMEOUT_MS, Account
from tests.web.test_browser import login

pytestmark = pytest.mark.slow

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
CSS = Path(__file__).resolve().parents[2] / "dtrack" / "web" / "static" / "dtrack.css"
ADMIN = Account("quan.tri@moit.example.vn", "Phạm Quản Trị", "admin", "Mật-khẩu-Quản-trị-2026")
PHONE, SCREEN = 390, 1280
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BAD = ("serious", "critical")
# Links that are not pages to measure: files, feeds, actions, the other language.
NOT_PAGES = re.compile(r"(format=|\.ics$|/files/|/logout|^/static/|[?&]lang=)")


def pages_for(site, role: str) -> list[str]:
    """The pages a role opens; its navigation's links are added when it is visited."""
    task = site.task_id("20/CT-BCT:2:", "ha-noi")
    if role == "anonymous":
        return ["/login", "/forgot-password", "/invite/no-such-link", "/no-such-page"]
    if role == "province":
        return ["/province", f"/tasks/{task}", "/indicators", "/changes", "/account"]
    if role == "overseer":
        return ["/review", "/overdue", "/matrix", "/status", "/province?province=ha-noi", f"/tasks/{task}",
                "/indicators", "/extend-group", "/reports/national", "/reports/province/ha-noi", "/changes",
                "/provinces/ha-noi/late-communes", "/overdue?province=ha-noi", "/account"]
    return ["/admin/users", "/admin/directives", "/admin/settings", "/admin/outbox", "/admin/calendar", "/account"]


def nav_links(page) -> list[str]:
    hrefs = page.eval_on_selector_all("header a[href], nav a[href]", "els => els.map(e => e.getAttribute('href'))")
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.netloc or not parts.path.startswith("/") or NOT_PAGES.search(href):
            continue
        found.append(href)
    return found


def slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "root"


def axe_bad(page) -> list[dict]:
    """The serious and critical violations axe-core finds on the page as it stands."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    assert result["passes"], "axe-core checked nothing"  # it ran, and the rules applied
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in BAD]


def test_styles_never_break_words_mid_syllable():
    css = CSS.read_text(encoding="utf-8")
    assert "break-all" not in css
    assert "hyphens: auto" not in css
    # overflow-wrap: anywhere only on what has no words: addresses, keys, secrets.
    for rule in re.findall(r"([^{}]+)\{[^}]*overflow-wrap:\s*anywhere", css):
        assert re.search(r"url|key|link|token|code|feed|note|evidence|reason", rule), rule


@pytest.fixture(scope="module")
def admin_account(web_site) -> Account:
    add_user(web_site.db_url, ADMIN.email, ADMIN.name, ADMIN.role, ADMIN.password)
    return ADMIN


@pytest.mark.parametrize("role", ["anonymous", "province", "overseer", "admin"])
def test_every_page_fits_a_phone_and_passes_axe(web_site, chromium, admin_account, role):
    site = web_site
    folder = Path(os.environ.get("DTRACK_PHONE_SCREENSHOTS", SCREENSHOTS / site.backend / "phone"))
    folder.mkdir(parents=True, exist_ok=True)
    account = {"province": OFFICER, "overseer": OVERSEER, "admin": admin_account}.get(role)
    context = chromium.new_context(base_url=site.base_url, locale="vi-VN", bypass_csp=True,  # to inject axe
                                   viewport={"width": PHONE, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    too_wide: dict[str, int] = {}
    violations: dict[str, list[dict]] = {}
    counts: dict[str, int] = {}
    try:
        if account is not None:
            login(page, account)
        todo = pages_for(site, role)
        page.goto(todo[0])
        todo += [link for link in nav_links(page) if link not in todo]
        for path in todo:
            # One visit per page: loaded at the phone's width, then the window widened (the styles' media
            # queries apply again; no page lays itself out from script), both widths checked on that visit.
            page.set_viewport_size({"width": PHONE, "height": 800})
            response = page.goto(path)
            assert response is not None, path
            page.wait_for_load_state("load")
            for width in (PHONE, SCREEN):
                if width != PHONE:
                    page.set_viewport_size({"width": width, "height": 900})
                report = path.startswith("/reports/")  # the report itself, opened in the browser (inline)
                assert report or page.locator("main").count() == 1, f"{path}: no <main>"
                assert page.evaluate("() => document.documentElement.lang") in ("vi", "en"), path
                name = f"{role}-{slug(path)}-{width}"
                page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
                if width == PHONE:
                    wide = page.evaluate("() => document.scrollingElement.scrollWidth")
                    if wide > PHONE:
                        too_wide[path] = wide
                bad = axe_bad(page)
                counts[name] = len(bad)
                if bad:
                    violations[name] = bad
    finally:
        context.close()
    (folder / f"axe-{role}.json").write_text(json.dumps({"counts": counts, "violations": violations},
                                                         ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\n{site.backend} {role}: {len(counts)} page views, serious/critical axe violations: "
          f"{sum(counts.values())}; wider than {PHONE} px: {too_wide or 'none'}")
    assert not too_wide, f"pages wider than the phone ({PHONE} px): {too_wide}"
    assert not violations, json.dumps(violations, ensure_ascii=False, indent=1)


def test_serve_says_when_the_base_url_is_unset(web_site):
    log = web_site.server.log_path.read_text(encoding="utf-8", errors="replace")
    if web_site.server.env.get("DTRACK_BASE_URL", "").strip():
        assert "DTRACK_BASE_URL" not in log
    else:
        warned = [line for line in log.splitlines() if "DTRACK_BASE_URL" in line]
        assert len(warned) == 1 and ("chưa đặt DTRACK_BASE_URL" in warned[0] or "is not set" in warned[0])
