"""The application as a server process holds it: one kept database connection per handler thread."""
from __future__ import annotations

from dtrack.web.app import HANDLER_THREADS, create_app
from dtrack.workflow.database import Database
from dtrack.workflow.settings import load_settings
from tests.workflow.test_database_pool import connections_opened


def test_the_app_keeps_a_connection_per_handler_thread(db_url):
    db = Database(db_url)
    try:
        create_app(db, load_settings({}))
        # Every handler thread busy, three times over: each connection is opened once, then reused.
        assert connections_opened(db, rounds=3, at_once=HANDLER_THREADS) == HANDLER_THREADS
    finally:
        db.dispose()
