"""The accounts core and its commands: hashing, login throttling, sessions, links, administration, access."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from dtrack.accounts import admin, links, login, passwords, sessions
from dtrack.config.settings import load_settings
from dtrack.errors import (
    InvalidInput,
    LinkInvalid,
    LoginFailed,
    LoginThrottled,
    NotAuthenticated,
    PermissionDenied,
    UnknownTask,
)
from dtrack.persistence.account_models import AuthEvent
from dtrack.persistence.models import User
from dtrack.workflow.access import check_oversight, readable_task
from tests.web.http_support import START, ManualClock

# The command line in English: these tests are about reports, mail and accounts, not its wording.
pytestmark = pytest.mark.usefixtures("english")

PASSWORD = "Mật-khẩu-đủ-dài-2026"


@pytest.fixture
def clock():
    return ManualClock(START)


@pytest.fixture
def officer(world, clock):
    email = world.user("province", "ha-noi")
    admin.set_password(world.db, clock, email, PASSWORD)
    return email


def test_passwords_are_argon2id_and_verify():
    stored = passwords.hash_password(PASSWORD)
    assert stored.startswith("$argon2id$")
    assert passwords.verify(stored, PASSWORD) and not passwords.verify(stored, PASSWORD + "x")
    with pytest.raises(InvalidInput, match="password"):
        passwords.check_new_password("ngắn")
    with pytest.raises(InvalidInput) as refused:
        passwords.check_new_password(PASSWORD, PASSWORD + "!")
    assert refused.value.field == "password_confirm"


def test_unknown_email_costs_about_as_much_as_a_wrong_password(world, clock, officer):
    settings = load_settings({})
    timings = {}
    for email in ("khong.co@example.vn", officer):
        started = time.perf_counter()
        for _ in range(3):
            with pytest.raises(LoginFailed):
                login.authenticate(world.db, clock, settings, email, "sai mật khẩu")
        timings[email] = time.perf_counter() - started
    assert timings["khong.co@example.vn"] > 0.4 * timings[officer]


def test_throttling_follows_the_settings(world, clock, officer):
    settings = load_settings({}, login_max_attempts="3", login_lockout_minutes="10")
    for _ in range(2):
        with pytest.raises(LoginFailed):
            login.authenticate(world.db, clock, settings, officer, "sai")
    with pytest.raises(LoginThrottled) as locked:
        login.authenticate(world.db, clock, settings, officer, "sai")
    assert locked.value.minutes == 10
    clock.advance(minutes=4)
    with pytest.raises(LoginThrottled) as still:
        login.authenticate(world.db, clock, settings, officer, PASSWORD)
    assert still.value.minutes == 6
    clock.advance(minutes=6)
    assert login.authenticate(world.db, clock, settings, officer, PASSWORD).token
    with world.db.session() as session:
        kinds = [e.kind for e in session.scalars(select(AuthEvent).order_by(AuthEvent.id))]
    # Three password checks failed; the early retry was refused unchecked (not counted, so not prolonging the wait).
    assert kinds[-5:] == ["login_failed"] * 3 + ["login_throttled", "login"]


def test_sessions_expire_and_are_revoked(world, clock, officer):
    settings = load_settings({}, session_idle_minutes="10", session_absolute_hours="1")
    policy = sessions.SessionPolicy.of(settings)
    token = login.authenticate(world.db, clock, settings, officer, PASSWORD).token
    assert sessions.current(world.db, token, clock.now(), policy).user.email == officer
    clock.advance(minutes=11)
    with pytest.raises(NotAuthenticated, match="expired"):
        sessions.current(world.db, token, clock.now(), policy)
    token = login.authenticate(world.db, clock, settings, officer, PASSWORD).token
    admin.disable_user(world.db, clock, officer)
    with pytest.raises(NotAuthenticated):
        sessions.current(world.db, token, clock.now(), policy)
    with pytest.raises(NotAuthenticated):
        sessions.current(world.db, "not-a-token", clock.now(), policy)


def test_a_link_cannot_be_redeemed_twice(world, clock):
    settings = load_settings({})
    invited = admin.invite_user(world.db, clock, settings, email="moi@hn.example.vn", name="Người Mới",
                                role="province", province="ha-noi")
    token = invited.link.rsplit("/", 1)[1]
    with world.db.session() as session:
        links.redeem(session, token, PASSWORD, PASSWORD, clock.now())
    with world.db.session() as session, pytest.raises(LinkInvalid, match="used"):
        links.redeem(session, token, PASSWORD, PASSWORD, clock.now())
    with pytest.raises(InvalidInput, match="already_registered"):
        admin.invite_user(world.db, clock, settings, email="moi@hn.example.vn", name="X", role="overseer",
                          province=None)


def test_a_new_link_replaces_the_old_one(world, clock):
    settings = load_settings({})
    first = admin.invite_user(world.db, clock, settings, email="moi@hn.example.vn", name="Người Mới",
                              role="province", province="ha-noi").link.rsplit("/", 1)[1]
    admin.reset_link(world.db, clock, settings, "moi@hn.example.vn")
    with world.db.session() as session, pytest.raises(LinkInvalid):
        links.valid_link(session, first, clock.now())


def test_admin_changes_roles_with_an_audit_row_and_guards_itself(world, clock):
    boss = world.user("admin", None)
    officer = world.user("province", "ha-noi")
    admin.edit_user(world.db, clock, officer, role="province", province="hue", actor_email=boss)
    with pytest.raises(InvalidInput, match="cannot_disable_self"):
        admin.disable_user(world.db, clock, boss, actor_email=boss)
    with pytest.raises(InvalidInput, match="cannot_demote_self"):
        admin.edit_user(world.db, clock, boss, role="overseer", province=None, actor_email=boss)
    with pytest.raises(PermissionDenied):
        admin.disable_user(world.db, clock, boss, actor_email=officer)
    with world.db.session() as session:
        row = session.scalars(select(AuthEvent).where(AuthEvent.kind == "role_changed")).one()
        assert row.detail == "province ha-noi -> province hue"
        assert session.scalars(select(User).where(User.email == officer)).one().province.slug == "hue"


def test_reads_are_authorized_in_the_core(world):
    own = world.user("province", "ha-noi")
    other = world.user("province", "hue")
    overseer = world.user("overseer", None)
    with world.db.session() as session:
        def user(email):
            return session.scalars(select(User).where(User.email == email)).one()
        assert readable_task(session, user(own), "20/CT-BCT:2:ha-noi").province.slug == "ha-noi"
        assert readable_task(session, user(overseer), "20/CT-BCT:2:ha-noi")
        with pytest.raises(UnknownTask):  # another province's task is as unknown as a missing one
            readable_task(session, user(other), "20/CT-BCT:2:ha-noi")
        with pytest.raises(PermissionDenied):
            check_oversight(user(own), "the review queue")


def test_a_disabled_user_cannot_act_from_the_command_line_either(world, clock):
    officer = world.user("province", "ha-noi")
    admin.disable_user(world.db, clock, officer)
    with pytest.raises(PermissionDenied, match="disabled"):
        world.fire("20/CT-BCT:2:ha-noi", "start", officer)


def test_a_stale_version_names_who_changed_the_task(world):
    officer = world.user("province", "ha-noi")
    outcome = world.fire("20/CT-BCT:2:ha-noi", "start", officer)
    from dtrack.errors import ConcurrentUpdate

    with pytest.raises(ConcurrentUpdate) as stale:
        world.tracker.fire(str(outcome.task_id), "update", officer, progress=10, expected_version=0)
    assert stale.value.by.startswith("Người dùng") and stale.value.at == "05/01/2026 12:00"


# --- the commands ---------------------------------------------------------------------------------


def test_users_invite_prints_a_one_time_link(cli_runner):
    result = cli_runner("users", "invite", "--email", "a@soct.hanoi.gov.vn", "--name", "Nguyễn Văn A",
                        "--role", "province", "--province", "ha-noi")
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8000/invite/" in result.output


def test_users_set_password_prompts_twice_or_reads_stdin(cli_runner, db):
    cli_runner("users", "add", "--email", "b@moit.gov.vn", "--name", "Trần B", "--role", "overseer")
    result = cli_runner("users", "set-password", "b@moit.gov.vn", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0 and PASSWORD not in result.output
    result = cli_runner("users", "set-password", "b@moit.gov.vn", "--password-stdin", input="ngắn\n")
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1].startswith("error: password")
    with db.session() as session:
        stored = session.scalars(select(User.password_hash).where(User.email == "b@moit.gov.vn")).one()
    assert passwords.verify(stored, PASSWORD)


def test_users_disable(cli_runner):
    cli_runner("users", "add", "--email", "c@moit.gov.vn", "--name", "Lê C", "--role", "overseer")
    assert cli_runner("users", "disable", "c@moit.gov.vn").exit_code == 0
    again = cli_runner("users", "disable", "c@moit.gov.vn")
    assert again.exit_code == 1 and again.output.count("error:") == 1


def test_serve_refuses_a_database_init_has_not_prepared(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from dtrack.cli import cli

    result = CliRunner().invoke(cli, ["--db", f"sqlite:///{tmp_path / 'none.db'}", "serve"])
    assert result.exit_code == 1
    assert result.output.strip().startswith("error:") and "dtrack init" in result.output


def test_the_invitation_is_queued_by_mail_when_a_server_is_set(world, clock):
    from dtrack.persistence.models import Outbox

    quiet = admin.invite_user(world.db, clock, load_settings({}), email="a@hn.example.vn", name="Người A",
                              role="province", province="ha-noi")
    assert not quiet.mailed
    settings = load_settings({}, smtp_url="smtp://mail.example.vn:25")
    mailed = admin.invite_user(world.db, clock, settings, email="b@hn.example.vn", name="Người B",
                               role="province", province="ha-noi")
    assert mailed.mailed
    with world.db.session() as session:
        message = session.scalars(select(Outbox).where(Outbox.kind == "account")).one()
        assert message.recipient == "b@hn.example.vn" and mailed.link in message.body_text
        assert "Đặt mật khẩu" in message.subject


def test_demo_accounts_get_the_printed_password(world, clock):
    officer, overseer = world.user("province", "ha-noi"), world.user("overseer", None)
    given = admin.give_demo_passwords(world.db, clock, [officer, overseer])
    settings = load_settings({})
    for email, password in given.items():
        assert login.authenticate(world.db, clock, settings, email, password).token
