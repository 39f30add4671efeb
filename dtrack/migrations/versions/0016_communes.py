"""communes: the official list of communes, wards and special zones; provinces' official codes; commune officers

The communes are rows of their own (keyed by the official ward code) that
`dtrack init` fills from the `vietnam-provinces` package and `dtrack communes
update` keeps in step with later lists, retiring, never deleting. Provinces
gain their official two-digit code (filled by init from the seed file), by
which the list's communes are mapped onto them; users gain the commune a
commune officer is bound to.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa
import dtrack.persistence.models


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('provinces', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code', sa.String(length=2), nullable=True))
        batch_op.create_index('ix_provinces_code', ['code'], unique=True)
    op.create_table('communes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=5), nullable=False),
    sa.Column('province_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('loaded_at', dtrack.persistence.models.UTCDateTime(), nullable=False),
    sa.Column('retired_at', dtrack.persistence.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['province_id'], ['provinces.id'], name=op.f('fk_communes_province_id_provinces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_communes')),
    sa.UniqueConstraint('code', name=op.f('uq_communes_code'))
    )
    with op.batch_alter_table('communes', schema=None) as batch_op:
        batch_op.create_index('ix_communes_province', ['province_id', 'code'], unique=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('commune_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_users_commune_id_communes'), 'communes', ['commune_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_commune_id_communes'), type_='foreignkey')
        batch_op.drop_column('commune_id')
    with op.batch_alter_table('communes', schema=None) as batch_op:
        batch_op.drop_index('ix_communes_province')
    op.drop_table('communes')
    with op.batch_alter_table('provinces', schema=None) as batch_op:
        batch_op.drop_index('ix_provinces_code')
        batch_op.drop_column('code')
