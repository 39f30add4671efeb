"""/status by pages of units and /overdue's counts: every cell reachable, a change shown on the next request."""
from __future__ import annotations

import re

from dtrack.reading import worklists
from tests.web.test_pages import act


def test_the_status_pages_reach_every_cell_and_each_links_to_its_task(site, monkeypatch):
    monkeypatch.setattr(worklists, "STATUS_PER_PAGE", 8)
    overseer = site.client("overseer")
    whole = overseer.get("/status?format=json").json()
    expected = {f"20/CT-BCT:{g}:{p['slug']}" for p in whole["provinces"] for g, state in p["states"].items() if state}
    seen, units, path = {}, [], "/status"
    while path:
        page = overseer.get(path).text
        units += re.findall(r'<tr data-province="([^"]+)"', page)
        for key, task_id in re.findall(r'<a data-task="([^"]+)"[^>]* href="/tasks/(\d+)"', page):
            seen[key.rsplit(":", 1)[0] if key.count(":") == 3 else key] = int(task_id)
        following = re.search(r'<a rel="next" href="([^"]+)"', page)
        path = following.group(1).replace("&amp;", "&") if following else None
    assert units == [p["slug"] for p in whole["provinces"]] and len(units) > 8  # more than one page, once each
    assert set(seen) == expected
    for key in ("20/CT-BCT:2:ha-noi", "20/CT-BCT:2:hue"):
        assert seen[key] == site.task_id(key)
    south = overseer.get("/status?region=south").text
    assert set(re.findall(r'<tr data-province="([^"]+)"', south)) <= {
        p["slug"] for p in whole["provinces"] if p["region"] == "south"}
    assert overseer.get("/status?page=abc").status_code == 422  # the page again, the message above (issue 26)


def test_a_change_shows_at_once_on_the_next_request(site):
    own, overseer = site.client("own"), site.client("overseer")
    key = "20/CT-BCT:9:ha-noi:2025-H2"  # overdue on the site's day
    before = overseer.get("/overdue?format=json").json()
    assert before["per_province"]["ha-noi"] >= 1
    overseer.get("/status")  # a page read first, so a cache (if any) would hold the old answer
    task_id = site.task_id(key)
    assert act(own, task_id, "start").status_code == 303
    assert act(own, task_id, "submit", progress="100", note="Đã xong").status_code == 303
    after = overseer.get("/overdue?format=json").json()
    assert after["total_overdue"] == before["total_overdue"] - 1
    assert after["per_province"].get("ha-noi", 0) == before["per_province"]["ha-noi"] - 1
    assert after["total_awaiting_review"] == before["total_awaiting_review"] + 1
    page = overseer.get("/status").text
    assert f'<a data-task="{key}" data-state="submitted"' in page
