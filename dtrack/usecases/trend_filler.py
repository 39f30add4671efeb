"""The dashboard's months not worked out yet, worked out in the background for the page that found them missing.

At a million tasks reading every checkpoint for the trend takes longer than a
page may spend (`reading.dashboard.MONTH_BUDGET`), so the page shows those
months as not worked out yet. The scheduler's daily job keeps them
(`keep_trend`); where it has not run yet (a database just loaded, a server
started today), the page asks for them here: one thread per (database, day,
scope) at a time, which keeps them, so that a later page finds them.
"""
from __future__ import annotations

import logging
import threading

from dtrack.config.today import Today
from dtrack.persistence.database import Database
from dtrack.reading.dashboard import Dashboard, keep_trend
from dtrack.reading.scope import Scope

log = logging.getLogger(__name__)
_RUNNING: set[tuple[object, ...]] = set()
_LOCK = threading.Lock()


def fill_later(db: Database, today: Today, scope: Scope, found: Dashboard) -> threading.Thread | None:
    """Keep the months `found` lacks, in a thread of its own (None: none lacking, or already being kept)."""
    if all(point.counts is not None for point in found.trend):
        return None
    key = (db.display_url, today.day, today.zone, scope.key())
    with _LOCK:
        if key in _RUNNING:
            return None
        _RUNNING.add(key)

    def work() -> None:
        try:
            with db.session() as session:
                log.info("dashboard: %d months worked out and kept", keep_trend(session, today, scope))
        except Exception:  # a thread's failure is logged; the next page asks again
            log.exception("dashboard: the months of the trend could not be kept")
        finally:
            with _LOCK:
                _RUNNING.discard(key)

    thread = threading.Thread(target=work, name="dtrack-trend", daemon=True)
    thread.start()
    return thread


__all__ = ["fill_later"]
