"""The account page's mail choices over HTTP, on both back-ends: shown, saved, refused beside the field."""
from __future__ import annotations

import re

from tests.web.http_support import cheap_hashing, csrf_of  # noqa: F401 - fixture


def test_the_account_page_offers_the_mail_choices_and_saves_them(site):
    officer = site.client("own")
    page = officer.get("/account")
    assert page.status_code == 200 and 'id="mail"' in page.text
    assert re.search(r'value="daily"[^>]* checked', page.text)
    # The required sections are shown ticked and cannot be unticked.
    assert re.search(r'name="section_overdue"[^>]* checked[^>]* disabled', page.text)
    token = csrf_of(officer, "/account")
    saved = officer.post("/account/mail", data={"csrf_token": token, "digest_frequency": "weekly",
                                                "section_due_soon": "yes"})
    assert saved.status_code == 303 and saved.headers["location"].startswith("/account?flash=mail_saved")
    assert site.scalar("SELECT digest_frequency FROM users WHERE email = :e", e=site.emails["own"]) == "weekly"
    assert site.scalar("SELECT digest_sections FROM users WHERE email = :e",
                       e=site.emails["own"]) == "overdue,due_soon,returned"
    shown = officer.get(saved.headers["location"]).text
    assert "Đã lưu lựa chọn nhận thư." in shown and re.search(r'value="weekly"[^>]* checked', shown)
    assert not re.search(r'name="section_changes"[^>]* checked', shown)


def test_a_wrong_choice_is_said_beside_its_field_in_vietnamese(site):
    officer = site.client("own")
    token = csrf_of(officer, "/account")
    refused = officer.post("/account/mail", data={"csrf_token": token, "digest_frequency": "hằng-tháng"})
    assert refused.status_code == 422
    beside = re.search(r'data-field="digest_frequency">([^<]+)<', refused.text)
    assert beside and "tần suất bản tin" in beside.group(1)
    assert "--" not in beside.group(1)
    assert site.scalar("SELECT digest_frequency FROM users WHERE email = :e", e=site.emails["own"]) == "daily"


def test_an_administrator_has_no_digest_to_choose(site):
    page = site.client("admin").get("/account")
    assert page.status_code == 200 and 'id="mail"' not in page.text
