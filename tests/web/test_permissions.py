"""Every route of the application against every role: the expected answer, and nothing changed on a refusal.

The routes are enumerated from the application's router, so a new route
without an entry in EXPECTED fails this test until someone decides who
may use it.
"""
from __future__ import annotations

from pathlib import Path

from starlette.routing import Mount, Route

from dtrack.accounts.admin import invite_user
from dtrack.seeds import DIRECTIVE_20_FILE
from tests.web.http_support import ACCOUNTS, csrf_of

# Commune officers (issue 24): of Ba Đình, whose part of a Hà Nội task exists here; of Ngọc Hà (another
# commune of the same province); of a Huế ward (another province). A province task is missing to all three.
COMMUNE_ROLES = ("commune_own", "commune_near", "commune_far")
COMMUNES = {"commune_own": "00004", "commune_near": "00008", "commune_far": "19768"}
ROLES = ("anonymous", "other", "overseer", "own", "admin", *COMMUNE_ROLES)
LOGIN = "login"  # anonymous on a page that needs a login: 303 to /login
OK, MOVED = 200, 303  # a page; a change done (303 to a page)


def only(allowed: dict[str, int | set[int]], refused: int = 403) -> dict[str, set[int]]:
    """Roles in `allowed` get their answer, every other logged-in role `refused`, anonymous the login page."""
    result: dict[str, set[int]] = {}
    for role in ROLES:
        answer = allowed.get(role, LOGIN if role == "anonymous" else refused)
        result[role] = answer if isinstance(answer, set) else {answer}
    return result


EVERYONE = {r: OK for r in ROLES}
LOGGED_IN = {r: OK for r in ROLES if r != "anonymous"}
OVERSIGHT = {"overseer": OK, "admin": OK}
HANOI = {"own": OK, "overseer": OK, "admin": OK}
# Another province's task is answered as a missing one (404, the same page), so its id reveals nothing; a 403
# stays for what a caller may see but not do.
HIDDEN = {"other": 404, **{r: 404 for r in COMMUNE_ROLES}}
# A change that an earlier allowed role may already have made: the later one is refused by the state (422).
DONE_OR_STALE = {MOVED, 422}

