"""The database gateway: migrations, readiness checks, unreachable URLs."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from dtrack.errors import DatabaseNotInitialised, DatabaseUnavailable
from dtrack.i18n.error_messages import say
from dtrack.persistence.database import MIGRATIONS_DIR, SCHEMA_REVISION, Database
from dtrack.persistence.models import schema_metadata


def test_schema_revision_is_the_migrations_head():
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(config).get_heads() == [SCHEMA_REVISION]


def test_migrations_produce_the_models_schema(empty_url):
    db = Database(empty_url)
    db.migrate()
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, schema_metadata())
    db.dispose()
    assert differences == []


def test_migrate_twice_is_harmless(empty_url):
    db = Database(empty_url)
    db.migrate()
    db.migrate()
    assert db.schema_revision() == SCHEMA_REVISION
    db.dispose()


def test_unmigrated_database_is_refused_with_a_hint(empty_url):
    db = Database(empty_url)
    with pytest.raises(DatabaseNotInitialised) as info:
        db.ensure_ready()
    assert "dtrack init" in say(info.value, "en", "cli")  # the hint, on the command line
    db.dispose()


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://nobody@127.0.0.1:1/none",
        "sqlite:////no/such/folder/x.db",
        "nosuchdriver://x",
    ],
)
def test_unreachable_database_is_one_clear_error(url):
    with pytest.raises(DatabaseUnavailable) as info, Database(url).session():
        pass
    assert "cannot open database" in say(info.value, "en")
    assert "\n" not in say(info.value, "en") and "\n" not in say(info.value, "vi")


def test_sqlite_runs_with_wal_and_foreign_keys(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    db.dispose()


def test_password_is_hidden_in_messages():
    db = Database("postgresql+psycopg://user:s3cret@127.0.0.1:1/none")
    with pytest.raises(DatabaseUnavailable) as info:
        db.engine  # noqa: B018 - the property connects, and raises here
    assert "s3cret" not in str(info.value) and "s3cret" not in say(info.value, "vi")
