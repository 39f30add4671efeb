"""The login page and "Quên mật khẩu?": a one-time reset link by mail, through the outbox and real SMTP.

Over HTTP against the application on both back-ends; the mail goes through
the outbox to an aiosmtpd server. The page answers the same whether or not
the address has an account; the link works once, expires, and setting the
password through it ends the user's open sessions. A locked-out user is told
why and for how long, in Vietnamese minutes.
"""
from __future__ import annotations

import re
from email import message_from_bytes, policy

import pytest

from dtrack.accounts.forgot import SPACING, request_reset
from dtrack.config.values import parse_smtp_url
from dtrack.notifications.outbox import deliver
from dtrack.notifications.transport import SmtpTransport
from tests.notifications.conftest import SmtpServer
from tests.web.http_support import CSRF, PASSWORD, cheap_hashing, count, login, make_site  # noqa: F401

NEW_PASSWORD = "Mật-khẩu-mới-Hà-Nội-2027"
BASE = "https://dtrack.moit.example.vn"
LINK = re.compile(re.escape(BASE) + r"/invite/[A-Za-z0-9_\-]+")


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def site(db, smtp):
    return make_site(db, smtp_url=smtp.url, base_url=BASE, mail_retry_seconds="0")


def ask(site, email: str):
    client = site.anonymous()
    page = client.get("/forgot-password")
    assert page.status_code == 200
    token = CSRF.search(page.text).group(1)
    return client.post("/forgot-password", data={"email": email, "csrf_token": token}), client


def mailed_links(site, smtp) -> list[tuple[str, str]]:
    """Send the outbox through real SMTP; (recipient, link) of each message the server received."""
    deliver(site.db, SmtpTransport(parse_smtp_url(smtp.url), timeout=5), site.settings, now=site.clock.now)
    found = []
    for _, tos, raw in smtp.handler.messages:
        body = message_from_bytes(raw, policy=policy.default).get_body(("plain",)).get_content()
        match = LINK.search(body)
        found.append((tos[0], match.group(0) if match else ""))
    smtp.handler.messages.clear()
    return found


def test_the_login_page_names_the_ministry_and_offers_a_reset(site):
    page = site.anonymous().get("/login")
    assert "Bộ Công Thương" in page.text
    assert 'href="/forgot-password"' in page.text and "Quên mật khẩu?" in page.text
    form = site.anonymous().get("/forgot-password")
    assert 'lang="vi"' in form.text and 'name="email"' in form.text


def test_a_reset_link_by_mail_works_once_and_ends_the_sessions(site, smtp):
    email = site.emails["own"]
    before = site.client("own")
    assert before.get("/province").status_code == 200

    known, client = ask(site, email)
    unknown, _ = ask(site, "khong.co.ai@example.vn")
    # The same answer, the same page after it: nothing tells which address has an account.
    assert known.status_code == unknown.status_code == 303
    assert known.headers["location"] == unknown.headers["location"] == "/login?flash=reset_sent"
    shown = client.get(known.headers["location"]).text
    assert "Nếu địa chỉ này có tài khoản" in shown

    [(to, link)] = mailed_links(site, smtp)
    assert to == email and link.startswith(BASE + "/invite/")
    path = link.removeprefix(BASE)
    visitor = site.anonymous()
    page = visitor.get(path)
    assert page.status_code == 200
    token = CSRF.search(page.text).group(1)
    done = visitor.post(path, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD,
                                             "csrf_token": token})
    assert done.status_code == 303, done.text[:300]
    # The session open before the reset is over; the new password works, the old one does not.
    assert before.get("/province").status_code in (302, 303)
    assert login(site.anonymous(), email, NEW_PASSWORD).headers["location"] == "/"
    assert login(site.anonymous(), email, PASSWORD).status_code == 401
    # Used once: the second visit is refused.
    again = site.anonymous().get(path)
    assert again.status_code != 200 or 'name="password"' not in again.text


def test_the_link_expires_and_requests_are_spaced(site, smtp):
    email = site.emails["own"]
    assert request_reset(site.db, site.clock, site.settings, email, ip="192.0.2.7")
    # A second request at once sends nothing (a stranger cannot keep replacing the owner's link).
    assert not request_reset(site.db, site.clock, site.settings, email, ip="192.0.2.8")
    [(_, link)] = mailed_links(site, smtp)
    site.clock.advance(hours=site.settings.invite_valid_hours, minutes=1)
    page = site.anonymous().get(link.removeprefix(BASE))
    assert 'name="password_confirm"' not in page.text  # expired
    site.clock.advance(minutes=SPACING.total_seconds() / 60)
    assert request_reset(site.db, site.clock, site.settings, email, ip="192.0.2.7")
    # Unknown and disabled addresses get no link; every request is audited.
    assert not request_reset(site.db, site.clock, site.settings, "khong.co.ai@example.vn", ip="192.0.2.7")
    assert count(site, "auth_events", "kind = 'reset_requested'") == 4


def test_one_address_asking_for_many_accounts_is_stopped(site):
    for n in range(10):
        request_reset(site.db, site.clock, site.settings, f"thu.{n}@example.vn", ip="198.51.100.1")
    assert not request_reset(site.db, site.clock, site.settings, site.emails["own"], ip="198.51.100.1")
    assert request_reset(site.db, site.clock, site.settings, site.emails["own"], ip="198.51.100.2")


def test_a_locked_out_user_is_told_why_and_for_how_long(site):
    email = site.emails["own"]
    for _ in range(site.settings.login_max_attempts):
        refused = login(site.anonymous(), email, "sai mật khẩu")
    assert refused.status_code == 429  # Too Many Requests, with the login page and the message
    text = refused.text
    assert "sai quá nhiều lần" in text  # why
    assert f"{site.settings.login_lockout_minutes} phút" in text  # for how long, in minutes
    assert "Quên mật khẩu?" in text
