"""The web's edge: sessions, CSRF, language, rendering, and core errors mapped to answers once.

A route handler is a plain function `handler(ctx, **path_params)` run in
the thread pool (the database access is synchronous). `Routes` registers
it with what it needs: a login (default), and for a form the page that
shows the form again (`form_page`) when the core refuses the input. The
mapping of errors happens in `_run`, for every handler:

- InvalidInput -> the form page again, 422, message beside the field, text kept
- ConcurrentUpdate -> the form page again with the reload message, 409
- NotFound -> 404 page; PermissionDenied -> 403 page (a form the caller can see: the form
  page again, 403, the rule above the form); a bad link -> 410
- LoginFailed 401, LoginThrottled 429 (the login form again)
- no valid session -> 303 to /login; a bad or missing CSRF token -> 403
- the password hasher saturated (`passwords.HashingBusy`) -> the form again, 503 + Retry-After
- anything else -> a short 500 page whose reference id is in the log.

A POST is checked before its body is read (`_endpoint`): who sends it first
(no session: answered at once, nothing read), then the body within the
route's limit (`body_limit`), a file part only after the CSRF token
(`intake`). The login and invitation forms' token is bound to a server-issued
pre-login cookie (`prelogin`).
"""
from __future__ import annotations

import hmac
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from dtrack.accounts.passwords import HashingBusy
from dtrack.accounts.sessions import COOKIE, Current, SessionPolicy, current
from dtrack.config.clock import Clock, local_dmy_hm
from dtrack.config.settings import Settings
from dtrack.config.today import Today
from dtrack.errors import (
    ConcurrentUpdate,
    DtrackError,
    InvalidInput,
    LinkInvalid,
    LoginFailed,
    LoginThrottled,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)
from dtrack.i18n.catalog import Words
from dtrack.persistence.database import Database
from dtrack.persistence.models import User
from dtrack.templates.environment import Typed, environment
from dtrack.web import prelogin
from dtrack.web.body_limit import BodyTooLarge, limit_body
from dtrack.web.error_words import unplaced, web_say
from dtrack.web.forms import field_message, field_name
from dtrack.web.intake import CsrfRefused, MalformedBody, MemoryFile, Received, Sink, read_form
from dtrack.web.page_memo import PageMemo
from dtrack.web.wording import LANGS, words
from dtrack.workflow.deadlines import WorkCalendar

log = logging.getLogger("dtrack.web")

ANON_CSRF_COOKIE = "dtrack_csrf"  # login and invitation forms, before there is a session (`prelogin`)
LANG_COOKIE = "dtrack_lang"
MAX_BODY = 4 * 1024 * 1024  # a 2 MB note is refused by the core with a message, not by the server
_FREE_TEXT = ("note", "evidence", "reason", "progress")
# NotFound kinds that come from a form field, and that field.
_FORM_KINDS = {"province": "province", "indicator": "indicator", "directive": "directive", "user": "email"}


@dataclass
class WebApp:
    """What every request shares: the database, the settings, the clock."""

    db: Database
    settings: Settings
    clock: Clock
    policy: SessionPolicy
    pages: PageMemo
    secret: str  # signs the pre-login cookies (`prelogin`): the same in every worker

    def today(self) -> Today:
        """The day a request is about: the server clock's day, in its zone, with the settings' due-soon window."""
        return Today.of(self.clock, self.settings.due_soon_days)

    @property
    def calendar(self) -> WorkCalendar:
        """The settings' working calendar; the core adds the declared days (`workflow.calendar_days`)."""
        return WorkCalendar.of(self.settings)


