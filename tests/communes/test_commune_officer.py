"""The commune officer: a role bound to one commune, shown in the users lists, and seeing no province task.

"No province task" is checked everywhere a read can happen: every page of the
application (enumerated from its router), the JSON API with a token, the
calendar feed and the command line's actions. The answers are 404 (a task is
missing to them, as another province's is to a province officer), 403 (a page
of province work), an empty list or calendar; never a page with a task on it,
never a change, never a 500.
"""
from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from starlette.routing import Mount, Route

from dtrack.accounts import admin
from dtrack.accounts.api_tokens import create_token
from dtrack.accounts.feeds import new_feed_link
from dtrack.persistence.models import Commune, User
from dtrack.workflow.communes import UnknownCommune
from dtrack.workflow.users import add_user
from tests.web.http_support import PASSWORD, csrf_of

OFFICER = "can.bo@badinh.hanoi.example.vn"
KEY = "20/CT-BCT:2:ha-noi"
TASK_KEYS = re.compile(r"20/CT-BCT:\d+:[a-z-]+")


def bound(db, email: str) -> tuple[str | None, int | None, str | None]:
    """(role, province_id, commune code) of a user as stored."""
    with db.session() as session:
        user = session.scalar(select(User).where(User.email == email))
        commune = session.get(Commune, user.commune_id) if user.commune_id else None
        return user.role, user.province_id, commune.code if commune else None


def test_users_add_binds_a_commune_officer_to_a_commune_by_code_or_by_name_in_a_province(cli_runner, db):
    added = cli_runner("users", "add", "--email", OFFICER, "--name", "Nguyễn Văn Xã", "--role", "commune",
                       "--commune", "00004")
    assert added.exit_code == 0, added.output
    assert added.output.strip() == f"đã thêm {OFFICER} (cán bộ xã, phường của 00004 Phường Ba Đình (ha-noi))"
    # The province is the commune's: the row keeps none of its own, so no province officer's rule reads it.
    assert bound(db, OFFICER) == ("commune", None, "00004")
    by_name = cli_runner("users", "add", "--email", "xa@thanhhoa.example.vn", "--name", "Lê Thị Thanh",
                         "--role", "commune", "--province", "thanh-hoa", "--commune", "xa ba dinh")
    assert by_name.exit_code == 0, by_name.output
    assert bound(db, "xa@thanhhoa.example.vn") == ("commune", None, "16171")

    listed = cli_runner("users", "list").output.splitlines()
    assert "  xã, phường  " in listed[0]
    row = next(line for line in listed if line.startswith(OFFICER))
    assert "cán bộ xã, phường" in row and "ha-noi" in row and "00004 Phường Ba Đình" in row
    as_json = {u["email"]: u for u in json.loads(cli_runner("users", "list", "--json").output)}
    assert as_json[OFFICER] == {"email": OFFICER, "name": "Nguyễn Văn Xã", "role": "commune",
                                     "province": "ha-noi", "locale": "vi", "commune": "00004",
                                     "commune_name": "Phường Ba Đình"}


@pytest.mark.parametrize("args, line", [
    (["--role", "commune", "--province", "hue", "--commune", "00004"],
     "lỗi: --commune: 00004 Phường Ba Đình không thuộc Huế"),
    (["--role", "commune"], "lỗi: --commune: cán bộ xã, phường cần được gắn với một xã, phường"),
    (["--role", "province", "--province", "ha-noi", "--commune", "00004"],
     "lỗi: --commune: chỉ cán bộ xã, phường mới gắn với một xã, phường, vai trò province thì không"),
    (["--role", "commune", "--commune", "Phường Không Có"],
     "lỗi: --commune: không có xã, phường, đặc khu nào có mã hoặc tên 'Phường Không Có'; "
     "xem `dtrack communes list --province …` để biết mã và tên các xã, phường của tỉnh"),
])
def test_users_add_refuses_a_commune_that_does_not_fit(cli_runner, db, args, line):
    refused = cli_runner("users", "add", "--email", OFFICER, "--name", "Nguyễn Văn Xã", *args)
    assert refused.exit_code == 1
    assert refused.output.strip().splitlines() == [line]
    with db.session() as session:
        assert session.scalar(select(User.id).where(User.email == OFFICER)) is None


def test_an_ambiguous_commune_is_refused_with_its_candidates_from_the_invite_command(cli_runner):
    refused = cli_runner("users", "invite", "--email", OFFICER, "--name", "Nguyễn Văn Xã", "--role", "commune",
                         "--commune", "ba dinh")
    assert refused.exit_code == 1
    assert "00004 Phường Ba Đình (Hà Nội), 16171 Xã Ba Đình (Thanh Hóa), 21499 Xã Ba Dinh (Quảng Ngãi)" \
        in refused.output
    invited = cli_runner("users", "invite", "--email", OFFICER, "--name", "Nguyễn Văn Xã", "--role", "commune",
                         "--province", "ha-noi", "--commune", "ba dinh")
    assert invited.exit_code == 0, invited.output


