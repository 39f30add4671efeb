"""The login throttle: per (email, address) pair and per address, the same for unknown emails, no lock-out by strangers.

Core (`login.authenticate`) and web (`POST /login` from chosen client addresses), both back-ends.
"""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from dtrack.accounts import admin, login
from dtrack.accounts.sessions import COOKIE
from dtrack.config.settings import load_settings
from dtrack.errors import AddressThrottled, LoginFailed, LoginThrottled
from dtrack.i18n.error_messages import say
from tests.web.http_support import (  # noqa: F401 - fixtures
    CSRF,
    PASSWORD,
    START,
    ManualClock,
    cheap_hashing,
    count,
    make_site,
)

STRANGER, OWNER_IP = "203.0.113.7", "198.51.100.2"
SETTINGS = {"login_max_attempts": "5", "login_lockout_minutes": "15", "login_max_failures_per_address": "30"}


@pytest.fixture
def clock():
    return ManualClock(START)


@pytest.fixture
def settings():
    return load_settings({}, **SETTINGS)


def _attempt(world, clock, settings, email: str, password: str, ip: str | None):
    """What one login attempt answers, the typed email and the address blanked out: (kind, minutes, messages)."""
    try:
        login.authenticate(world.db, clock, settings, email, password, ip=ip)
        return ("ok", None, None)
    except (LoginFailed, LoginThrottled) as refused:
        return (type(refused).__name__, getattr(refused, "minutes", None),
                tuple(say(refused, lang).replace(email, "<email>").replace(ip or "<ip>", "<ip>")
                      for lang in ("vi", "en")))


def _accounts(world, clock) -> dict[str, str]:
    """A usable account, a disabled one, one invited without a password yet, and an email nobody has."""
    known = world.user("province", "ha-noi")
    admin.set_password(world.db, clock, known, PASSWORD)
    disabled = world.user("province", "ha-noi")
    admin.set_password(world.db, clock, disabled, PASSWORD)
    admin.disable_user(world.db, clock, disabled)
    invited = world.user("province", "ha-noi")
    return {"known": known, "disabled": disabled, "invited": invited, "unknown": "khong.co.ai@ha-noi.example.vn"}


def test_known_and_unknown_emails_get_identical_answers_through_the_limit(world, clock, settings):
    emails = _accounts(world, clock)
    answers = {who: [_attempt(world, clock, settings, email, f"sai {i}", STRANGER) for i in range(7)]
               for who, email in emails.items()}
    assert answers["unknown"] == answers["known"] == answers["disabled"] == answers["invited"]
    kinds = [kind for kind, _, _ in answers["known"]]
    assert kinds == ["LoginFailed"] * 4 + ["LoginThrottled"] * 3  # the fifth failure is told to wait
    assert {minutes for _, minutes, _ in answers["known"][4:]} == {15}


@hsettings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from([0, 1, None]), st.integers(0, 9)), min_size=1, max_size=12))
def test_any_sequence_of_wrong_passwords_answers_a_known_email_as_an_unknown_one(world, clock, steps):
    # (address, minutes waited before the attempt): the same steps on a real account and on an email
    # nobody has must give the same answers, whatever the timing and the addresses. A low address
    # limit, so that it is reached too; each email tries from addresses of its own (10.n.1.x and
    # 10.n.2.x), so neither's failures count against the other's address.
    settings = load_settings({}, **{**SETTINGS, "login_max_attempts": "3", "login_max_failures_per_address": "8"})
    known = world.user("province", "ha-noi")
    admin.set_password(world.db, clock, known, PASSWORD)
    unknown = f"khong.co.{world._count}@ha-noi.example.vn"
    answers: dict[str, list] = {known: [], unknown: []}
    for address, wait in steps:
        clock.advance(minutes=wait)
        for side, email in enumerate((known, unknown), start=1):
            ip = None if address is None else f"10.{world._count % 250}.{side}.{address}"
            answers[email].append(_attempt(world, clock, settings, email, "không đúng", ip))
    assert answers[known] == answers[unknown]


def test_a_strangers_failures_do_not_lock_the_owner_out_from_another_address(world, clock, settings):
    owner = _accounts(world, clock)["known"]
    guesses = [_attempt(world, clock, settings, owner, f"đoán {i}", STRANGER)[0] for i in range(8)]
    assert guesses == ["LoginFailed"] * 4 + ["LoginThrottled"] * 4
    # From the stranger's address even the right password now waits...
    assert _attempt(world, clock, settings, owner, PASSWORD, STRANGER)[0] == "LoginThrottled"
    # ...but the owner, elsewhere, is not locked out.
    assert _attempt(world, clock, settings, owner, PASSWORD, OWNER_IP) == ("ok", None, None)


