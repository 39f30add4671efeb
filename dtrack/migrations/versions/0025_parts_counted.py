"""parts_counted: the parts counted from an index, and their events found by kind and instant (issue 24)

Every overseer view counts each province's parts (`reading.part_counts`):
total, completed, overdue, i.e. a part's task, state and deadline. At the
commune-scale season (274,665 parts) SQLite read every part's row for that:
about 210 ms a nationwide view (/status, /matrix, the dashboard), 18 ms Hà
Nội's overdue review. On (task_id, state, due_on, progress) the count, and a
task's roll-up (which adds the progress), read the index alone: 50-70 ms and
6-8 ms.

What changed since a mark (`reading.changes`, the count on the province
home) lists the communes' submissions: on (trigger, at, part_id) they are a
slice of the index, as events are since 0024, not every event of every part
of the province (200,000 for Hà Nội: 60-170 ms on SQLite and PostgreSQL).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06
"""
from alembic import op


revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_task_parts_task_state_due', 'task_parts', ['task_id', 'state', 'due_on', 'progress'],
                    unique=False)
    op.create_index('ix_part_events_trigger_at', 'part_events', ['trigger', 'at', 'part_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_part_events_trigger_at', table_name='part_events')
    op.drop_index('ix_task_parts_task_state_due', table_name='task_parts')
