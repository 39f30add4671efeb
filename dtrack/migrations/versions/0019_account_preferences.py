"""account_preferences: what mail each user chooses to get (issue 26)

Each user chooses on the account page how often the digest comes (daily,
weekly, or none beyond what their role requires) and which of its sections it
holds. `digest_frequency` is 'daily' for everyone until they choose;
`digest_sections` is NULL (every section) or the chosen sections' names, comma
separated. The password-reset links of "Quên mật khẩu?" reuse `auth_tokens`.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest_frequency', sa.String(length=10), server_default='daily',
                                      nullable=False))
        batch_op.add_column(sa.Column('digest_sections', sa.String(length=400), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('digest_sections')
        batch_op.drop_column('digest_frequency')