def test_the_pair_waits_is_told_how_long_and_how_to_recover(world, clock, settings):
    owner = _accounts(world, clock)["known"]
    for _ in range(5):
        answer = _attempt(world, clock, settings, owner, "sai", STRANGER)
    kind, minutes, (vi, en) = answer
    assert (kind, minutes) == ("LoginThrottled", 15)
    assert "15 phút" in vi and "thiết bị hoặc địa chỉ mạng này" in vi and "đặt lại mật khẩu" in vi
    assert "15 minute(s)" in en and "this device or network address" in en and "password-reset link" in en
    clock.advance(minutes=6)
    assert _attempt(world, clock, settings, owner, PASSWORD, STRANGER)[:2] == ("LoginThrottled", 9)
    clock.advance(minutes=9)  # the failures leave the window: the pair may try again
    assert _attempt(world, clock, settings, owner, PASSWORD, STRANGER)[0] == "ok"


def test_a_new_password_lifts_the_wait_and_a_success_restarts_the_count(world, clock, settings):
    owner = _accounts(world, clock)["known"]
    for _ in range(5):
        _attempt(world, clock, settings, owner, "sai", None)
    assert _attempt(world, clock, settings, owner, PASSWORD, None)[0] == "LoginThrottled"
    admin.set_password(world.db, clock, owner, PASSWORD + " mới")  # what the locked-out message advises
    assert _attempt(world, clock, settings, owner, PASSWORD + " mới", None)[0] == "ok"
    # After a success four more mistakes are allowed before the wait, not none.
    answers = [_attempt(world, clock, settings, owner, "sai", None)[0] for _ in range(5)]
    assert answers == ["LoginFailed"] * 4 + ["LoginThrottled"]


def test_a_sprayer_across_many_emails_is_throttled_by_address(world, clock):
    settings = load_settings({}, **{**SETTINGS, "login_max_failures_per_address": "6"})
    emails = _accounts(world, clock)
    sprayed = [f"nguoi.{i}@ha-noi.example.vn" for i in range(4)] + [emails["known"], emails["disabled"]]
    for email in sprayed:  # one try each: no pair is near its limit of five
        assert _attempt(world, clock, settings, email, "123456", STRANGER)[0] == "LoginFailed"
    for email in (emails["known"], emails["unknown"]):  # right password or not, known or not: the same wait
        with pytest.raises(AddressThrottled) as throttled:
            login.authenticate(world.db, clock, settings, email, PASSWORD, ip=STRANGER)
        assert throttled.value.minutes == 15 and "đặt lại mật khẩu" in say(throttled.value, "vi")
    assert _attempt(world, clock, settings, emails["known"], PASSWORD, OWNER_IP)[0] == "ok"


# --- the same over HTTP -------------------------------------------------------------------------------

TOKENS = re.compile(r'(name="csrf_token" value=")[^"]+"')


def _from(site, ip: str) -> TestClient:
    return TestClient(site.app, base_url=site.base_url, follow_redirects=False, client=(ip, 40000))


def _post_login(client: TestClient, email: str, password: str):
    page = client.get("/login")
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": CSRF.search(page.text).group(1)})


def _as_seen(answer, email: str) -> tuple[int, str]:
    """Status and page, with the typed email and the per-browser CSRF token blanked out."""
    return answer.status_code, TOKENS.sub(r'\1…"', answer.text.replace(email, "<email>"))


def test_the_login_page_answers_known_and_unknown_emails_identically(site):
    known, unknown = site.emails["own"], "khong.co.ai@soct.hanoi.example.vn"
    seen = {email: [_as_seen(_post_login(_from(site, STRANGER), email, f"sai {i}"), email) for i in range(6)]
            for email in (known, unknown)}
    assert seen[known] == seen[unknown]
    assert [status for status, _ in seen[known]] == [401, 401, 401, 401, 429, 429]
    throttled = seen[known][-1][1]
    assert "15 phút" in throttled and "thiết bị hoặc địa chỉ mạng này" in throttled
    assert "«Quên mật khẩu?»" in throttled and "liên kết đặt lại mật khẩu qua email" in throttled  # the way out


def test_over_http_a_stranger_cannot_lock_the_owner_out(site):
    owner = site.emails["own"]
    statuses = [_post_login(_from(site, STRANGER), owner, f"đoán {i}").status_code for i in range(7)]
    assert statuses == [401] * 4 + [429] * 3
    refused = _post_login(_from(site, STRANGER), owner, PASSWORD)
    assert refused.status_code == 429 and COOKIE not in refused.cookies
    answer = _post_login(_from(site, OWNER_IP), owner, PASSWORD)
    assert answer.status_code == 303 and COOKIE in answer.cookies
    assert count(site, "auth_events", "kind = 'login' AND ip = :ip", ip=OWNER_IP) == 1
    assert count(site, "auth_events", "kind = 'login_failed' AND ip = :ip", ip=STRANGER) == 5


def test_the_throttled_page_in_english(db):
    site = make_site(db, login_max_attempts="2", login_lockout_minutes="10")
    client = _from(site, STRANGER)
    client.cookies.set("dtrack_lang", "en")
    answers = [_post_login(client, "ai.do@example.vn", "sai") for _ in range(2)]
    assert answers[-1].status_code == 429
    assert "Wait 10 minute(s)" in answers[-1].text and "reset link by e-mail" in answers[-1].text
