"""The application as a server process holds it: one kept database connection per handler thread."""
from __future__ import annotations

from dtrack.config.settings import load_settings
from dtrack.persistence.database import Database
from dtrack.web.app import HANDLER_THREADS, build_app
from tests.workflow.test_database_pool import connections_opened


def test_the_app_keeps_a_connection_per_handler_thread(db_url):
    db = Database(db_url)
    try:
        build_app(db, load_settings({}))
        # Every handler thread busy, three times over: each connection is opened once, then reused.
        assert connections_opened(db, rounds=3, at_once=HANDLER_THREADS) == HANDLER_THREADS
    finally:
        db.dispose()


def test_a_nul_in_the_query_or_the_path_is_a_malformed_request(site):
    overseer = site.client("overseer")
    assert overseer.get("/overdue?province=ha-noi").status_code == 200
    assert overseer.get("/overdue?province=ha%00noi").status_code == 400
    assert overseer.get("/review?anything=%00").status_code == 400
    assert site.anonymous().get("/feeds/ab%00cd.ics").status_code == 400
    assert overseer.get("/review?a=%2500").status_code == 200  # the text "%00", not a NUL
