"""events_by_trigger: the audit trail indexed by kind of event and instant (issue 25)

The national report and the dashboard read the tasks that moved past a
checkpoint up to a day (`workflow.checkpoints.judged_checkpoints`: the
`checkpoint` events before it), and the list of what changed reads a few
kinds of event after a mark (`reading.changes`). With only `ix_events_at`,
SQLite walked every event before the day through that index and looked each
row up: 11 s of the national report's 13 s at 955,244 tasks (5.97M events).
On (trigger, at, task_id) both read a slice of the index and never the table.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05
"""
from alembic import op


revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_events_trigger_at', 'events', ['trigger', 'at', 'task_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_events_trigger_at', table_name='events')