def test_the_admin_page_invites_a_commune_officer_shows_the_commune_and_changes_it(site):
    browser = site.client("admin")
    page = browser.get("/admin/users").text
    assert '<option value="commune">Cán bộ xã, phường</option>' in page and 'name="commune"' in page
    invited = browser.post("/admin/users/invite", data={
        "csrf_token": csrf_of(browser), "email": OFFICER, "name": "Nguyễn Văn Xã", "role": "commune",
        "province": "", "commune": "Phường Ba Đình"})
    assert invited.status_code == 200, invited.text[:300]
    row = re.search(rf'<tr data-user="{re.escape(OFFICER)}">(.*?)</tr>', browser.get("/admin/users").text, re.S)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row.group(1))
    assert "Cán bộ xã, phường" in cells and "Hà Nội" in cells
    assert "00004 Phường Ba Đình" in cells
    assert bound(site.db, OFFICER) == ("commune", None, "00004")

    ambiguous = browser.post("/admin/users/invite", data={
        "csrf_token": csrf_of(browser), "email": "khac@example.vn", "name": "Người Khác", "role": "commune",
        "commune": "ba dinh"})
    assert ambiguous.status_code == 422 and 'data-field="commune"' in ambiguous.text
    assert "16171 Xã Ba Đình (Thanh Hóa)" in ambiguous.text

    user_id = site.scalar("SELECT id FROM users WHERE email = :e", e=OFFICER)
    moved = browser.post(f"/admin/users/{user_id}/edit", data={"csrf_token": csrf_of(browser), "role": "commune",
                                                              "province": "thanh-hoa", "commune": "Xã Ba Đình"})
    assert moved.status_code == 303
    assert bound(site.db, OFFICER) == ("commune", None, "16171")
    promoted = browser.post(f"/admin/users/{user_id}/edit", data={"csrf_token": csrf_of(browser),
                                                                 "role": "province", "province": "hue",
                                                                 "commune": "16171"})
    assert promoted.status_code == 303
    role, province_id, commune = bound(site.db, OFFICER)
    assert (role, commune) == ("province", None) and province_id is not None
    events = site.scalar("SELECT count(*) FROM auth_events WHERE kind = 'role_changed' AND user_id = :u", u=user_id)
    assert events == 2


def test_a_commune_officer_cannot_be_bound_to_a_retired_commune(db):
    with db.session() as session:
        session.execute(Commune.__table__.update().where(Commune.code == "00008").values(
            retired_at=session.scalar(select(Commune.loaded_at).where(Commune.code == "00008"))))
    with db.session() as session, pytest.raises(UnknownCommune) as refused:
        add_user(session, email=OFFICER, name="X", role="commune", province=None, commune="00008",
                 now=session.scalar(select(Commune.loaded_at).limit(1)))
    assert refused.value.error_code == "unknown_commune"


# --- what a commune officer sees: no province task ---------------------------------------------------------

# The pages a commune officer may open (their own account, the shared ones) and where "/" sends them.
OPEN = {"/healthz", "/static", "/login", "/account", "/api/v1/openapi.json", "/indicators", "/commune",
        "/forgot-password", "/changes"}


def commune_client(site):
    with site.db.session() as session:
        add_user(session, email=OFFICER, name="Nguyễn Văn Xã", role="commune", province=None, commune="00004",
                 now=site.clock.now())
    admin.set_password(site.db, site.clock, OFFICER, PASSWORD)
    return site.client(OFFICER)


def get_routes(app) -> list[str]:
    return [route.path for route in app.routes
            if isinstance(route, Mount) or (isinstance(route, Route) and "GET" in (route.methods or ()))]


def url_of(path: str, task_id: int) -> str:
    params = {"task_id": task_id, "slug": "ha-noi", "token": "khong-co", "file_id": 1, "user_id": 1,
              "message_id": 999, "request_id": 1, "token_id": 1, "part_id": 1}
    url = "/static/dtrack.css" if path == "/static" else path
    for name, value in params.items():
        url = url.replace("{" + name + ":int}", str(value)).replace("{" + name + "}", str(value))
    return url


