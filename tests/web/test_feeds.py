"""The account page makes a calendar address once; the address works without a login, for its owner's view only."""
from __future__ import annotations

import re

from icalendar import Calendar

from dtrack.accounts.sessions import COOKIE
from tests.web.http_support import CSRF, count

FEED = re.compile(r'data-feed-url value="([^"]+)"')


def _make_feed(client) -> str:
    page = client.get("/account")
    assert page.status_code == 200
    made = client.post("/account/feed", data={"csrf_token": CSRF.search(page.text).group(1)})
    assert made.status_code == 200
    return FEED.search(made.text).group(1)


def test_a_province_officer_subscribes_and_a_calendar_reads_the_feed_without_a_cookie(site):
    url = _make_feed(site.client("own"))
    assert "/account" not in url and "/feeds/" in url
    assert count(site, "auth_events", "kind = 'feed_reset'") == 1
    path = url.split("://", 1)[1].split("/", 1)[1]
    answer = site.anonymous().get("/" + path)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/calendar")
    assert COOKIE not in answer.cookies
    slugs = {str(e["uid"]).split(":")[2].split("@")[0] for e in Calendar.from_ical(answer.content).walk("VEVENT")}
    assert slugs == {"ha-noi"}
    # The page never shows the address again, and a reset ends the old one.
    assert FEED.search(site.client("own").get("/account").text) is None
    _make_feed(site.client("own"))
    assert site.anonymous().get("/" + path).status_code == 404


def test_an_overseer_can_ask_for_one_region_and_a_bad_region_is_a_clear_400(site):
    url = _make_feed(site.client("overseer"))
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    south = site.anonymous().get(path + "?region=south")
    assert south.status_code == 200
    events = Calendar.from_ical(south.content).walk("VEVENT")
    assert 0 < len(events) < 340
    assert site.anonymous().get(path + "?region=mars").status_code == 400


def test_a_guessed_address_answers_404(site):
    assert site.anonymous().get("/feeds/khong-phai-ma-that.ics").status_code == 404
    assert site.anonymous().post("/account/feed", data={}).status_code in (303, 403)
