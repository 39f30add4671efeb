"""covering task indexes: the overdue and review counts read the index alone

The counts of the overdue review and the review queue filter on
assigned_on and not_applicable_since too (`workflow.history.countable`);
without them in the index every counted task was a read of its table row
(81k random reads for the nationwide count at 1M tasks).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""
from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

DUE = ['state', 'due_on', 'province_id', 'group_id']
SUBMITTED = ['state', 'submitted_at']
COUNTED = ['assigned_on', 'not_applicable_since']


def upgrade() -> None:
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_tasks_state_due')
        batch_op.create_index('ix_tasks_state_due', DUE + COUNTED, unique=False)
        batch_op.drop_index('ix_tasks_state_submitted')
        batch_op.create_index('ix_tasks_state_submitted', SUBMITTED + COUNTED + ['province_id', 'group_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_tasks_state_submitted')
        batch_op.create_index('ix_tasks_state_submitted', SUBMITTED, unique=False)
        batch_op.drop_index('ix_tasks_state_due')
        batch_op.create_index('ix_tasks_state_due', DUE, unique=False)
