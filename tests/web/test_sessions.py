"""Logins, sessions and one-time links over HTTP: expiry, revocation, throttling, cookies."""
from __future__ import annotations

from dtrack.accounts.admin import disable_user, invite_user, set_password
from dtrack.accounts.sessions import COOKIE
from tests.web.http_support import count, csrf_of, login, make_site


def _logged_out(answer) -> bool:
    return answer.status_code == 303 and answer.headers["location"].startswith("/login")


def test_login_lands_by_role_and_is_audited(site):
    for who, home in (("own", "/province"), ("overseer", "/dashboard"), ("admin", "/dashboard")):
        client = site.client(who)
        assert client.get("/").headers["location"] == home
        assert client.get(home).status_code == 200
    assert count(site, "auth_events", "kind = 'login'") == 3


def test_the_session_cookie_is_httponly_lax_and_only_its_hash_is_stored(site):
    client = site.anonymous()
    answer = login(client, site.emails["own"])
    cookie = next(v for k, v in answer.headers.multi_items() if k == "set-cookie" and v.startswith(COOKIE))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax") and "Secure" not in cookie
    token = client.cookies[COOKIE]
    assert count(site, "web_sessions", "token_hash = :t", t=token) == 0
    assert count(site, "web_sessions") == 1


def test_secure_cookies_when_the_setting_says_https(db):
    secure = make_site(db, secure_cookies="yes")
    secure.base_url = "https://testserver"
    answer = login(secure.anonymous(), secure.emails["own"])
    cookie = next(v for k, v in answer.headers.multi_items() if k == "set-cookie" and v.startswith(COOKIE))
    assert "Secure" in cookie


def test_login_rotates_the_session(site):
    client = site.client("own")
    first = client.cookies[COOKIE]
    login(client, site.emails["own"])
    assert client.cookies[COOKIE] != first
    stale = site.anonymous()
    stale.cookies.set(COOKIE, first)
    assert _logged_out(stale.get("/province"))


def test_logout_ends_the_server_side_session(site):
    client = site.client("own")
    token = client.cookies[COOKIE]
    page = client.get("/province")
    assert page.headers["cache-control"] == "no-store"
    answer = client.post("/logout", data={"csrf_token": csrf_of(client)})
    assert answer.headers["location"] == "/login?flash=logged_out"
    replay = site.anonymous()
    replay.cookies.set(COOKIE, token)
    assert _logged_out(replay.get("/province"))
    assert count(site, "auth_events", "kind = 'logout'") == 1


def test_idle_expiry(site):
    client = site.client("own")
    site.clock.advance(minutes=59)
    assert client.get("/province").status_code == 200
    site.clock.advance(minutes=59)  # active a minute ago: still in
    assert client.get("/province").status_code == 200
    site.clock.advance(minutes=61)
    answer = client.get("/province")
    assert _logged_out(answer) and "expired" in answer.headers["location"]


def test_absolute_expiry_however_active(site):
    client = site.client("own")
    for _ in range(23):  # 11.5 hours, a request every half hour
        site.clock.advance(minutes=30)
        assert client.get("/province").status_code == 200
    site.clock.advance(minutes=31)
    assert _logged_out(client.get("/province"))


def test_disabling_a_user_ends_their_sessions_at_once(site):
    officer, admin = site.client("own"), site.client("admin")
    user_id = site.scalar("SELECT id FROM users WHERE email = :e", e=site.emails["own"])
    answer = admin.post(f"/admin/users/{user_id}/disable", data={"csrf_token": csrf_of(admin)})
    assert answer.status_code == 303
    assert _logged_out(officer.get("/province"))
    assert login(site.anonymous(), site.emails["own"]).status_code == 401
    assert count(site, "auth_events", "kind = 'disabled'") == 1
    assert count(site, "events") >= 0  # history is kept: nothing is deleted


def test_changing_the_password_ends_the_sessions(site):
    officer = site.client("own")
    set_password(site.db, site.clock, site.emails["own"], "một mật khẩu mới hẳn")
    assert _logged_out(officer.get("/province"))
    assert login(site.anonymous(), site.emails["own"]).status_code == 401
    assert login(site.anonymous(), site.emails["own"], "một mật khẩu mới hẳn").status_code == 303