@dataclass
class Ctx:
    """One request as a handler sees it."""

    request: Request
    app: WebApp
    form: dict[str, str] = field(default_factory=dict)
    current: Current | None = None
    errors: dict[str, str] = field(default_factory=dict)  # form field -> message
    conflict: str | None = None
    # field -> (file name, bytes), or (file name, the route's sink, e.g. evidence.storage.Incoming)
    uploads: dict[str, tuple[str, Any]] = field(default_factory=dict)
    _anon_csrf: str | None = None
    _set_anon_csrf: bool = False
    _today: Today | None = None

    @property
    def today(self) -> Today:
        """One `Today` for the whole request, read from the clock when first asked for."""
        if self._today is None:
            self._today = self.app.today()
        return self._today

    @property
    def user(self) -> User:
        assert self.current is not None, "route declared login=False"
        return self.current.user

    @property
    def actor(self) -> str:
        """The logged-in user's email: the actor the core's functions take."""
        assert self.current is not None, "route declared login=False"
        return self.current.email

    @property
    def lang(self) -> str:
        if self.current is not None and self.current.locale in LANGS:
            return self.current.locale
        chosen = self.request.query_params.get("lang") or self.request.cookies.get(LANG_COOKIE)
        return chosen if chosen in LANGS else self.app.settings.language

    @property
    def w(self) -> Words:
        return words(self.lang)

    @property
    def now(self) -> datetime:
        return self.app.clock.now()

    @property
    def ip(self) -> str | None:
        return self.request.client.host if self.request.client else None

    @property
    def csrf_token(self) -> str:
        if self.current is not None:
            return self.current.csrf_token
        if self._anon_csrf is None:  # the pre-login cookie the server issued, or a new one
            self._anon_csrf = self.request.cookies.get(ANON_CSRF_COOKIE) or ""
            if prelogin.cookie_id(self.app.secret, self._anon_csrf) is None:
                self._anon_csrf = prelogin.new_cookie(self.app.secret)
                self._set_anon_csrf = True
        return prelogin.form_token(self.app.secret, self._anon_csrf)

    def value(self, name: str, default: str = "") -> str:
        """What the user typed into a field (kept when the form is shown again, byte for byte)."""
        return Typed(self.form.get(name, default))

    def local(self, instant: datetime | None) -> str:
        if instant is None:
            return "–"
        return local_dmy_hm(instant, self.app.clock.tz)

    @property
    def wants_json(self) -> bool:
        """`?format=json`: the page's data in the same JSON shape as the CLI's `--json`."""
        return self.request.query_params.get("format") == "json"

    def _flash(self) -> str | None:
        """The message a redirect asked for (`?flash=key`), its `{asked}`/`{due}` days from the query.

        Only dates are taken from the query (shown dd/mm/yyyy): a link cannot put text of its own on a page.
        """
        query = self.request.query_params
        key = query.get("flash", "")
        flash = self.w.get(f"flash_{key}") if key.isidentifier() else None
        if flash is None or "{" not in flash:
            return flash
        try:
            days = {name: f"{date.fromisoformat(query.get(name, '')):%d/%m/%Y}" for name in ("asked", "due")}
        except ValueError:
            return None
        return flash.format(**days)

    def page(self, template: str, status: int = 200, data: Any = None, **context: Any) -> Response:
        if data is not None and self.wants_json:
            shaped = [item.to_json() for item in data] if isinstance(data, list) else data.to_json()
            response: Response = JSONResponse(shaped, status_code=status)
            self.finish(response)
            return response
        flash = self._flash()

        def render(stray: list[tuple[str, str]]) -> str:
            return environment().get_template(f"web/{template}").render(
                w=self.w, lang=self.lang, user=self.current.user if self.current else None, csrf=self.csrf_token,
                errors=self.errors, conflict=self.conflict, value=self.value, local=self.local, flash=flash,
                path=self.request.url.path, unplaced=stray, **context)
        html = render([])
        if self.errors and (missing := unplaced(self.errors, html, self.lang)):
            html = render(missing)  # a message whose field the page does not show: above the page, never lost
        response = HTMLResponse(html, status_code=status)
        self.finish(response)
        return response

    def finish(self, response: Response) -> None:
        # No page of a logged-in user is kept by the browser: the back button after logout shows nothing.
        response.headers["Cache-Control"] = "no-store"
        chosen = self.request.query_params.get("lang")
        if self.current is None and chosen in LANGS and chosen != self.request.cookies.get(LANG_COOKIE):
            # The toggle of the login page: the choice holds for the next pages (the form's answer too).
            response.set_cookie(LANG_COOKIE, chosen, httponly=True, samesite="lax",
                                secure=self.app.settings.secure_cookies, path="/")
        if self._set_anon_csrf:
            response.set_cookie(ANON_CSRF_COOKIE, self._anon_csrf or "", httponly=True, samesite="strict",
                                secure=self.app.settings.secure_cookies, path="/")

    def redirect(self, url: str) -> Response:
        response = RedirectResponse(url, status_code=303)
        self.finish(response)
        return response