EXPECTED: dict[tuple[str, str], dict[str, set[int]]] = {
    ("GET", "/healthz"): only(EVERYONE),
    ("GET", "/static"): only(EVERYONE),
    ("GET", "/"): only({r: MOVED for r in ROLES if r != "anonymous"}),
    ("GET", "/login"): only(EVERYONE),
    # Five wrong passwords in a row (one per role here) lock the account: the fifth answer is 429.
    ("POST", "/login"): only({r: {401, 429} for r in ROLES}),
    ("POST", "/logout"): only({r: MOVED for r in ROLES if r != "anonymous"}),
    ("GET", "/invite/{token}"): only(EVERYONE),
    ("POST", "/invite/{token}"): only({r: 422 for r in ROLES}),
    ("POST", "/account/language"): only({r: MOVED for r in ROLES if r != "anonymous"}),
    ("GET", "/province"): only(HANOI),
    ("GET", "/tasks/{task_id:int}"): only({**HANOI, **HIDDEN}),
    ("POST", "/tasks/{task_id:int}/actions/{trigger}"): only({"own": MOVED, "admin": DONE_OR_STALE, **HIDDEN}),
    ("POST", "/tasks/{task_id:int}/extend"): only({"overseer": MOVED, "admin": DONE_OR_STALE, **HIDDEN}),
    # Only the task's own province asks; only the Department decides, once (a second decision: 422).
    ("POST", "/tasks/{task_id:int}/request-extension"): only({"own": MOVED, **HIDDEN}),
    ("POST", "/tasks/{task_id:int}/extension-requests/{request_id:int}/grant"):
        only({"overseer": MOVED, "admin": DONE_OR_STALE}),
    ("POST", "/tasks/{task_id:int}/extension-requests/{request_id:int}/refuse"):
        only({"overseer": MOVED, "admin": DONE_OR_STALE}),
    # Marked by the overseer first: the admin then finds it already marked (422); the same for the undo.
    ("POST", "/tasks/{task_id:int}/not-applicable"): only({"overseer": MOVED, "admin": DONE_OR_STALE, **HIDDEN}),
    ("POST", "/tasks/{task_id:int}/applicable"): only({"overseer": MOVED, "admin": DONE_OR_STALE, **HIDDEN}),
    ("GET", "/indicators"): only(LOGGED_IN),
    ("POST", "/indicators"): only({"own": MOVED, "overseer": MOVED, "admin": MOVED}),
    ("POST", "/indicators/import"): only({r: 422 for r in ROLES if r != "anonymous"}),  # posted without a file
    ("GET", "/review"): only(OVERSIGHT),
    ("POST", "/review/accept"): only({"overseer": 422, "admin": 422}),  # posted with no task ticked
    ("GET", "/overdue"): only(OVERSIGHT),
    ("GET", "/dashboard"): only(OVERSIGHT),
    ("GET", "/scorecard"): only(OVERSIGHT),
    ("GET", "/matrix"): only(OVERSIGHT),
    ("GET", "/status"): only(OVERSIGHT),
    ("GET", "/extend-group"): only(OVERSIGHT),
    # The answer is the page of what was and was not extended (the second time: nothing, each task said why).
    ("POST", "/extend-group"): only({"overseer": OK, "admin": OK}),
    ("GET", "/reports/national"): only(OVERSIGHT),
    ("GET", "/reports/province/{slug}"): only(HANOI),
    ("GET", "/admin/users"): only({"admin": OK}),
    ("POST", "/admin/users/invite"): only({"admin": OK}),
    ("POST", "/admin/users/{user_id:int}/disable"): only({"admin": MOVED}),
    ("POST", "/admin/users/{user_id:int}/edit"): only({"admin": MOVED}),
    ("POST", "/admin/users/{user_id:int}/reset"): only({"admin": OK}),
    ("GET", "/admin/directives"): only({"admin": OK}),
    ("POST", "/admin/directives/load"): only({"admin": OK}),
    ("POST", "/admin/directives/assign"): only({"admin": OK}),
    ("GET", "/admin/settings"): only({"admin": OK}),
    ("GET", "/admin/outbox"): only({"admin": OK}),
    ("GET", "/admin/calendar"): only({"admin": OK}),
    ("POST", "/admin/calendar/preview"): only({"admin": 422}),  # posted without a day
    ("POST", "/admin/calendar/apply"): only({"admin": 422}),
    ("POST", "/admin/outbox/{message_id:int}/retry"): only({"admin": 404}),  # no such message here
    # Evidence files (none exist here: a read by who may see the task is a 404) and the thread.
    ("POST", "/tasks/{task_id:int}/files"): only({"own": 422, "admin": 422, **HIDDEN}),  # posted without a file
    ("GET", "/tasks/{task_id:int}/files/{file_id:int}"): only({r: 404 for r in HANOI} | HIDDEN),
    ("POST", "/tasks/{task_id:int}/files/{file_id:int}/withdraw"): only({r: 404 for r in HANOI} | HIDDEN),
    ("POST", "/tasks/{task_id:int}/comments"): only({r: 422 for r in HANOI} | HIDDEN),  # posted without a comment
    # A commune's part (of 20/CT-BCT:2:ha-noi, Ba Đình's): its commune works on it, the province judges it, the
    # overseers read it; another commune and another province do not learn it exists (404).
    ("GET", "/commune"): only(LOGGED_IN),
    # The late communes of a province: its own officer and the overseers; every commune officer is refused.
    ("GET", "/provinces/{slug}/late-communes"): only(HANOI),
    ("GET", "/parts/{part_id:int}"): only({"own": OK, "overseer": OK, "admin": OK, "commune_own": OK,
                                           "commune_near": 404, "commune_far": 404, "other": 404}),
    # start: the commune's action (the province officer and the overseer see the part, may not: 403); the admin
    # starts it first, so the commune's own officer then finds it started (422).
    ("POST", "/parts/{part_id:int}/actions/{trigger}"): only({"commune_own": DONE_OR_STALE, "admin": MOVED,
                                                             "commune_near": 404, "commune_far": 404, "other": 404}),
    ("POST", "/tasks/{task_id:int}/delegate"): only({"own": MOVED, "admin": MOVED, **HIDDEN}),
    # A document's number on a task (issue 23): whoever may act on the task records one, as often as documents come.
    ("POST", "/tasks/{task_id:int}/documents"): only({"own": MOVED, "overseer": MOVED, "admin": MOVED, **HIDDEN}),
    ("GET", "/account"): only(LOGGED_IN),
    # What changed since the last visit (issue 26): everyone logged in, each their own (a commune officer their
    # commune's parts); the mark is the user's own, so every logged-in role may set it.
    ("GET", "/changes"): only(LOGGED_IN),
    ("POST", "/changes/seen"): only({r: MOVED for r in ROLES if r != "anonymous"}),
    ("POST", "/account/mail"): only({r: MOVED for r in ROLES if r != "anonymous"}),
    # Anyone may ask for a reset link: the same answer whether or not the address has an account.
    ("GET", "/forgot-password"): only(EVERYONE),
    ("POST", "/forgot-password"): only({r: MOVED for r in ROLES}),  # to the page that says a link may come
    ("GET", "/reports/urge/{slug}"): only(OVERSIGHT),
    # Urge letters (issue 23): overseers only. No draft 1 here (404); the form posted without a recipient (422).
    ("GET", "/letters"): only(OVERSIGHT),
    ("GET", "/letters/{draft_id}/draft"): only({"overseer": 404, "admin": 404}),
    ("POST", "/letters/{draft_id}/approve"): only({"overseer": 404, "admin": 404}),
    ("POST", "/letters/{draft_id}/discard"): only({"overseer": 404, "admin": 404}),
    ("GET", "/reports/urge/{slug}/compose"): only(OVERSIGHT),
    ("POST", "/reports/urge/{slug}/compose"): only({"overseer": 422, "admin": 422}),
    ("POST", "/account/feed"): only(LOGGED_IN),
    ("POST", "/account/tokens"): only({r: 422 for r in ROLES if r != "anonymous"}),  # the form without a name
    ("POST", "/account/tokens/{token_id:int}/revoke"): only({r: 404 for r in ROLES if r != "anonymous"}),
    # A calendar program has no session: the address is the credential (this one is not a feed's).
    ("GET", "/feeds/{token}.ics"): only({r: 404 for r in ROLES}),
    # The API ignores the session cookie (no CSRF through it): without a bearer token, 401 for all.
    ("GET", "/api/v1/openapi.json"): only(EVERYONE),
    **{(method, f"/api/v1{path}"): only({r: 401 for r in ROLES}) for method, path in (
        ("GET", "/tasks"), ("GET", "/tasks/{task_id:int}"), ("POST", "/tasks/{task_id:int}/transitions"),
        ("GET", "/tasks/{task_id:int}/parts"), ("GET", "/parts"), ("GET", "/parts/{part_id:int}"),
        ("POST", "/parts/{part_id:int}/transitions"),
        ("GET", "/overdue"), ("GET", "/matrix"), ("GET", "/status"), ("GET", "/indicators"), ("POST", "/indicators"),
        ("GET", "/reports/national"), ("GET", "/reports/province/{slug}"))},
}
# Changes allowed to the role: the fingerprint may differ after these answers.
CHANGES = {MOVED, 200}