def test_login_throttled_after_five_failures_and_says_how_long(site):
    client = site.anonymous()
    statuses = [login(client, site.emails["own"], f"sai {i}").status_code for i in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    locked = login(client, site.emails["own"])  # the right password, but the account waits
    assert locked.status_code == 429
    assert "15 phút" in locked.text
    assert "field-error" in locked.text
    site.clock.advance(minutes=16)
    assert login(client, site.emails["own"]).status_code == 303
    # Five password checks failed; the sixth attempt was refused unchecked (audited, not counted).
    assert count(site, "auth_events", "kind = 'login_failed'") == 5
    assert count(site, "auth_events", "kind = 'login_throttled'") == 1


def test_one_address_failing_on_many_accounts_gets_429_even_with_a_right_password(db):
    site = make_site(db, login_max_failures_per_address="3")
    client = site.anonymous()
    statuses = [login(client, site.emails[who], "sai").status_code for who in ("own", "other", "overseer")]
    assert statuses == [401, 401, 401]  # no account has reached its own limit of five
    throttled = login(client, site.emails["admin"])
    assert throttled.status_code == 429 and "15 phút" in throttled.text
    assert COOKIE not in throttled.cookies
    site.clock.advance(minutes=16)
    assert login(client, site.emails["admin"]).status_code == 303


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(site):
    unknown = login(site.anonymous(), "khong.co@example.vn", "bất kỳ mật khẩu nào")
    wrong = login(site.anonymous(), site.emails["own"], "bất kỳ mật khẩu nào")
    assert unknown.status_code == wrong.status_code == 401
    assert "Sai địa chỉ email hoặc mật khẩu" in unknown.text and "Sai địa chỉ email hoặc mật khẩu" in wrong.text
    assert 'value="khong.co@example.vn"' in unknown.text  # the typed email is kept, the password never
    assert count(site, "auth_events", "kind = 'login_failed' AND email = 'khong.co@example.vn'") == 1


def _invite(site, email="moi@soct.hanoi.example.vn") -> str:
    link = invite_user(site.db, site.clock, site.settings, email=email, name="Người Mới", role="province",
                       province="ha-noi").link
    assert link.startswith("http://127.0.0.1:8000/invite/")
    return link.removeprefix("http://127.0.0.1:8000")


def test_an_invitation_link_works_once(site):
    path = _invite(site)
    client = site.anonymous()
    page = client.get(path)
    assert page.status_code == 200 and 'data-page="invite"' in page.text
    token = csrf_of(client, path)
    short = client.post(path, data={"csrf_token": token, "password": "ngắn", "password_confirm": "ngắn"})
    assert short.status_code == 422 and 'data-field="password"' in short.text
    done = client.post(path, data={"csrf_token": token, "password": "mật khẩu đủ dài", "password_confirm":
                                   "mật khẩu đủ dài"})
    assert done.status_code == 303 and done.headers["location"] == "/login?flash=password_set"
    assert login(site.anonymous(), "moi@soct.hanoi.example.vn", "mật khẩu đủ dài").status_code == 303
    again = client.post(path, data={"csrf_token": token, "password": "mật khẩu khác nữa",
                                    "password_confirm": "mật khẩu khác nữa"})
    assert again.status_code == 410
    assert client.get(path).status_code == 410
    assert count(site, "auth_events", "kind = 'password_set'") == 5  # four accounts of the site, and this one


def test_an_invitation_link_expires_after_48_hours(site):
    path = _invite(site)
    site.clock.advance(hours=47, minutes=59)
    assert site.anonymous().get(path).status_code == 200
    site.clock.advance(minutes=2)
    client = site.anonymous()
    assert client.get(path).status_code == 410
    token = csrf_of(client, "/login")
    assert client.post(path, data={"csrf_token": token, "password": "mật khẩu đủ dài",
                                   "password_confirm": "mật khẩu đủ dài"}).status_code == 410
    assert site.scalar("SELECT password_hash FROM users WHERE email = 'moi@soct.hanoi.example.vn'") is None


def test_a_disabled_users_link_does_not_work(site):
    path = _invite(site)
    disable_user(site.db, site.clock, "moi@soct.hanoi.example.vn")
    assert site.anonymous().get(path).status_code == 410


def test_language_per_user(site):
    client = site.client("own")
    assert "Việc của tỉnh" in client.get("/province").text
    assert client.post("/account/language", data={"csrf_token": csrf_of(client), "lang": "en"}).status_code == 303
    page = client.get("/province").text
    assert "Province work" in page and 'lang="en"' in page
    assert site.scalar("SELECT locale FROM users WHERE email = :e", e=site.emails["own"]) == "en"
    assert client.post("/account/language", data={"csrf_token": csrf_of(client), "lang": "fr"}).status_code == 400


def test_the_login_page_language_toggle_holds_for_the_form(site):
    client = site.anonymous()
    assert "Đăng nhập" in client.get("/login").text
    english = client.get("/login?lang=en")
    assert "Log in" in english.text and 'lang="en"' in english.text
    token = csrf_of(client, "/login")
    wrong = client.post("/login", data={"email": "x@example.vn", "password": "sai", "csrf_token": token})
    assert "Wrong email address or password" in wrong.text