Handler = Callable[..., Response]


@dataclass
class Spec:
    handler: Handler
    login: bool = True
    form_page: Handler | None = None  # shows the form again when the core refuses the input
    max_body: int = MAX_BODY  # a route that takes files says how large a body it accepts
    upload_to: Sink | None = None  # where its file parts go while they arrive (default: memory)
    # A page that only reads, and whose answer depends on nothing but the database, the user, the
    # language, today and the URL: kept between commits (`web.page_memo`).
    memo: bool = False


class Routes:
    """A module's routes; `app.build_app` gathers them."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, path: str, method: str, *, login: bool = True, form_page: Handler | None = None,
            max_body: int = MAX_BODY, memo: bool = False, upload_to: Sink | None = None):
        assert not memo or (method == "GET" and login), "only a logged-in user's GET page is kept"

        def register(handler: Handler) -> Handler:
            spec = Spec(handler, login, form_page, max_body, upload_to=upload_to, memo=memo)

            async def endpoint(request: Request) -> Response:
                return await _endpoint(request, spec)

            endpoint.__name__ = handler.__name__
            self.routes.append(Route(path, endpoint, methods=[method], name=handler.__name__))
            return handler
        return register

    def get(self, path: str, **kwargs):
        return self.add(path, "GET", **kwargs)

    def post(self, path: str, **kwargs):
        return self.add(path, "POST", **kwargs)


def has_nul(request: Request) -> bool:
    """NUL never comes from typing and PostgreSQL refuses it: a query or path holding one is malformed."""
    # On every request: a query string can only say NUL as %00 and the path params are parts of the
    # decoded path, so without either there is nothing to decode and look at.
    query = request.scope.get("query_string", b"")
    if b"%00" not in query and b"\x00" not in query and "\x00" not in request.scope.get("path", ""):
        return False
    return any("\x00" in value for value in (*request.query_params.values(), *map(str, request.path_params.values())))


async def _endpoint(request: Request, spec: Spec) -> Response:
    app: WebApp = request.app.state.web
    ctx = Ctx(request, app)
    if has_nul(request):
        return error_page(ctx, 400)
    if request.method != "POST":  # one trip to the thread pool: the session is looked up in `_run`
        return await run_in_threadpool(_run, ctx, spec)
    received = Received()
    try:
        limit_body(request, spec.max_body)  # a declared length above it: refused before reading
        if spec.login:
            # Who first (the database, so in the thread pool): an anonymous POST is answered unread.
            refusal = await run_in_threadpool(_who, ctx)
            if refusal is not None:
                return refusal
        await read_form(request, lambda given: _csrf_ok(ctx, spec, given), spec.upload_to, received)
        _take(ctx, received)
        # NUL never comes from typing; PostgreSQL refuses it. The core refuses it in free text beside
        # the field (note, evidence, reason); anywhere else it is a malformed request.
        if any("\x00" in value for name, value in ctx.form.items()
               if name not in _FREE_TEXT and not name.startswith("__")):
            return error_page(ctx, 400)
        return await run_in_threadpool(_run, ctx, spec)
    except BodyTooLarge:
        return error_page(ctx, 413)
    except CsrfRefused:
        return error_page(ctx, 403, ctx.w["error_csrf"])
    except MalformedBody:  # the client's mistake, not a server error
        return error_page(ctx, 400)
    finally:
        received.discard()  # what the handler did not keep (a kept evidence file is no longer there)


def _take(ctx: Ctx, received: Received) -> None:
    """The form and its files as the handlers read them (`ctx.value`, `ctx.uploads`)."""
    ctx.form = received.form
    for name, (filename, sink) in received.files.items():
        if isinstance(sink, MemoryFile):
            content = sink.content()
            ctx.uploads[name] = (filename, content)
            ctx.form[f"__file__{name}"] = content[:MAX_BODY].decode("utf-8", errors="replace")
        else:
            ctx.uploads[name] = (filename, sink)
        ctx.form[f"__filename__{name}"] = filename


def _who(ctx: Ctx) -> Response | None:
    """Set the request's session; the answer instead when there is none (nothing of the body read)."""
    try:
        ctx.current = current(ctx.app.db, ctx.request.cookies.get(COOKIE), ctx.now, ctx.app.policy)
    except NotAuthenticated as exc:
        return _to_login(ctx, exc)
    except Exception:  # noqa: BLE001 - as in `_run`: a reference id, never a traceback
        return server_error(ctx)
    return None


