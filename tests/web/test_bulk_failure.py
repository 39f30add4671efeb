"""A bulk accept that the database fails midway says what was accepted and what was not, not a generic 500.

The failure is real: when the accept of the second task is about to write, a
second connection takes the lock it needs (SQLite: the write lock, with a
short busy timeout; PostgreSQL: the task's row, with a short lock_timeout).
Each task is its own transaction: the first stays accepted, the second is
rolled back, and the third is not tried.
"""
from __future__ import annotations

import re

from sqlalchemy import create_engine, event, text

from tests.web.http_support import CSRF, count

KEYS = [f"20/CT-BCT:{g}:ha-noi" for g in (2, 3, 4)]
# The task's write: a plain UPDATE, or on PostgreSQL the one statement that also writes its event
# (`workflow.one_statement`: WITH ... UPDATE tasks ...).
TASK_WRITE = re.compile(r"^(WITH\b.*)?UPDATE tasks\b", re.DOTALL)


def _submit(site, key: str) -> int:
    from dtrack.workflow.service import Tracker

    tracker = Tracker(site.db, site.clock)
    tracker.fire(key, "start", site.emails["own"])
    tracker.fire(key, "submit", site.emails["own"], evidence="QĐ 12/QĐ-UBND")
    return site.task_id(key)


def _short_waits(site) -> None:
    """The site's connections give up on a held lock after 0.3 s instead of 10 s (made anew from here on)."""
    site.db.dispose()
    sqlite = site.db.is_sqlite

    @event.listens_for(site.db.engine, "connect")
    def _wait_less(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=300" if sqlite else "SET lock_timeout = '300ms'")
        cursor.close()
        if not sqlite:
            dbapi_connection.commit()  # a SET inside a transaction that is rolled back would not last


def test_a_database_failure_midway_lists_what_was_accepted_and_what_was_not(site, db_url):
    ids = [_submit(site, key) for key in KEYS]
    overseer = site.client("overseer")
    token = CSRF.search(overseer.get("/review").text).group(1)
    _short_waits(site)
    locker = create_engine(db_url, isolation_level="AUTOCOMMIT" if site.db.is_sqlite else None)
    holder = locker.connect()
    held = []

    @event.listens_for(site.db.engine, "before_cursor_execute")
    def _take_the_lock(_conn, _cursor, statement, parameters, *_args) -> None:
        values = tuple(parameters.values()) if isinstance(parameters, dict) else tuple(parameters or ())
        if held or not TASK_WRITE.match(statement) or ids[1] not in values:
            return
        held.append(True)
        if site.db.is_sqlite:
            holder.exec_driver_sql("BEGIN IMMEDIATE")  # the write lock, until the test lets go
        else:
            holder.execute(text("SELECT id FROM tasks WHERE id = :i FOR UPDATE"), {"i": ids[1]})

    before = count(site, "events", "trigger = 'accept'")
    try:
        answer = overseer.post("/review/accept", data={"csrf_token": token, **{f"task_{i}": "1" for i in ids}})
    finally:
        event.remove(site.db.engine, "before_cursor_execute", _take_the_lock)
        holder.rollback() if not site.db.is_sqlite else holder.exec_driver_sql("ROLLBACK")
        holder.close()
        locker.dispose()
    assert held, "the lock was never taken: the test did not exercise a failure"
    assert answer.status_code == 503, answer.text[:500]
    page = answer.text
    assert 'data-done="20/CT-BCT:2:ha-noi"' in page  # accepted, and committed before the failure
    assert f'data-failed="{ids[1]}"' in page and "Cơ sở dữ liệu gặp lỗi khi xử lý nhiệm vụ" in page
    assert f'data-not-done="{ids[1]}"' in page and f'data-not-done="{ids[2]}"' in page
    assert "Chưa được xử lý, hãy thử lại sau: 2" in page and "Đã chấp nhận: 1" in page
    # The page says what the database holds.
    assert count(site, "events", "trigger = 'accept'") == before + 1
    states = [site.scalar("SELECT state FROM tasks WHERE id = :i", i=i) for i in ids]
    assert states == ["completed", "submitted", "submitted"]
    # Nothing is stuck: the same bulk accept, once the lock is gone, does the rest.
    again = overseer.post("/review/accept?format=json", data={"csrf_token": token,
                                                              **{f"task_{i}": "1" for i in ids[1:]}})
    assert again.status_code == 200 and [d["task_key"] for d in again.json()["done"]] == KEYS[1:]
    assert "failed_on" not in again.json()
