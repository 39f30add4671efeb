"""Released migrations never change, and init refuses a schema that differs from the models."""
from __future__ import annotations

import hashlib
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import create_engine

from dtrack.cli import cli
from dtrack.migrations import released_gaps
from dtrack.persistence.database import SCHEMA_REVISION

MIGRATIONS = Path(released_gaps.__file__).resolve().parent
MANIFEST = MIGRATIONS / "released.txt"


def recorded() -> dict[str, str]:
    lines = [line.split() for line in MANIFEST.read_text().splitlines() if line and not line.startswith("#")]
    return {name: digest for name, digest in lines}


def test_every_released_migration_is_unchanged():
    changed = [name for name, digest in recorded().items()
               if hashlib.sha256((MIGRATIONS / "versions" / name).read_bytes()).hexdigest() != digest]
    assert not changed, (f"released migration(s) {', '.join(changed)} changed: a database already stamped "
                         "with them will never run the edit. Restore the file and add a new migration instead.")


def test_every_migration_file_is_recorded_and_the_newest_is_the_schema_revision():
    files = sorted(p.name for p in (MIGRATIONS / "versions").glob("[0-9]*.py"))
    assert files == sorted(recorded()), "record a new migration's sha256 in dtrack/migrations/released.txt"
    assert files[-1].startswith(SCHEMA_REVISION)


def test_every_released_revision_has_a_mark_for_the_gap_filler():
    revisions = {name[:4] for name in recorded()}
    assert revisions == set(released_gaps.MARKS)


def _drop(url: str, statement: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(statement)
    engine.dispose()


def test_init_refuses_to_call_a_drifted_schema_up_to_date(db_url, monkeypatch):
    monkeypatch.setenv("DTRACK_DATABASE_URL", db_url)
    runner = CliRunner()
    _drop(db_url, "DROP INDEX ix_events_at")
    result = runner.invoke(cli, ["init"])
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert "khác với mô hình" in line and "thiếu chỉ mục ix_events_at (events)" in line
    assert "đã cập nhật)" not in line

    _drop(db_url, "DROP TABLE auth_events")
    english = runner.invoke(cli, ["init"], env={"DTRACK_LANG": "en"})
    assert english.exit_code == 1
    [line] = english.output.strip().splitlines()
    assert line.startswith("error: the schema of database ") and "differs from the models" in line
    # Its two indexes went with it: three differences besides the first one named.
    assert "missing table auth_events (and 3 more)" in line
    assert "up to date)" not in line


def test_init_on_a_current_database_fills_no_gap_and_finds_no_difference(db):
    from alembic.config import Config
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from dtrack.migrations.schema_check import differences

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with db.engine.connect() as conn:
        stamped = MigrationContext.configure(conn).get_current_revision()
        assert stamped == SCHEMA_REVISION
        assert released_gaps.missing(conn, ScriptDirectory.from_config(config), stamped) == []
        assert differences(conn) == []