def test_every_page_answers_a_commune_officer_without_any_province_task(site):
    client = commune_client(site)
    task_id = site.task_id(KEY)
    home = client.get("/")
    assert home.status_code == 303 and home.headers["location"] == "/commune"  # their commune's parts
    problems = []
    # The API ignores the session cookie (401 to everyone without a token): test_the_api_gives_... has its own.
    for path in [p for p in get_routes(site.app) if not p.startswith("/api/v1/") or p in OPEN]:
        answer = client.get(url_of(path, task_id))
        if answer.status_code == 500:
            problems.append(f"{path}: server error")
        elif path in OPEN or path == "/":
            if answer.status_code not in (200, 303):
                problems.append(f"{path}: {answer.status_code}")
        elif path.startswith(("/tasks/", "/feeds/", "/invite/", "/parts/")):
            if answer.status_code not in (404, 410):  # a task is missing to them; a made-up link is gone
                problems.append(f"{path}: {answer.status_code}, expected 404")
        elif answer.status_code != 403:
            problems.append(f"{path}: {answer.status_code}, expected 403")
        if answer.status_code == 200 and TASK_KEYS.search(answer.text):
            problems.append(f"{path}: shows a task ({TASK_KEYS.search(answer.text).group(0)})")
    assert not problems, "\n".join(problems)
    account = client.get("/account").text
    assert "data-commune-officer" in account and 'href="/review"' not in account and 'href="/province"' not in account


def test_a_commune_officer_changes_nothing_through_the_task_forms(site):
    client = commune_client(site)
    task_id = site.task_id(KEY)
    before = site.fingerprint()
    token = csrf_of(client, "/account")
    version = str(site.version(task_id))
    for path, data in ((f"/tasks/{task_id}/actions/start", {"version": version}),
                       (f"/tasks/{task_id}/comments", {"comment": "Xin chào tỉnh"}),
                       (f"/tasks/{task_id}/request-extension", {"to": "31/12/2027", "reason": "Chờ"}),
                       ("/indicators", {"unit": "ha-noi", "indicator": "budget_plan", "period": "2025",
                                        "value": "1.000.000"})):
        answer = client.post(path, data={"csrf_token": token, **data})
        assert answer.status_code in (403, 404, 422), (path, answer.status_code)
    assert site.fingerprint() == before


def test_the_api_gives_a_commune_officer_no_task(site):
    commune_client(site)
    user_id = site.scalar("SELECT id FROM users WHERE email = :e", e=OFFICER)
    api = site.anonymous()
    api.headers["Authorization"] = f"Bearer {create_token(site.db, site.clock, user_id, 'xã', 30).token}"
    task_id = site.task_id(KEY)
    before = site.fingerprint()
    answers = {path: api.get(f"/api/v1{path}") for path in (
        "/tasks", "/tasks?province=ha-noi", f"/tasks/{task_id}", "/overdue", "/matrix", "/status",
        "/reports/national", "/reports/province/ha-noi")}
    answers["POST transition"] = api.post(f"/api/v1/tasks/{task_id}/transitions",
                                          json={"trigger": "start", "version": site.version(task_id)})
    for path, answer in answers.items():
        assert answer.status_code in (403, 404), (path, answer.status_code, answer.text[:200])
        problem = answer.json()  # a problem document, no task in it (its hint shows how keys are written)
        assert set(problem) <= {"type", "title", "status", "detail", "field", "code", "params", "hint"}, problem
    assert answers[f"/tasks/{task_id}"].status_code == 404 and answers["POST transition"].status_code == 404
    assert site.fingerprint() == before


def test_a_commune_officer_s_calendar_feed_is_empty(site):
    commune_client(site)
    user_id = site.scalar("SELECT id FROM users WHERE email = :e", e=OFFICER)
    link = new_feed_link(site.db, site.clock, site.settings, user_id)
    feed = site.anonymous().get(urlsplit(link.url).path)
    assert feed.status_code == 200, feed.status_code
    assert "BEGIN:VCALENDAR" in feed.text and "BEGIN:VEVENT" not in feed.text


def test_a_commune_officer_acts_on_no_task_from_the_command_line(cli_runner, db):
    assert cli_runner("users", "add", "--email", OFFICER, "--name", "Nguyễn Văn Xã", "--role", "commune",
                      "--commune", "00004").exit_code == 0
    for args in (["task", "start", KEY], ["task", "comment", KEY, "Xin chào"],
                 ["deadlines", "request", KEY, "--to", "31/12/2027", "--reason", "Chờ"],
                 ["indicators", "report", "ha-noi", "--period", "2025", "--indicator", "budget_plan",
                  "--value", "1000"]):
        refused = cli_runner(*args, "--as", OFFICER)
        assert refused.exit_code == 1 and refused.output.startswith("lỗi: "), (args, refused.output)
        assert "Traceback" not in refused.output
    assert "không có nhiệm vụ" in cli_runner("task", "start", KEY, "--as", OFFICER).output
    assert cli_runner("digest", "build").exit_code == 0
    with db.session() as session:
        assert session.execute(select(User.role).where(User.email == OFFICER)).scalar() == "commune"