def _csrf_ok(ctx: Ctx, spec: Spec, given: str) -> bool:
    """The session's token; before a session (login, invitation), the pre-login cookie's (`prelogin`)."""
    if ctx.current is not None:
        return hmac.compare_digest(given.encode(), ctx.current.csrf_token.encode())
    if spec.login:
        return False
    return prelogin.token_matches(ctx.app.secret, ctx.request.cookies.get(ANON_CSRF_COOKIE), given)


def _to_login(ctx: Ctx, exc: NotAuthenticated) -> Response:
    had = ctx.request.cookies.get(COOKIE)
    response = ctx.redirect("/login?flash=expired" if had and exc.reason.code != "not_logged_in" else "/login")
    if had:
        response.delete_cookie(COOKIE, path="/")
    return response


def _run(ctx: Ctx, spec: Spec) -> Response:
    request, app = ctx.request, ctx.app
    params = dict(request.path_params)
    try:
        if spec.login and ctx.current is None:  # a GET (a POST's was looked up before its body was read)
            ctx.current = current(app.db, request.cookies.get(COOKIE), ctx.now, app.policy)
        if request.method == "POST" and not _csrf_ok(ctx, spec, ctx.form.get("csrf_token", "")):
            raise CsrfRefused()
        if spec.memo:  # a logged-in GET page (`Routes.add`): `current` has answered or raised
            assert ctx.current is not None, "Routes.add keeps only pages that need a login"
            return app.pages.page(ctx.current.snapshot, _page_key(ctx), ctx.csrf_token,
                                  lambda: spec.handler(ctx, **params))
        return spec.handler(ctx, **params)
    except NotAuthenticated as exc:
        return _to_login(ctx, exc)
    except CsrfRefused:
        return error_page(ctx, 403, ctx.w["error_csrf"])
    except InvalidInput as exc:
        if spec.form_page is None:
            return error_page(ctx, 400, field_message(exc, ctx.w, ctx.lang, ctx.app.db))
        ctx.errors[field_name(exc.field)] = field_message(exc, ctx.w, ctx.lang, ctx.app.db)
        return _again(ctx, spec, params, 422)
    except ConcurrentUpdate as exc:
        ctx.conflict = ctx.w["conflict"].format(by=exc.by, at=exc.at) if exc.by else ctx.w["conflict_unknown"]
        if spec.form_page is None:
            return error_page(ctx, 409, ctx.conflict)
        # The page shows the task as it is now (its new version in the form); what the user typed is kept.
        return _again(ctx, spec, params, 409)
    except HashingBusy as exc:  # the password hasher is saturated: try again in a moment
        ctx.errors["form"] = ctx.w["login_busy"]
        response = _again(ctx, spec, params, 503) if spec.form_page else error_page(ctx, 503, ctx.w["login_busy"])
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except LoginThrottled as exc:
        ctx.errors["form"] = ctx.w["login_throttled"].format(minutes=exc.minutes)
        return _again(ctx, spec, params, 429)
    except LoginFailed:
        ctx.errors["form"] = ctx.w["login_failed"]
        return _again(ctx, spec, params, 401)
    except LinkInvalid:
        return error_page(ctx, 410, ctx.w["link_invalid"])
    except NotFound as exc:
        # A name typed into a form (a province, an indicator) is the form's mistake; a URL's is a 404.
        field = field_name(exc.field) if exc.field else _FORM_KINDS.get(exc.kind)
        if field is None or spec.form_page is None or request.method != "POST":
            return error_page(ctx, 404)
        ctx.errors[field] = web_say(app.db, exc, ctx.lang, beside=True)  # beside its field: no need to name it
        return _again(ctx, spec, params, 422)
    except PermissionDenied as exc:
        return _refused(ctx, spec, params, exc) if spec.form_page is not None and request.method == "POST" \
            else error_page(ctx, 403)
    except DtrackError as exc:
        if spec.form_page is not None and request.method == "POST":
            ctx.errors["form"] = web_say(app.db, exc, ctx.lang)
            return _again(ctx, spec, params, 422)
        return error_page(ctx, 400, web_say(app.db, exc, ctx.lang))
    except Exception:  # noqa: BLE001 - the last line: a reference id in the log, never a traceback on the page
        return server_error(ctx)


