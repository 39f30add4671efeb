"""issue_documents: urge letters awaiting approval, and the numbers of documents exchanged about tasks (issue 23)

`letter_drafts`: the letters the daily job prepares for provinces whose tasks are overdue past the
directive's `escalate_after_days`, one pending per province and directive (a partial unique index),
until an overseer approves (numbered, queued) or discards it. `task_documents`: the number and date of
each document exchanged about a task ("Số 123/BC-SCT ngày 10/11/2026"), recorded by hand or, for the
letters dtrack issues, on each task they name. Both count in the change key (0020) on PostgreSQL.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa
import dtrack.persistence.models


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")


def _note_changes(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f'CREATE TRIGGER dtrack_note_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
                   'FOR EACH STATEMENT EXECUTE FUNCTION dtrack_note_change()')


def upgrade() -> None:
    op.create_table('letter_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('province_id', sa.Integer(), nullable=False),
    sa.Column('directive_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('prepared_on', sa.Date(), nullable=False),
    sa.Column('prepared_at', dtrack.persistence.models.UTCDateTime(), nullable=False),
    sa.Column('refreshed_on', sa.Date(), nullable=False),
    sa.Column('tasks', sa.Integer(), nullable=False),
    sa.Column('most_days', sa.Integer(), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('decided_at', dtrack.persistence.models.UTCDateTime(), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('issued_document_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_letter_drafts_decided_by_users')),
    sa.ForeignKeyConstraint(['directive_id'], ['directives.id'], name=op.f('fk_letter_drafts_directive_id_directives')),
    sa.ForeignKeyConstraint(['issued_document_id'], ['issued_documents.id'],
                            name=op.f('fk_letter_drafts_issued_document_id_issued_documents')),
    sa.ForeignKeyConstraint(['province_id'], ['provinces.id'], name=op.f('fk_letter_drafts_province_id_provinces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_drafts'))
    )
    with op.batch_alter_table('letter_drafts', schema=None) as batch_op:
        batch_op.create_index('ix_letter_drafts_status', ['status', 'prepared_on'], unique=False)
        batch_op.create_index('uq_letter_drafts_pending', ['province_id', 'directive_id'], unique=True,
                              sqlite_where=PENDING, postgresql_where=PENDING)
    op.create_table('task_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('issuer', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('issued_document_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('recorded_at', dtrack.persistence.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['issued_document_id'], ['issued_documents.id'],
                            name=op.f('fk_task_documents_issued_document_id_issued_documents')),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_task_documents_recorded_by_users')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_task_documents_task_id_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_documents'))
    )
    with op.batch_alter_table('task_documents', schema=None) as batch_op:
        batch_op.create_index('ix_task_documents_task', ['task_id', 'issued_on'], unique=False)
    _note_changes('letter_drafts')
    _note_changes('task_documents')


def downgrade() -> None:
    with op.batch_alter_table('task_documents', schema=None) as batch_op:
        batch_op.drop_index('ix_task_documents_task')
    op.drop_table('task_documents')
    with op.batch_alter_table('letter_drafts', schema=None) as batch_op:
        batch_op.drop_index('uq_letter_drafts_pending')
        batch_op.drop_index('ix_letter_drafts_status')
    op.drop_table('letter_drafts')
