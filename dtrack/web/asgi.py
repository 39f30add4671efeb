"""`dtrack.web.asgi:app`: the application built from the environment (DTRACK_DATABASE_URL ...).

What uvicorn or gunicorn import in each worker process:
    uvicorn dtrack.web.asgi:app --workers 4
    gunicorn -k uvicorn.workers.UvicornWorker -w 4 dtrack.web.asgi:app
"""
from __future__ import annotations

import logging

from dtrack.config.settings import load_settings
from dtrack.persistence.database import Database
from dtrack.web.app import HANDLER_THREADS, create_app

# A no-op when the server (gunicorn) has configured logging already.
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
settings = load_settings()
_db = Database(settings.database_url)
_db.keep_connections(HANDLER_THREADS)  # the server's pool before the first connection (create_app keeps it)
_db.ensure_ready()
app = create_app(_db, settings)
