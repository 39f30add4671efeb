"""changes_seen: when each user last marked "what changed" as seen (issue 26)

The in-app list of what changed since the user's last visit (reading.changes,
GET /changes) reads the audit trail after this instant; "Đánh dấu đã xem"
(POST /changes/seen) sets it to now. NULL: never marked (the list covers the
last 14 days).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa

from dtrack.persistence.models import UTCDateTime


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('changes_seen_at', UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('changes_seen_at')
