"""A database made by every earlier release upgrades with today's `dtrack init`, its data kept.

The fixtures (tests/fixtures/releases/, see its README) were made by each
release's own code: two users, a task accepted, one sent back, and, where the
release had them, reminders and digests queued in the outbox. Each is loaded
into a scratch database on both back-ends, upgraded through the CLI, and then
must keep every row it had, run the reminder sweep and the digest build, and
match the models exactly (the same check init makes).
"""
from __future__ import annotations

import gzip
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, make_url, text

from dtrack.cli import cli
from dtrack.migrations.schema_check import differences
from dtrack.persistence.database import SCHEMA_REVISION
from tests.conftest import TODAY

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "releases"
RELEASES = sorted(p.name.removesuffix(".sqlite.gz") for p in FIXTURES.glob("*.sqlite.gz"))

# Rows every release made, read the same way before and after the upgrade
# (columns every release's schema has).
SAMPLES = {
    "users": "SELECT id, email, name, role, province_id, locale, created_at FROM users ORDER BY id",
    "tasks": "SELECT id, group_id, province_id, period, state, progress, submitted_at, completed_at, version"
             " FROM tasks ORDER BY id",
    "events": "SELECT id, task_id, actor_id, trigger, from_state, to_state, progress, note, evidence, at"
              " FROM events ORDER BY id",
    "outbox": "SELECT id, state, created_at FROM outbox ORDER BY id",
}


def load_fixture(release: str, backend: str, url: str) -> None:
    """Put the release's database behind `url` (an empty SQLite path or a reset PostgreSQL database)."""
    if backend == "sqlite":
        with gzip.open(FIXTURES / f"{release}.sqlite.gz") as src, open(make_url(url).database, "wb") as dst:
            shutil.copyfileobj(src, dst)
        return
    with gzip.open(FIXTURES / f"{release}.pg.sql.gz") as src:
        dump = src.read()
    libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    subprocess.run(["psql", "--quiet", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "--dbname", libpq],
                   input=dump, check=True, capture_output=True)


def read_rows(url: str) -> dict[str, list[tuple]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            present = set(inspect(conn).get_table_names())
            return {table: [tuple(row) for row in conn.execute(text(sql))]
                    for table, sql in SAMPLES.items() if table in present}
    finally:
        engine.dispose()


def invoke(url: str, monkeypatch, *argv: str):
    monkeypatch.setenv("DTRACK_DATABASE_URL", url)
    monkeypatch.setenv("DTRACK_TODAY", TODAY.isoformat())
    return CliRunner().invoke(cli, ["--lang", "en", *argv])


def test_there_is_a_fixture_for_every_release_on_both_back_ends():
    assert len(RELEASES) >= 16, RELEASES
    for release in RELEASES:
        assert (FIXTURES / f"{release}.pg.sql.gz").is_file(), release


@pytest.mark.parametrize("release", RELEASES)
def test_an_earlier_release_s_database_upgrades_with_its_data(release, backend, empty_url, monkeypatch):
    load_fixture(release, backend, empty_url)
    before = read_rows(empty_url)
    assert len(before["users"]) == 2 and len(before["events"]) == 7 and len(before["tasks"]) >= 300
    assert before.get("outbox", ["releases before the outbox"])  # a queued digest where there was an outbox

    upgraded = invoke(empty_url, monkeypatch, "init")
    assert upgraded.exit_code == 0, upgraded.output
    assert "(schema up to date)" in upgraded.output

    after = read_rows(empty_url)
    assert after["users"] == before["users"]
    assert after["events"][:7] == before["events"]  # init may only add audit rows after them
    assert after["outbox"][:len(before.get("outbox", []))] == before.get("outbox", [])
    # Every task is still there (init may add the Department's own task, see migration 0008);
    # the ones the release's users acted on are unchanged.
    assert [row[0] for row in after["tasks"]][:len(before["tasks"])] == [row[0] for row in before["tasks"]]
    acted = {event[1] for event in before["events"]}
    assert [r for r in after["tasks"] if r[0] in acted] == [r for r in before["tasks"] if r[0] in acted]

    for argv in (["reminders", "run"], ["digest", "build"]):
        result = invoke(empty_url, monkeypatch, *argv)
        assert result.exit_code == 0 and result.exception is None, (argv, result.output)

    engine = create_engine(empty_url)
    with engine.connect() as conn:
        assert differences(conn) == []
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == SCHEMA_REVISION
    engine.dispose()
    again = invoke(empty_url, monkeypatch, "init")
    assert again.exit_code == 0 and read_rows(empty_url)["users"] == before["users"]
