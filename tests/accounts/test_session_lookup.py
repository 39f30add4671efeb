"""The session lookup every request pays: one statement, a write at most once per touch interval,
no transaction on PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from dtrack.accounts import admin, login, sessions
from dtrack.config.settings import load_settings
from dtrack.errors import NotAuthenticated
from dtrack.persistence.account_models import WebSession
from dtrack.persistence.database import Database
from tests.conftest import recorded_statements
from tests.web.http_support import START, ManualClock

PASSWORD = "Mật-khẩu-đủ-dài-2026"


@pytest.fixture
def logged_in(world):
    clock = ManualClock(START)
    email = world.user("province", "ha-noi")
    admin.set_password(world.db, clock, email, PASSWORD)
    settings = load_settings({})
    token = login.authenticate(world.db, clock, settings, email, PASSWORD).token
    return world.db, clock, sessions.SessionPolicy.of(settings), token, email


def _last_seen(db: Database, token: str):
    with db.session() as session:
        return session.scalar(select(WebSession.last_seen_at).where(WebSession.token_hash == sessions.digest(token)))


def test_a_request_reads_its_session_in_one_statement_and_writes_at_most_once_per_touch_interval(logged_in):
    db, clock, policy, token, email = logged_in
    with recorded_statements(db) as seen:
        assert sessions.current(db, token, clock.now(), policy).user.email == email
    assert [s.kind for s in seen] == ["SELECT"]
    first = _last_seen(db, token)
    clock.advance(seconds=policy.touch_every.total_seconds() - 1)
    with recorded_statements(db) as seen:
        sessions.current(db, token, clock.now(), policy)
    assert [s.kind for s in seen] == ["SELECT"]  # a read within the touch interval writes nothing
    clock.advance(seconds=1)
    with recorded_statements(db) as seen:
        current = sessions.current(db, token, clock.now(), policy)
    assert [s.kind for s in seen] == ["SELECT", "UPDATE"]
    assert _last_seen(db, token) == first + policy.touch_every  # the touch is committed, not lost
    with recorded_statements(db) as seen:  # the user and their province come from the lookup's row
        assert (current.user.email, current.user.province.slug) == (email, "ha-noi")
    assert seen == []
    with recorded_statements(db) as seen:
        sessions.current(db, token, clock.now(), policy)
    assert [s.kind for s in seen] == ["SELECT"]


@pytest.mark.parametrize("backend", ["postgresql"])  # sqlite3 begins no transaction for a SELECT anyway
def test_on_postgresql_the_lookup_runs_outside_a_transaction_and_the_pool_gets_a_transactional_connection(
        logged_in):
    db, clock, policy, token, _ = logged_in
    clock.advance(seconds=policy.touch_every.total_seconds())
    with recorded_statements(db) as seen:
        sessions.current(db, token, clock.now(), policy)
    # No BEGIN/COMMIT round trips around them.
    assert [(s.kind, s.autocommit) for s in seen] == [("SELECT", True), ("UPDATE", True)]
    # The connection went back to the pool as it came: the next unit of work is one transaction again.
    with pytest.raises(RuntimeError), db.session() as session:
        assert session.connection().connection.dbapi_connection.autocommit is False
        session.execute(text("UPDATE users SET name = 'không được giữ' WHERE email = :e"), {"e": logged_in[4]})
        raise RuntimeError("roll back")
    with db.session() as session:
        assert session.scalar(text("SELECT count(*) FROM users WHERE name = 'không được giữ'")) == 0


def test_an_expired_session_is_revoked_for_good(logged_in):
    db, clock, policy, token, _ = logged_in
    clock.advance(minutes=policy.idle.total_seconds() / 60 + 1)
    with pytest.raises(NotAuthenticated, match="expired"):
        sessions.current(db, token, clock.now(), policy)
    with db.session() as session:  # the revocation was committed by the lookup's own statement
        assert session.scalar(select(WebSession.revoked_at).where(WebSession.token_hash == sessions.digest(token)))
    with pytest.raises(NotAuthenticated, match="ended"):
        sessions.current(db, token, clock.now(), policy)
