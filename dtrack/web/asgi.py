"""The factory that builds a server's ASGI application from explicit configuration.

Importing this module does nothing: each worker process calls the factory
once, and it opens that worker's database gateway from the settings it is
given. `dtrack serve` hands it the settings (and --as-of) it read itself, so
nothing goes through the environment; another server calls it with no
arguments, and the settings are then read from that worker's environment:

    uvicorn --factory dtrack.web.asgi:create_app --workers 4
    gunicorn -k uvicorn.workers.UvicornWorker -w 4 'dtrack.web.asgi:create_app()'
"""
from __future__ import annotations

import logging
from datetime import date

from starlette.applications import Starlette

from dtrack.config.settings import Settings, load_settings
from dtrack.persistence.database import Database
from dtrack.web.app import HANDLER_THREADS, build_app, server_clock


def create_app(settings: Settings | None = None, *, as_of: date | None = None, secret: str | None = None) -> Starlette:
    """One worker's application on its own connection pool; `settings` None: read the environment now.

    `as_of`: the server's first day (its clock runs on from it); `secret`: the login forms' secret shared
    by every worker of `dtrack serve` (default: the `web_secret` setting, else one made by this worker).
    """
    # A no-op when the server (gunicorn, `dtrack serve`) has configured logging already.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = settings if settings is not None else load_settings()
    db = Database(settings.database_url)
    db.keep_connections(HANDLER_THREADS)  # the server's pool before the first connection (build_app keeps it)
    db.ensure_ready()
    return build_app(db, settings, server_clock(settings, as_of), secret)
