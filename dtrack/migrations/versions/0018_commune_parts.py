"""commune_parts: parts of a task delegated to communes (issue 24)

A province hands a part of a task to each of its communes: `task_parts`
(one row per task and commune, the task's lifecycle columns and a version of
its own) and `part_events`, the parts' audit trail beside the tasks' one.
Tasks gain `progress_from_parts`: the task's progress follows its parts.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa
import dtrack.persistence.models


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('progress_from_parts', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    op.create_table('task_parts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('instruction', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('delegated_by', sa.Integer(), nullable=True),
    sa.Column('created_at', dtrack.persistence.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', dtrack.persistence.models.UTCDateTime(), nullable=False),
    sa.Column('submitted_at', dtrack.persistence.models.UTCDateTime(), nullable=True),
    sa.Column('completed_at', dtrack.persistence.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_task_parts_commune_id_communes')),
    sa.ForeignKeyConstraint(['delegated_by'], ['users.id'], name=op.f('fk_task_parts_delegated_by_users')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_task_parts_task_id_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_parts')),
    sa.UniqueConstraint('task_id', 'commune_id', name=op.f('uq_task_parts_task_id_commune_id'))
    )
    with op.batch_alter_table('task_parts', schema=None) as batch_op:
        batch_op.create_index('ix_task_parts_commune_state', ['commune_id', 'state'], unique=False)
        batch_op.create_index('ix_task_parts_state_due', ['state', 'due_on'], unique=False)
    op.create_table('part_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('part_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('trigger', sa.String(length=20), nullable=False),
    sa.Column('from_state', sa.String(length=12), nullable=False),
    sa.Column('to_state', sa.String(length=12), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('evidence', sa.Text(), nullable=True),
    sa.Column('at', dtrack.persistence.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_part_events_actor_id_users')),
    sa.ForeignKeyConstraint(['part_id'], ['task_parts.id'], name=op.f('fk_part_events_part_id_task_parts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_part_events'))
    )
    with op.batch_alter_table('part_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_part_events_part_id'), ['part_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('part_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_part_events_part_id'))
    op.drop_table('part_events')
    with op.batch_alter_table('task_parts', schema=None) as batch_op:
        batch_op.drop_index('ix_task_parts_state_due')
        batch_op.drop_index('ix_task_parts_commune_state')
    op.drop_table('task_parts')
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_column('progress_from_parts')