def router_routes(app) -> list[tuple[str, str]]:
    found = []
    for route in app.routes:
        if isinstance(route, Mount):
            found.append(("GET", route.path))
        elif isinstance(route, Route):
            found += [(method, route.path) for method in sorted(route.methods or ()) if method != "HEAD"]
    return found


def test_every_route_has_an_expectation(site):
    routes = router_routes(site.app)
    assert len(routes) == len(set(routes))
    assert set(routes) == set(EXPECTED), "decide who may use each new route, in EXPECTED"


def test_every_route_against_every_role(site):
    hanoi_task = site.task_id("20/CT-BCT:2:ha-noi")
    victim_id = _victim(site)
    invite_token = invite_user(site.db, site.clock, site.settings, email="moi@soct.hanoi.example.vn",
                               name="Người Được Mời", role="province", province="ha-noi").link.rsplit("/", 1)[1]
    part_id = _communes(site)
    clients = {role: site.anonymous() if role == "anonymous" else site.client(role) for role in ROLES}
    params = {"task_id": hanoi_task, "trigger": "start", "slug": "ha-noi", "token": invite_token, "user_id": victim_id,
              "token_id": 1, "file_id": 1, "message_id": 999, "part_id": part_id,
              "draft_id": 1}
    requests = _pending_requests(site)
    problems = []
    # Logout last: it ends the sessions the other routes need.
    ordered = sorted(router_routes(site.app), key=lambda r: r[1] == "/logout")
    for method, path in ordered:
        for role in ROLES:
            client = clients[role]
            url = _url(path, {**params, **requests.get(path, {})})
            before = site.fingerprint()
            answer = _request(site, client, method, url, path, role, hanoi_task)
            expected = EXPECTED[(method, path)][role]
            status = answer.status_code
            if LOGIN in expected:
                if status != 303 or not answer.headers.get("location", "").startswith("/login"):
                    problems.append(f"{method} {url} as {role}: {status}, expected 303 to /login")
            elif status not in expected:
                problems.append(f"{method} {url} as {role}: {status}, expected {sorted(expected)}")
            refused = status not in CHANGES or LOGIN in expected
            if refused and site.fingerprint() != before:
                problems.append(f"{method} {url} as {role}: refused with {status} but the database changed")
            if status == 500:
                problems.append(f"{method} {url} as {role}: server error")
    assert not problems, "\n".join(problems)


