"""The JSON API under /api/v1/: the pages' core calls, for programs, with personal tokens.

Every operation authenticates an `Authorization: Bearer dtk_…` token
(accounts.api_tokens), then calls the same core function as the page or
command and answers its `to_json()` shape, which is also what `--json`
prints. The permissions are the core's: a province token reads and acts on
its own province only, whatever filter it sends. Errors are RFC 9457
problem documents whose `detail` is the error worded from the catalog in the
caller's language (`?lang`, else the account's, else Accept-Language); an
InvalidInput names its `field` as the API does. Nothing here writes a query or
a rule. The OpenAPI document (web/openapi.py) is served at
/api/v1/openapi.json, and each request is checked against it before its
handler runs (web/api_rules.py): what the document forbids is a 422 naming
the field. Fields and details are in the API's words (`progress`, never the
command line's `--progress`). A 404/405 of the router under /api/ is a
problem too (web/app.py).
"""
from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dtrack.accounts.api_tokens import bearer_user
from dtrack.config.today import Today
from dtrack.errors import (
    ConcurrentUpdate,
    DtrackError,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
)
from dtrack.i18n.error_messages import say, text
from dtrack.persistence.models import User
from dtrack.reading.commune_parts import list_parts, part_detail, task_parts
from dtrack.reading.task_listing import TaskFilters, task_listing
from dtrack.reading.worklists import OverdueFilters, overdue_page, status_page, task_page, timeliness_page
from dtrack.reports.indicators import DEFAULT_DIRECTIVE, IndicatorView, catalogue, report_value
from dtrack.reports.national import national_report_for
from dtrack.reports.province import province_report_for
from dtrack.web.api_rules import api_field, check_request
from dtrack.web.body_limit import BodyTooLarge, limit_body
from dtrack.web.downloads import report_download, report_options
from dtrack.web.edge import WebApp, has_nul
from dtrack.web.forms import parse_day
from dtrack.web.intake import read_body
from dtrack.web.openapi import document
from dtrack.workflow import lifecycle
from dtrack.workflow.actions import FIELDS
from dtrack.workflow.part_service import PartTracker
from dtrack.workflow.service import Tracker
from dtrack.workflow.vocabulary import LANGUAGES as LANGS

log = logging.getLogger("dtrack.api")
PREFIX = "/api/v1"
MAX_BODY = 64 * 1024
PROBLEM = "application/problem+json"
_STATUS = [(NotAuthenticated, 401), (PermissionDenied, 403), (NotFound, 404), (ConcurrentUpdate, 409),
           (TransitionNotAllowed, 409), (InvalidInput, 422), (DtrackError, 400)]
_TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
           409: "Conflict", 413: "Content Too Large", 415: "Unsupported Media Type", 422: "Unprocessable Content",
           500: "Internal Server Error"}


@dataclass
class Call:
    """One API request: who, when, and what it sent."""

    request: Request
    app: WebApp
    user: User
    body: dict[str, Any]
    today: Today = field(init=False)

    def __post_init__(self) -> None:
        self.today = self.app.today()  # one day for the whole call

    def query(self, name: str) -> str | None:
        return self.request.query_params.get(name) or None


def problem(status: int, detail: str, *, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": _TITLES.get(status, "Error"), "status": status, "detail": detail, **extra}
    headers = dict(headers or {})
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="dtrack"'
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers or None)


def caller_lang(request: Request, user: User | None = None) -> str:
    """The language of the caller's errors: `?lang`, else the account's, else Accept-Language, else the site's."""
    chosen = request.query_params.get("lang")
    if chosen in LANGS:
        return chosen
    if user is not None and user.locale in LANGS:
        return user.locale
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower().split("-")[0]
        if tag in LANGS:
            return tag
    web: WebApp = request.app.state.web
    return web.settings.language


def _answer(exc: DtrackError, lang: str) -> JSONResponse:
    """The problem for a core error, in the caller's language; its field as the API names it (`progress`)."""
    status = next(code for kind, code in _STATUS if isinstance(exc, kind))
    if isinstance(exc, InvalidInput) or exc.field:  # a filter naming nothing (`directive`) names its field too
        name = api_field(exc.field or "")
        return problem(status, say(exc, lang, "api", where=name), field=name)
    return problem(status, say(exc, lang, "api"))


def _body(request: Request, raw: bytes | None, lang: str) -> dict[str, Any] | JSONResponse:
    if raw is None:
        return {}
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return problem(415, text(lang, "error.api_not_json"))
    if len(raw) > MAX_BODY:
        return problem(413, text(lang, "error.api_body_too_large", max=MAX_BODY))
    try:
        body = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        return problem(400, text(lang, "error.api_bad_json"))
    if not isinstance(body, dict):
        return problem(422, text(lang, "error.api_not_object"), field="body")
    return body


