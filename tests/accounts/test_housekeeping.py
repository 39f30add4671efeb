"""Account hygiene: throttling by network address, purging spent rows, a second link the same day."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from dtrack.accounts import admin, housekeeping, login
from dtrack.config.settings import load_settings
from dtrack.errors import AddressThrottled, LoginFailed
from dtrack.persistence.account_models import AuthEvent, AuthToken, WebSession
from dtrack.persistence.models import Outbox
from tests.web.http_support import START, ManualClock

PASSWORD = "Mật-khẩu-đủ-dài-2026"


@pytest.fixture
def clock():
    return ManualClock(START)


def _accounts(world, clock, n: int) -> list[str]:
    emails = [world.user("province", "ha-noi", email=f"can.bo{i}@hn.example.vn") for i in range(n)]
    for email in emails:
        admin.set_password(world.db, clock, email, PASSWORD)
    return emails


def test_one_address_failing_on_many_accounts_is_refused_without_a_password_check(world, clock):
    settings = load_settings({}, login_max_attempts="5", login_max_failures_per_address="4",
                             login_lockout_minutes="10")
    emails = _accounts(world, clock, 4)
    # One wrong password on each of four accounts: no account lock is reached...
    for email in emails:
        with pytest.raises(LoginFailed) as refused:
            login.authenticate(world.db, clock, settings, email, "sai", ip="203.0.113.7")
        assert not isinstance(refused.value, AddressThrottled)
    # ...but the address is: even the right password is refused from it.
    with pytest.raises(AddressThrottled) as throttled:
        login.authenticate(world.db, clock, settings, emails[0], PASSWORD, ip="203.0.113.7")
    assert throttled.value.minutes == 10 and "203.0.113.7" in str(throttled.value)
    # Another address is not affected, and the throttle ages out with the window.
    assert login.authenticate(world.db, clock, settings, emails[1], PASSWORD, ip="198.51.100.2").token
    clock.advance(minutes=11)
    assert login.authenticate(world.db, clock, settings, emails[0], PASSWORD, ip="203.0.113.7").token
    with world.db.session() as session:
        details = session.scalars(select(AuthEvent.detail).where(AuthEvent.ip == "203.0.113.7",
                                                                 AuthEvent.kind == "login_throttled")).all()
    assert details == ["address throttled"]  # refused unchecked: its own kind, not a failed password check


def test_purge_deletes_spent_sessions_and_links_and_keeps_the_audit_trail(world, clock):
    settings = load_settings({}, account_rows_kept_days="30", session_absolute_hours="12")
    email = _accounts(world, clock, 1)[0]
    old = login.authenticate(world.db, clock, settings, email, PASSWORD).token
    login.logout(world.db, clock, old)
    admin.reset_link(world.db, clock, settings, email)  # ends when used or after 48 h
    clock.advance(days=33)
    live = login.authenticate(world.db, clock, settings, email, PASSWORD).token
    fresh_link = admin.reset_link(world.db, clock, settings, email)
    with world.db.session() as session:
        audit_before = session.scalar(select(func.count()).select_from(AuthEvent))
    purged = housekeeping.purge_account_rows(world.db, clock, settings)
    assert (purged.sessions, purged.links) == (1, 1)
    with world.db.session() as session:
        assert session.scalar(select(func.count()).select_from(WebSession)) == 1
        assert session.scalar(select(func.count()).select_from(AuthToken)) == 1
        assert session.scalar(select(func.count()).select_from(AuthEvent)) == audit_before
    from dtrack.accounts.sessions import SessionPolicy, current

    assert current(world.db, live, clock.now(), SessionPolicy.of(settings)).user.email == email
    assert fresh_link.rsplit("/", 1)[1]
    again = housekeeping.purge_account_rows(world.db, clock, settings)
    assert (again.sessions, again.links) == (0, 0)


def test_users_purge_reports_what_it_deleted(cli_runner, monkeypatch):
    result = cli_runner("users", "purge", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["sessions"] == 0
    line = cli_runner("users", "purge")
    assert line.exit_code == 0 and line.output.startswith("đã xoá 0 phiên đăng nhập")
    monkeypatch.setenv("DTRACK_LANG", "en")
    assert cli_runner("users", "purge").output.startswith("deleted 0 ended session(s)")


def test_a_second_link_the_same_day_replaces_the_unsent_mail(world, clock):
    settings = load_settings({}, smtp_url="smtp://mail.example.vn:25")
    invited = admin.invite_user(world.db, clock, settings, email="moi@hn.example.vn", name="Người Mới",
                                role="province", province="ha-noi")
    second = admin.reset_link(world.db, clock, settings, "moi@hn.example.vn")
    with world.db.session() as session:
        message = session.scalars(select(Outbox).where(Outbox.kind == "account")).one()
        # The first link no longer works; the mail carries the one that does.
        assert second in message.body_text and invited.link not in message.body_text
