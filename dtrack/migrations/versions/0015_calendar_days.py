"""calendar days declared in the database: days off and make-up working days

Until now the year's announced days off (nghỉ bù, the Tết schedule) and make-up
working days (làm bù) were environment variables; an administrator now declares
them (`dtrack calendar`, /admin/calendar), audited on the row.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa
import dtrack.persistence.models


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calendar_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('declared_by', sa.Integer(), nullable=False),
    sa.Column('declared_at', dtrack.persistence.models.UTCDateTime(), nullable=False),
    sa.Column('withdrawn_by', sa.Integer(), nullable=True),
    sa.Column('withdrawn_at', dtrack.persistence.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['declared_by'], ['users.id'], name=op.f('fk_calendar_days_declared_by_users')),
    sa.ForeignKeyConstraint(['withdrawn_by'], ['users.id'], name=op.f('fk_calendar_days_withdrawn_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_days'))
    )
    with op.batch_alter_table('calendar_days', schema=None) as batch_op:
        batch_op.create_index('ix_calendar_days_day', ['day'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('calendar_days', schema=None) as batch_op:
        batch_op.drop_index('ix_calendar_days_day')
    op.drop_table('calendar_days')