def _server_error(request: Request, lang: str) -> JSONResponse:
    reference = uuid.uuid4().hex[:12]
    log.exception("API error %s on %s %s", reference, request.method, request.url.path)
    return problem(500, text(lang, "error.api_server_error", ref=reference))


def _who(request: Request) -> User | JSONResponse:
    """The token's user, or the problem to answer (a POST's body is not read before this says yes)."""
    app: WebApp = request.app.state.web
    try:
        return bearer_user(app.db, request.headers.get("authorization"), app.clock.now())
    except DtrackError as exc:
        return _answer(exc, caller_lang(request))
    except Exception:
        return _server_error(request, caller_lang(request))


def _run(request: Request, handler: Callable[..., Any], raw: bytes | None, user: User | None = None) -> Response:
    app: WebApp = request.app.state.web
    try:
        # Who first: a request without a valid token learns nothing, not even what its body did wrong.
        if user is None:  # a GET: looked up here, in the same trip to the thread pool
            user = bearer_user(app.db, request.headers.get("authorization"), app.clock.now())
        body = _body(request, raw, caller_lang(request, user))
        if isinstance(body, JSONResponse):
            return body
        result = handler(Call(request, app, user, body), **request.path_params)
    except DtrackError as exc:
        return _answer(exc, caller_lang(request, user))
    except Exception:
        return _server_error(request, caller_lang(request, user))
    if isinstance(result, Response):
        return result
    shaped = [item.to_json() for item in result] if isinstance(result, list) else result.to_json()
    return JSONResponse(shaped, headers={"Cache-Control": "no-store"})


def _endpoint(handler: Callable[..., Any]) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        if has_nul(request):
            return problem(400, text(caller_lang(request), "error.api_nul"))
        if request.method != "POST":
            return await run_in_threadpool(_run, request, handler, None)
        # The token before the body: an anonymous POST is answered without a byte of its body read, and
        # the body is counted while it streams (body_limit), with or without a Content-Length.
        try:
            limit_body(request, MAX_BODY)
            user = await run_in_threadpool(_who, request)
            if isinstance(user, Response):
                return user
            raw = await read_body(request)
        except BodyTooLarge:
            return problem(413, text(caller_lang(request), "error.api_body_too_large", max=MAX_BODY))
        return await run_in_threadpool(_run, request, handler, raw, user)
    endpoint.__name__ = f"api_{handler.__name__}"
    return endpoint


def _text(call: Call, name: str) -> str | None:
    value = call.body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InvalidInput(name, "must_be_text_value")
    return str(value)


def _documented(method: str, path: str, handler: Callable[..., Any]) -> Callable[..., Any]:
    """`handler`, after the request was checked against its operation in the OpenAPI document (api_rules)."""
    @wraps(handler)
    def checked(call: Call, **params: Any) -> Any:
        check_request(method, path, call.request.query_params, call.body if method == "POST" else None)
        return handler(call, **params)
    return checked


# --- operations ---------------------------------------------------------------------


def list_tasks(call: Call) -> Any:
    filters = TaskFilters(*(call.query(n) for n in ("province", "region", "state", "directive", "group", "limit",
                                                     "offset")))
    with call.app.db.session() as session:
        return task_listing(session, call.user, filters, call.today)


def show_task(call: Call, task_id: int) -> Any:
    with call.app.db.session() as session:
        return task_page(session, call.user, str(task_id), call.today)


def transition(call: Call, task_id: int) -> Any:
    trigger = _text(call, "trigger")
    if not trigger:  # the document requires it (api_rules answers first): a guard, for a handler called directly
        raise InvalidInput("trigger", "missing_trigger", known=[str(a.trigger) for a in lifecycle.current().actions])
    inputs = {field.value: _text(call, field.value) for field in FIELDS}
    return Tracker(call.app.db, call.app.clock).fire(task_id, trigger, call.user.email, **inputs,
                                                     expected_version=_text(call, "expected_version"))


def parts(call: Call) -> Any:
    """The parts the caller may see (a commune officer: their commune's), by deadline."""
    with call.app.db.session() as session:
        return list_parts(session, call.user, call.today.day, state=call.query("state"))


def parts_of_task(call: Call, task_id: int) -> Any:
    with call.app.db.session() as session:
        return task_parts(session, call.user, str(task_id), call.today.day)


