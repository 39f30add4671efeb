"""A new password ends the owner's API tokens, as it ends their web sessions: on the command line and on the web."""
from __future__ import annotations

import re

from dtrack.accounts.api_tokens import create_token
from tests.web.http_support import cheap_hashing, count, csrf_of, login  # noqa: F401 - fixtures

NEW_PASSWORD = "một câu mật khẩu mới hẳn"
LINK = re.compile(r"http://127\.0\.0\.1:8000(/invite/[A-Za-z0-9_-]+)")


def _token(site, who: str) -> str:
    user_id = site.scalar("SELECT id FROM users WHERE email = :e", e=site.emails[who])
    return create_token(site.db, site.clock, user_id, f"bảng tính {who}", 30).token


def _api_status(site, token: str) -> int:
    client = site.anonymous()
    client.headers["Authorization"] = f"Bearer {token}"
    return client.get("/api/v1/tasks?limit=1").status_code


def test_setting_a_password_on_the_command_line_ends_the_users_api_tokens(site, cli_runner):
    mine, another, theirs = _token(site, "own"), _token(site, "own"), _token(site, "other")
    assert [_api_status(site, t) for t in (mine, another, theirs)] == [200, 200, 200]
    result = cli_runner("users", "set-password", site.emails["own"], "--password-stdin", input=NEW_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "mã API" in result.output  # it says the tokens ended, not only the sessions
    assert [_api_status(site, t) for t in (mine, another, theirs)] == [401, 401, 200]  # only the owner's
    assert count(site, "auth_events", "kind = 'token_revoked' AND detail LIKE '%(password changed)'") == 2
    assert count(site, "api_tokens", "revoked_at IS NOT NULL") == 2
    assert "2 API token(s) revoked" in site.scalar(
        "SELECT detail FROM auth_events WHERE kind = 'password_set' ORDER BY id DESC LIMIT 1")
    assert _api_status(site, _token(site, "own")) == 200  # a token made with the new password works


def test_a_password_reset_through_the_web_ends_the_users_api_tokens(site):
    token = _token(site, "own")
    browser = site.client("own")
    assert _api_status(site, token) == 200 and browser.get("/province").status_code == 200
    admin = site.client("admin")
    user_id = site.scalar("SELECT id FROM users WHERE email = :e", e=site.emails["own"])
    issued = admin.post(f"/admin/users/{user_id}/reset", data={"csrf_token": csrf_of(admin, "/admin/users")})
    path = LINK.search(issued.text).group(1)
    assert _api_status(site, token) == 200  # issuing a link changes nothing yet
    visitor = site.anonymous()
    done = visitor.post(path, data={"csrf_token": csrf_of(visitor, path), "password": NEW_PASSWORD,
                                    "password_confirm": NEW_PASSWORD})
    assert done.status_code == 303
    refused = site.anonymous()
    refused.headers["Authorization"] = f"Bearer {token}"
    answer = refused.get("/api/v1/tasks?limit=1")
    assert answer.status_code == 401 and answer.headers["content-type"].startswith("application/problem+json")
    assert browser.get("/province").status_code == 303  # the session ended with it
    assert count(site, "auth_events", "kind = 'token_revoked'") == 1
    assert login(site.anonymous(), site.emails["own"], NEW_PASSWORD).status_code == 303