def _page_key(ctx: Ctx) -> tuple:
    """Everything a kept page depends on besides the database (`Spec.memo`); a path names its route."""
    scope = ctx.request.scope
    assert ctx.current is not None
    return (scope["path"], scope.get("query_string", b""), ctx.current.user_id, ctx.lang, ctx.today.day)


def _again(ctx: Ctx, spec: Spec, params: dict[str, Any], status: int) -> Response:
    assert spec.form_page is not None
    try:
        response = spec.form_page(ctx, **params)
    except (NotFound, PermissionDenied, NotAuthenticated):
        return error_page(ctx, 404)
    except Exception:  # noqa: BLE001
        return server_error(ctx)
    response.status_code = status
    return response


def _refused(ctx: Ctx, spec: Spec, params: dict[str, Any], exc: PermissionDenied) -> Response:
    """A form the caller may see but not act on (four eyes, a role): the form again, 403, the rule above it.

    A form page that cannot be shown again (one the caller may not see either: the admin pages)
    gives the plain 403 page, as before.
    """
    assert spec.form_page is not None
    ctx.errors["form"] = web_say(ctx.app.db, exc.reason, ctx.lang)
    try:
        response = spec.form_page(ctx, **params)
    except Exception:  # noqa: BLE001 - whatever stops the form page, the answer stays the plain refusal
        return error_page(ctx, 403)
    response.status_code = 403
    return response


def server_error(ctx: Ctx) -> Response:
    reference = uuid.uuid4().hex[:12]
    log.exception("server error %s on %s %s", reference, ctx.request.method, ctx.request.url.path)
    return error_page(ctx, 500, ctx.w["error_500"].format(ref=reference))


def error_page(ctx: Ctx, status: int, message: str | None = None) -> Response:
    w = ctx.w
    text = message or w.get(f"error_{status}", w["error_400"])
    ctx.errors = {}  # a form's messages belong beside its fields, not on the page that replaces it
    try:
        return ctx.page("error.html.j2", status=status, status_code=status, message=text)
    except Exception:  # noqa: BLE001 - the error page itself failed: plain text, still no traceback
        log.exception("error page failed")
        return Response(text, status_code=status, media_type="text/plain; charset=utf-8")
