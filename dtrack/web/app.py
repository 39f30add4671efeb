"""`build_app`: the ASGI application around one open database gateway, with its settings and clock.

A server builds it through the factory `dtrack.web.asgi.create_app` (which
opens the database from the settings); tests build it on their own database.
"""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path

import anyio.to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from dtrack.accounts.sessions import SessionPolicy
from dtrack.config.clock import Clock
from dtrack.config.settings import Settings
from dtrack.persistence.database import Database
from dtrack.web import (
    api,
    routes_account,
    routes_admin,
    routes_auth,
    routes_changes,
    routes_dashboard,
    routes_documents,
    routes_evidence,
    routes_parts,
    routes_review,
    routes_work,
)
from dtrack.web.body_limit import BodyLimit
from dtrack.web.edge import Ctx, WebApp, error_page, server_error
from dtrack.web.page_memo import page_memo
from dtrack.web.prelogin import new_secret
from dtrack.web.security import SecurityHeaders

STATIC_DIR = Path(__file__).resolve().parent / "static"


async def healthz(request: Request) -> Response:
    """No database, no session: the framework's floor for the benchmarks."""
    return PlainTextResponse("ok")


# What a 404/405 says under /api/ (the pages say it in the visitor's language on an HTML page).
_API_HTTP_DETAILS = {404: "no such resource; see /api/v1/openapi.json for the operations",
                     405: "this method is not allowed here; the Allow header lists those that are"}


async def _http_error(request: Request, exc: Exception) -> Response:
    """An HTTP error the router raised (no route, wrong method): problem+json under /api/, an HTML page elsewhere."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if request.url.path.startswith("/api/"):
        headers = dict(exc.headers or {}) if isinstance(exc, HTTPException) else None  # Allow: on a 405
        detail = _API_HTTP_DETAILS.get(status) or (exc.detail if isinstance(exc, HTTPException) else "error")
        return api.problem(status, detail, headers=headers)
    return error_page(Ctx(request, request.app.state.web), status)


async def _server_error(request: Request, exc: Exception) -> Response:
    return server_error(Ctx(request, request.app.state.web))


# Sync handlers run in anyio's thread pool; each holds a database connection while it works. The
# pool keeps one open connection per thread (`Database.keep_connections`): requests beyond wait
# for a thread, instead of holding one while they wait 30 s for a connection, and no request
# pays for opening a connection that the pool then closes again.
HANDLER_THREADS = 15


@asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    anyio.to_thread.current_default_thread_limiter().total_tokens = HANDLER_THREADS
    yield


def server_clock(settings: Settings, as_of: date | None = None) -> Clock:
    """A server's clock: it runs for days, so with --as-of (or DTRACK_TODAY) it starts on that day and runs on."""
    day = as_of or settings.today
    return Clock.shifted_to(day, settings.timezone) if day else Clock(settings.timezone)


def build_app(db: Database, settings: Settings, clock: Clock | None = None, secret: str | None = None) -> Starlette:
    """The application on `db`; `secret` signs the login forms (default: the `web_secret` setting, or a new one)."""
    clock = clock or server_clock(settings)
    routes: list[Route | Mount] = [Route("/healthz", healthz, methods=["GET"], name="healthz")]
    for module in (routes_auth, routes_account, routes_work, routes_evidence, routes_review, routes_admin,
                   routes_dashboard, routes_parts, routes_documents, routes_changes):
        routes += module.routes.routes
    routes += api.routes
    routes.append(Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"))
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders), Middleware(BodyLimit)],  # every body counted (body_limit)
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
        lifespan=_lifespan,
    )
    db.keep_connections(HANDLER_THREADS)
    app.state.web = WebApp(db, settings, clock, SessionPolicy.of(settings), page_memo(db, settings.page_memo),
                           secret or settings.web_secret or new_secret())
    return app
