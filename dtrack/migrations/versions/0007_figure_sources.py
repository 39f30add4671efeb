"""indicator figures kept per source unit (old province names), explicit revisions

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('indicator_values', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_unit', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='1', nullable=False))
    conn = op.get_bind()
    # Rows stored before this revision were reported under their unit's own name
    # (the old name was not kept), so that is their source.
    conn.execute(sa.text(
        "UPDATE indicator_values SET source_unit = (SELECT slug FROM provinces WHERE provinces.id = indicator_values.province_id)"
        " WHERE scope = 'province'"))
    conn.execute(sa.text("UPDATE indicator_values SET source_unit = region WHERE scope = 'region'"))
    conn.execute(sa.text("UPDATE indicator_values SET source_unit = 'national' WHERE source_unit IS NULL"))
    # Same-day corrections used to be plain new rows: number them, oldest first, so the key is unique.
    seen: dict[tuple, int] = {}
    rows = conn.execute(sa.text(
        "SELECT id, indicator_id, scope, source_unit, period, as_of FROM indicator_values ORDER BY id")).all()
    for row in rows:
        key = tuple(row[1:])
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            conn.execute(sa.text("UPDATE indicator_values SET revision = :r WHERE id = :id"),
                         {"r": seen[key], "id": row[0]})
    # The seed once filed the North's 126 products honoured in 2024 and its 30
    # establishments helped to a vote in 2025 as "products voted"; the seed file now
    # reports them under their own indicators (loaded again by `dtrack init`).
    conn.execute(sa.text(
        "DELETE FROM indicator_values WHERE actor_id IS NULL AND scope = 'region' AND region = 'north'"
        " AND ((period = '2024' AND value = 126) OR (period = '2025' AND value = 30)) AND indicator_id IN"
        " (SELECT id FROM indicators WHERE code = 'typical_products_voted')"))
    with op.batch_alter_table('indicator_values', schema=None) as batch_op:
        batch_op.alter_column('source_unit', existing_type=sa.String(length=60), nullable=False)
        batch_op.create_unique_constraint('uq_indicator_values_key',
                                          ['indicator_id', 'scope', 'source_unit', 'period', 'as_of', 'revision'])


def downgrade() -> None:
    with op.batch_alter_table('indicator_values', schema=None) as batch_op:
        batch_op.drop_constraint('uq_indicator_values_key', type_='unique')
        batch_op.drop_column('revision')
        batch_op.drop_column('source_unit')
