"""dashboard_figures: the dashboard's month-end figures kept in the database (issues 26 and 25)

A closed month's counts are worked out once (by the daily scheduler job, or by
the first dashboard that needs them) and read from here afterwards, while the
events written since say they still hold (`reading.dashboard_kept`).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa

from dtrack.persistence.models import UTCDateTime


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

COUNTS = ("tasks", "on_time", "due", "completed_on_time", "completed_late", "within", "overdue", "awaiting",
          "blocked", "overdue_days", "late_days", "completed")


def upgrade() -> None:
    op.create_table('dashboard_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('scope', sa.String(length=120), nullable=False),
    sa.Column('zone', sa.String(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('unit', sa.String(length=64), nullable=False),
    *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
    sa.Column('event_mark', sa.Integer(), nullable=False),
    sa.Column('task_mark', sa.Integer(), nullable=False),
    sa.Column('computed_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dashboard_figures')),
    sa.UniqueConstraint('kind', 'scope', 'zone', 'day', 'unit',
                        name=op.f('uq_dashboard_figures_kind_scope_zone_day_unit'))
    )
    if op.get_bind().dialect.name == "postgresql":  # count its writes in the change key (0020)
        op.execute('CREATE TRIGGER dtrack_note_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE '
                   'ON "dashboard_figures" FOR EACH STATEMENT EXECUTE FUNCTION dtrack_note_change()')


def downgrade() -> None:
    op.drop_table('dashboard_figures')
