"""change_key: this database's own commits, named for the memos (PostgreSQL)

The page memo and the overdue counts' memo kept a figure for as long as
`pg_current_snapshot()` stayed the same. That snapshot covers the whole
server: on a PostgreSQL shared with other databases (the usual case) any
commit anywhere made every figure stale, so the memo never answered, and a
test counting on it failed whenever another database was busy.

The key is now this database's own: `dtrack_change_key()` returns
"<count>:<count>:<writers>" (shaped like a snapshot's "xmin:xmax:xip", which the
page memo orders by), where the count is a sequence every writing statement of
this database advances (a statement trigger on each table; sequences are not
transactional, so the count moves at the write, before the commit), and the
writers are the transactions of this database that have written and not yet
finished: each takes a shared transaction-level advisory lock on the key
(0x64747261, 1) before it counts, and PostgreSQL releases it only after the
commit is visible to new snapshots. So a key read while a writer is open names
that writer, and the key changes when it finishes; a memo stores a figure only
when the key was the same before and after computing it
(`persistence.snapshot_memo`). Advisory locks live per database: other
databases' writers are not in the key. SQLite is untouched (its servers count
commits themselves, `persistence.commit_count`).

A later migration that creates a table adds the trigger with `note_changes`.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

LOCK = "1685353057, 1"  # ('dtra', 1): the two-int4 form, apart from dtrack's one-key locks (persistence.locks)


def note_changes(table: str) -> None:
    """Make every write to `table` count (PostgreSQL): for tables created by this and later migrations."""
    op.execute(f'CREATE TRIGGER dtrack_note_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
               'FOR EACH STATEMENT EXECUTE FUNCTION dtrack_note_change()')


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE SEQUENCE dtrack_changes")
    op.execute(f"""
        CREATE FUNCTION dtrack_note_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock_shared({LOCK});  -- first: open until the commit is visible
            PERFORM nextval('dtrack_changes');
            RETURN NULL;
        END $$""")
    # The count before the writers: a writer that counts after the count was read is among the writers.
    op.execute(f"""
        CREATE FUNCTION dtrack_change_key() RETURNS text LANGUAGE plpgsql VOLATILE AS $$
        DECLARE
            counted bigint;
            writers text;
        BEGIN
            SELECT last_value INTO counted FROM dtrack_changes;
            SELECT coalesce(string_agg(virtualtransaction, ',' ORDER BY virtualtransaction), '') INTO writers
              FROM pg_locks
             WHERE locktype = 'advisory' AND classid = {LOCK.split(",")[0]} AND objid = 1 AND objsubid = 2
               AND database = (SELECT oid FROM pg_database WHERE datname = current_database());
            RETURN counted || ':' || counted || ':' || writers;  -- shaped like a snapshot, xmin:xmax:xip
        END $$""")
    tables = sa.inspect(op.get_bind()).get_table_names()
    for table in sorted(t for t in tables if t != "alembic_version"):
        note_changes(table)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in sa.inspect(op.get_bind()).get_table_names():
        if table != "alembic_version":
            op.execute(f'DROP TRIGGER IF EXISTS dtrack_note_change ON "{table}"')
    op.execute("DROP FUNCTION dtrack_change_key()")
    op.execute("DROP FUNCTION dtrack_note_change()")
    op.execute("DROP SEQUENCE dtrack_changes")
