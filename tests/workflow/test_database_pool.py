"""The pool pings a connection only after it sat idle (issue 12), not on every checkout, and a server keeps
its connections."""
from __future__ import annotations

from contextlib import ExitStack

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from dtrack.persistence import database
from dtrack.persistence.database import Database


def _kill_pooled_connection(db: Database) -> None:
    with db.session() as session:
        victim = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    killer = Database(db.url)  # another client kills it, as a server restart or a firewall would
    with killer.engine.connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": victim})
    killer.dispose()


@pytest.fixture
def pg_db(db_url, backend):
    if backend != "postgresql":
        pytest.skip("SQLite has no server to lose the connection")
    db = Database(db_url)
    yield db
    db.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_connection_killed_while_idle_is_replaced_without_an_error(pg_db, monkeypatch):
    _kill_pooled_connection(pg_db)
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.0)  # every pooled connection now counts as idle
    with pg_db.session() as session:
        assert session.execute(text("SELECT 1")).scalar_one() == 1


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_connection_used_a_moment_ago_is_not_pinged_and_a_lost_one_fails_once(pg_db, monkeypatch):
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 3600.0)
    _kill_pooled_connection(pg_db)
    # Not pinged: the first use finds the connection gone (the price of saving a round trip per transaction) ...
    with pytest.raises(OperationalError), pg_db.session() as session:
        session.execute(text("SELECT 1"))
    # ... and the pool has dropped it: the next transaction works.
    with pg_db.session() as session:
        assert session.execute(text("SELECT 1")).scalar_one() == 1


def connections_opened(db: Database, rounds: int, at_once: int) -> int:
    """Hold `at_once` connections together, return them, `rounds` times: how many did the pool open?

    Counted with the ones it holds already (the engine opens one to check the database is there).
    """
    opened = [db.engine.pool.checkedin()]

    def count(*_args) -> None:
        opened[0] += 1

    event.listen(db.engine, "connect", count)
    try:
        for _ in range(rounds):
            with ExitStack() as stack:
                for _ in range(at_once):
                    stack.enter_context(db.session()).execute(text("SELECT 1"))
    finally:
        event.remove(db.engine, "connect", count)
    return opened[0]


def test_kept_connections_are_reused_instead_of_reopened(db_url):
    db = Database(db_url)
    try:
        # SQLAlchemy's default keeps 5: the 3 beyond are closed when returned and opened again each round.
        assert connections_opened(db, rounds=3, at_once=8) == 5 + 3 * 3
        db.keep_connections(8)
        assert connections_opened(db, rounds=3, at_once=8) == 8
        # A few beyond the kept ones may still open (and close again), as before.
        at_once = 8 + database.OVERFLOW_CONNECTIONS
        assert connections_opened(db, rounds=1, at_once=at_once) == at_once
    finally:
        db.dispose()


def test_an_in_memory_database_keeps_its_own_pool():
    db = Database("sqlite://")
    db.keep_connections(8)
    with db.session() as session:
        assert session.execute(text("SELECT 1")).scalar_one() == 1
    db.dispose()
