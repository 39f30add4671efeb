"""deadlines: events record the deadline before and after; a covering deadline index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('from_due_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('to_due_on', sa.Date(), nullable=True))
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_tasks_state_due')
        batch_op.create_index('ix_tasks_state_due', ['state', 'due_on', 'province_id', 'group_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_tasks_state_due')
        batch_op.create_index('ix_tasks_state_due', ['state', 'due_on'], unique=False)
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('to_due_on')
        batch_op.drop_column('from_due_on')
