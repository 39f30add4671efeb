"""report wording per directive; indicator roles (plan, actual, plan part)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

A directive loaded before this revision has no wording (NULL): its reports
use the defaults until its file is loaded again (`dtrack directive load`).
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('directives', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_wording', sa.Text(), nullable=True))
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('short_vi', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('short_en', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.drop_column('short_en')
        batch_op.drop_column('short_vi')
        batch_op.drop_column('role')
    with op.batch_alter_table('directives', schema=None) as batch_op:
        batch_op.drop_column('report_wording')
