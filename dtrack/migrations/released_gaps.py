"""Fill the gaps that editing released migrations left in older databases.

Two kinds of edit were made to migrations after they had shipped on main:

- 0001 gained the `reminders` table in place (commit e83564b); a database the
  first release (63935d7) created is stamped 0001 without it.
- Later migrations were put *before* ones already released by changing
  `down_revision` ("re-chaining"): 0002 and 0003 before 0004; 0006, 0007, 0008
  and 0009 before 0011. A database stamped 0004 or 0011..0013 by such a release
  never ran them, and alembic, which trusts the stamp, never will.

A migration added at the end of the chain could not mend this: 0014 indexes
`tasks.not_applicable_since` (0008), so such a database fails before reaching
it. So `env.py` calls `fill_gaps` before the upgrade: every released revision
at or below the stamp whose mark is missing from the live schema is applied
now, in chain order, by running that migration's own `upgrade()` (or, for
0001, the part added later). Released files stay as they are; a database
that has everything is left untouched. Revisions above the stamp are the
normal upgrade's job.
"""
from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from alembic.script import ScriptDirectory
from alembic.script.revision import ResolutionError
from sqlalchemy.engine import Connection

from dtrack.persistence.models import UTCDateTime

Mark = Callable[[sa.Inspector], bool]


def _table(name: str) -> Mark:
    return lambda inspector: inspector.has_table(name)


def _column(table: str, column: str) -> Mark:
    return lambda inspector: column in {c["name"] for c in inspector.get_columns(table)}


def _index_covers(table: str, index: str, column: str) -> Mark:
    def present(inspector: sa.Inspector) -> bool:
        return any(ix["name"] == index and column in ix["column_names"] for ix in inspector.get_indexes(table))
    return present


# revision -> what its presence looks like in a live schema (something only it adds).
MARKS: dict[str, Mark] = {
    "0001": _table("reminders"),
    "0002": _column("events", "from_due_on"),
    "0003": _table("outbox"),
    "0004": _table("indicators"),
    "0005": _table("web_sessions"),
    "0006": _column("directives", "report_wording"),
    "0007": _column("indicator_values", "source_unit"),
    "0008": _column("tasks", "not_applicable_since"),
    "0009": _table("extension_requests"),
    "0011": _column("users", "feed_token_hash"),
    "0012": _table("api_tokens"),
    "0013": _table("attachments"),
    "0014": _index_covers("tasks", "ix_tasks_state_due", "assigned_on"),
    "0015": _table("calendar_days"),
    "0016": _table("communes"),
    "0017": _table("document_counters"),
    "0018": _table("task_parts"),
    "0019": _column("users", "digest_frequency"),
    "0020": lambda inspector: inspector.dialect.name != "postgresql" or inspector.has_sequence("dtrack_changes"),
    "0021": _table("letter_drafts"),
    "0022": _table("dashboard_figures"),
    "0023": _column("users", "changes_seen_at"),
    "0024": _index_covers("events", "ix_events_trigger_at", "trigger"),
    "0025": _index_covers("part_events", "ix_part_events_trigger_at", "trigger"),
    "0026": _table("task_tallies"),
}


def _reminders_added_to_0001(op: Operations) -> None:
    """What 0001 gained after its release (today's 0001, lines for `reminders`, verbatim)."""
    op.create_table('reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('remind_on', sa.Date(), nullable=False),
    sa.Column('audience', sa.String(length=10), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('consumed_at', UTCDateTime(), nullable=True),
    sa.Column('cancelled_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_reminders_task_id_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders')),
    sa.UniqueConstraint('task_id', 'due_on', 'kind', 'remind_on', name=op.f('uq_reminders_task_id_due_on_kind_remind_on'))  # noqa: E501
    )  # noqa: E124 - kept as 0001 writes it, so the two can be compared line by line
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index('ix_reminders_pending', ['consumed_at', 'cancelled_at', 'remind_on'], unique=False)


def missing(connection: Connection, scripts: ScriptDirectory, stamped: str | None) -> list[str]:
    """Released revisions at or below `stamped` whose mark the live schema lacks, oldest first."""
    if stamped is None:
        return []
    try:
        below = [script.revision for script in scripts.iterate_revisions(stamped, "base")]
    except ResolutionError:  # a revision this dtrack does not know: the upgrade itself says so
        return []
    return [rev for rev in reversed(below) if rev in MARKS and not MARKS[rev](sa.inspect(connection))]


def fill_gaps(context: MigrationContext, scripts: ScriptDirectory) -> list[str]:
    """Apply the missing released revisions at or below the stamp; returns the ones applied."""
    connection = context.connection
    assert connection is not None  # env.py always migrates on a live connection
    applied = missing(connection, scripts, context.get_current_revision())
    for revision in applied:
        # Operations.context binds `alembic.op`, which the migration modules call.
        with Operations.context(context) as op:
            if revision == "0001":
                _reminders_added_to_0001(op)
            else:
                scripts.get_revision(revision).module.upgrade()
    return applied