def _pending_requests(site) -> dict[str, dict[str, int]]:
    """A pending extension request of a Hà Nội task for each decision route: task id and request id."""
    from datetime import date

    from dtrack.workflow.extension_requests import request_extension

    found = {}
    for path, key in (("/tasks/{task_id:int}/extension-requests/{request_id:int}/grant", "20/CT-BCT:4:ha-noi"),
                      ("/tasks/{task_id:int}/extension-requests/{request_id:int}/refuse", "20/CT-BCT:5:ha-noi")):
        made = request_extension(site.db, site.clock, ACCOUNTS["own"][0], key, date(2028, 12, 31), "Chờ kinh phí")
        found[path] = {"task_id": made.task_id, "request_id": made.id}
    return found


def _communes(site) -> int:
    """The three commune officers (with passwords, as site.client names them) and Ba Đình's part; its id."""
    from datetime import date

    from dtrack.accounts.admin import set_password
    from dtrack.workflow.parts import delegate
    from dtrack.workflow.users import add_user
    from tests.web.http_support import PASSWORD

    with site.db.session() as session:
        for role, code in COMMUNES.items():
            add_user(session, email=f"{role}@xa.example.vn", name=role, role="commune", province=None,
                     now=site.clock.now(), commune=code)
    for role in COMMUNES:
        set_password(site.db, site.clock, f"{role}@xa.example.vn", PASSWORD)
        site.emails[role] = f"{role}@xa.example.vn"
    done = delegate(site.db, site.clock, ACCOUNTS["own"][0], "20/CT-BCT:2:ha-noi", ["00004"], date(2026, 3, 2),
                    "Báo cáo số cơ sở")
    return site.scalar("SELECT id FROM task_parts WHERE task_id = :t", t=site.task_id(done.task_key))


def _victim(site) -> int:
    from dtrack.workflow.users import add_user

    with site.db.session() as session:
        user, _ = add_user(session, email="nan.nhan@soct.hanoi.example.vn", name="Nạn Nhân", role="province",
                           province="ha-noi", now=site.clock.now())
        return user.id


def _url(path: str, params: dict) -> str:
    if path == "/static":
        return "/static/dtrack.css"
    url = path
    for name, value in params.items():
        url = url.replace("{" + name + ":int}", str(value)).replace("{" + name + "}", str(value))
    return {"/province": "/province?province=ha-noi", "/reports/national": "/reports/national?format=csv",
            "/reports/province/ha-noi": "/reports/province/ha-noi?format=md"}.get(url, url)


def _request(site, client, method: str, url: str, path: str, role: str, task_id: int):
    if method == "GET":
        return client.get(url)
    anonymous_form = role == "anonymous" or path in ("/login", "/invite/{token}", "/forgot-password")
    token = csrf_of(client, "/login") if anonymous_form else csrf_of(client)
    version = str(site.version(task_id))
    data = {"csrf_token": token, "version": version}
    files = None
    if path == "/login":
        data.update(email=ACCOUNTS["own"][0], password="not the password")
    elif path.startswith("/invite/"):
        data.update(password="mot-mat-khau-dai", password_confirm="khac-mat-khau")
    elif path == "/account/language":
        data.update(lang="vi")
    elif path == "/forgot-password":
        data.update(email=f"ai.do.{role}@example.vn")
    elif path == "/account/mail":
        data.update(digest_frequency="weekly")
    elif path.endswith("/extend"):
        data.update(to="30/06/2027", reason="Gia hạn theo đề nghị của tỉnh")
    elif path.endswith("/documents"):
        data.update(number="7/BC-SCT", issued_on="02/01/2026", issuer="Sở Công Thương", direction="in")
    elif path.endswith("/delegate"):
        data.update(communes="00008", to="02/03/2026", note="Rà soát cơ sở")
    elif path.startswith("/parts/"):
        data.update(version=str(site.scalar("SELECT version FROM task_parts WHERE id = :p",
                                            p=int(url.split("/")[2]))))
    elif path.endswith("/request-extension"):
        data.update(to="31/12/2027", reason="Chờ số liệu của các xã")
    elif path.endswith("/grant"):
        data.update(note="Đồng ý")
    elif path.endswith("/refuse"):
        data.update(reason="Không đủ căn cứ")
    elif path.endswith("applicable"):
        data.update(reason="Tỉnh không có làng nghề")
    elif path == "/extend-group":
        data.update(directive="20/CT-BCT", group="3", provinces="north", to="30/06/2027", reason="Gia hạn chung")
    elif path == "/indicators":
        data.update(unit="ha-noi", indicator="budget_plan", period="2025", value="1.000.000")
    elif path == "/admin/users/invite":
        data.update(email=f"moi.{role}@example.vn", name="Người Mới", role="overseer")
    elif path.endswith("/edit"):
        data.update(role="province", province="hue")
    elif path == "/admin/directives/load":
        files = {"file": ("directive.toml", Path(DIRECTIVE_20_FILE).read_bytes(), "application/toml")}
    elif path == "/admin/directives/assign":
        data.update(code="20/CT-BCT", provinces="all")
    return client.post(url, data=data, files=files)
