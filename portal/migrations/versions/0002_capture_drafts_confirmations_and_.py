"""capture drafts, confirmations and submissions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa
import portal.models


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('capture_drafts',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('form_id', sa.String(length=40), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('flags', sa.JSON(), nullable=False),
    sa.Column('created_at', portal.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('touched_at', portal.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_reference', sa.String(length=24), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_capture_drafts'))
    )
    with op.batch_alter_table('capture_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_capture_drafts_touched_at'), ['touched_at'], unique=False)

    op.create_table('capture_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=24), nullable=False),
    sa.Column('form_id', sa.String(length=40), nullable=False),
    sa.Column('case_type', sa.String(length=20), nullable=False),
    sa.Column('received_at', portal.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('clock_rule', sa.Text(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('dedupe_hash', sa.String(length=64), nullable=False),
    sa.Column('duplicate_of', sa.String(length=24), nullable=True),
    sa.Column('delivery_status', sa.String(length=20), nullable=False),
    sa.Column('delivery_attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', portal.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('case_id', sa.String(length=100), nullable=True),
    sa.Column('delivered_at', portal.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_at', portal.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('personal_data_deleted_at', portal.models.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_capture_submissions')),
    sa.UniqueConstraint('reference', name=op.f('uq_capture_submissions_reference'))
    )
    with op.batch_alter_table('capture_submissions', schema=None) as batch_op:
        batch_op.create_index('ix_capture_submissions_dedupe', ['dedupe_hash', 'received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_capture_submissions_delivery_status'), ['delivery_status'], unique=False)
        batch_op.create_index(batch_op.f('ix_capture_submissions_received_at'), ['received_at'], unique=False)

    op.create_table('capture_email_confirmations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.String(length=32), nullable=False),
    sa.Column('email_hash', sa.String(length=64), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', portal.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', portal.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('confirmed_at', portal.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['draft_id'], ['capture_drafts.id'], name=op.f('fk_capture_email_confirmations_draft_id_capture_drafts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_capture_email_confirmations'))
    )
    with op.batch_alter_table('capture_email_confirmations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_capture_email_confirmations_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_capture_email_confirmations_draft_id'), ['draft_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_capture_email_confirmations_email_hash'), ['email_hash'], unique=False)

    op.create_table('capture_submission_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.String(length=32), nullable=False),
    sa.Column('question_id', sa.String(length=40), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('store_key', sa.String(length=300), nullable=False),
    sa.Column('scanned', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['capture_submissions.id'], name=op.f('fk_capture_submission_files_submission_id_capture_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_capture_submission_files')),
    sa.UniqueConstraint('file_id', name=op.f('uq_capture_submission_files_file_id'))
    )
    with op.batch_alter_table('capture_submission_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_capture_submission_files_submission_id'), ['submission_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('capture_submission_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_capture_submission_files_submission_id'))

    op.drop_table('capture_submission_files')
    with op.batch_alter_table('capture_email_confirmations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_capture_email_confirmations_email_hash'))
        batch_op.drop_index(batch_op.f('ix_capture_email_confirmations_draft_id'))
        batch_op.drop_index(batch_op.f('ix_capture_email_confirmations_created_at'))

    op.drop_table('capture_email_confirmations')
    with op.batch_alter_table('capture_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_capture_submissions_received_at'))
        batch_op.drop_index(batch_op.f('ix_capture_submissions_delivery_status'))
        batch_op.drop_index('ix_capture_submissions_dedupe')

    op.drop_table('capture_submissions')
    with op.batch_alter_table('capture_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_capture_drafts_touched_at'))

    op.drop_table('capture_drafts')
