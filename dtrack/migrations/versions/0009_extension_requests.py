"""extension requests (a province asks, the Department grants or refuses); task_groups.covers

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

Existing groups get covers = 'current', what dtrack did before: every
stored period, and so every task key, stays as it is.
"""
from alembic import op
import sqlalchemy as sa
import dtrack.workflow.models


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('task_groups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('covers', sa.String(length=8), server_default='current', nullable=False))
    op.create_table('extension_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('open_task_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', dtrack.workflow.models.UTCDateTime(), nullable=False),
    sa.Column('current_due_on', sa.Date(), nullable=True),
    sa.Column('proposed_due_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', dtrack.workflow.models.UTCDateTime(), nullable=True),
    sa.Column('granted_due_on', sa.Date(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_extension_requests_decided_by_id_users')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_extension_requests_requested_by_id_users')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_extension_requests_task_id_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_extension_requests')),
    sa.UniqueConstraint('open_task_id', name=op.f('uq_extension_requests_open_task_id'))
    )
    with op.batch_alter_table('extension_requests', schema=None) as batch_op:
        batch_op.create_index('ix_extension_requests_status', ['status', 'requested_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_extension_requests_task_id'), ['task_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('extension_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_extension_requests_task_id'))
        batch_op.drop_index('ix_extension_requests_status')
    op.drop_table('extension_requests')
    with op.batch_alter_table('task_groups', schema=None) as batch_op:
        batch_op.drop_column('covers')