def show_part(call: Call, part_id: int) -> Any:
    with call.app.db.session() as session:
        return part_detail(session, call.user, str(part_id), call.today.day)


def part_transition(call: Call, part_id: int) -> Any:
    """One action on a part: the same action table, write path and permissions as a task's (`PartTracker`)."""
    trigger = _text(call, "trigger")
    if not trigger:
        raise InvalidInput("trigger", "missing_trigger", known=[str(a.trigger) for a in lifecycle.current().actions])
    inputs = {field.value: _text(call, field.value) for field in FIELDS}
    return PartTracker(call.app.db, call.app.clock).fire(part_id, trigger, call.user.email, **inputs,
                                                         expected_version=_text(call, "expected_version"))


def overdue(call: Call) -> Any:
    filters = OverdueFilters(*(call.query(n) for n in ("region", "province", "group", "directive", "min_days",
                                                        "page")))
    with call.app.db.session() as session:
        return overdue_page(session, call.user, call.today, filters)


def matrix(call: Call) -> Any:
    with call.app.db.session() as session:
        return timeliness_page(session, call.user, call.today, call.query("region"), call.query("directive"))


def status(call: Call) -> Any:
    with call.app.db.session() as session:
        return status_page(session, call.user, call.query("directive") or DEFAULT_DIRECTIVE, call.query("region"),
                           call.today)


def indicators(call: Call) -> Any:
    with call.app.db.session() as session:
        lang = call.query("lang") or call.user.locale
        return [IndicatorView.of(i, lang) for i in catalogue(session, call.query("directive") or DEFAULT_DIRECTIVE)]


def report_figure(call: Call) -> Any:
    as_of = _text(call, "as_of")
    with call.app.db.session() as session:
        row, note = report_value(session, unit=_text(call, "unit") or "", indicator=_text(call, "indicator") or "",
                                 period=_text(call, "period") or "", value=_text(call, "value"),
                                 actor_email=call.user.email, now=call.app.clock.now(), today=call.today.day,
                                 as_of=parse_day(as_of, "as_of") if as_of else None, note=_text(call, "note"))
        return JSONResponse({"id": row.id, "indicator": _text(call, "indicator"), "period": row.period,
                             "value": row.value, "note": note}, status_code=201)


def national(call: Call) -> Any:
    options, fmt = report_options(call.request.query_params, call.app, call.user.locale)
    with call.app.db.session() as session:
        return report_download(national_report_for(session, call.user, options), fmt)


def province(call: Call, slug: str) -> Any:
    options, fmt = report_options(call.request.query_params, call.app, call.user.locale)
    with call.app.db.session() as session:
        return report_download(province_report_for(session, call.user, slug, options), fmt)


async def openapi(request: Request) -> Response:
    return JSONResponse(document())


# (path as the document writes it, {method: handler}); one Route per path, so that a 405 lists every method
# of the path in its Allow header (two Routes for one path would each list only their own).
_OPERATIONS: list[tuple[str, dict[str, Callable[..., Any]]]] = [
    ("/tasks", {"GET": list_tasks}),
    ("/tasks/{task_id}", {"GET": show_task}),
    ("/tasks/{task_id}/transitions", {"POST": transition}),
    ("/tasks/{task_id}/parts", {"GET": parts_of_task}),
    ("/parts", {"GET": parts}),
    ("/parts/{part_id}", {"GET": show_part}),
    ("/parts/{part_id}/transitions", {"POST": part_transition}),
    ("/overdue", {"GET": overdue}),
    ("/matrix", {"GET": matrix}),
    ("/status", {"GET": status}),
    ("/indicators", {"GET": indicators, "POST": report_figure}),
    ("/reports/national", {"GET": national}),
    ("/reports/province/{slug}", {"GET": province}),
]


def _route(path: str, handlers: dict[str, Callable[..., Any]]) -> Route:
    checked = {method: _documented(method, PREFIX + path, handler) for method, handler in handlers.items()}

    def by_method(call: Call, **params: Any) -> Any:
        return checked[call.request.method if call.request.method != "HEAD" else "GET"](call, **params)
    by_method.__name__ = "_".join(h.__name__ for h in handlers.values())
    typed = path.replace("{task_id}", "{task_id:int}").replace("{part_id}", "{part_id:int}")
    return Route(PREFIX + typed, _endpoint(by_method), methods=list(handlers))


routes = [
    Route(f"{PREFIX}/openapi.json", openapi, methods=["GET"], name="api_openapi"),
    *(_route(path, handlers) for path, handlers in _OPERATIONS),
]

__all__ = ["PREFIX", "routes"]
