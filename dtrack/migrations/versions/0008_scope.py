"""scope: task groups limited to regions/provinces; tasks marked not applicable

Revision ID: 0008
Revises: 0007

Existing databases: Directive 20's group 10 (owned by the Department) may
already have 34 per-province tasks. This migration only adds columns; the
next `dtrack directive load` or `dtrack assign` of that directive folds them
(workflow.applicability.fold_department_groups): one task on the Department
unit (`cuc`) is created and the per-province tasks are marked not applicable
with a reason and an audit event each, so their history stays readable and
they leave every province's figures.
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
import dtrack.workflow.models


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('task_groups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope_regions', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('scope_provinces', sa.Text(), server_default='', nullable=False))
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('not_applicable_since', dtrack.workflow.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('not_applicable_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('not_applicable_reason', sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_tasks_not_applicable_by_users'), 'users',
                                    ['not_applicable_by'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_tasks_not_applicable_by_users'), type_='foreignkey')
        batch_op.drop_column('not_applicable_reason')
        batch_op.drop_column('not_applicable_by')
        batch_op.drop_column('not_applicable_since')
    with op.batch_alter_table('task_groups', schema=None) as batch_op:
        batch_op.drop_column('scope_provinces')
        batch_op.drop_column('scope_regions')
