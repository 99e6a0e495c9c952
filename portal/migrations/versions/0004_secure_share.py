"""secure share

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa
import portal.models


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('share_shares',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('case_reference', sa.String(length=60), nullable=False),
    sa.Column('recipient_name', sa.String(length=200), nullable=False),
    sa.Column('recipient_email', sa.String(length=254), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('link_version', sa.Integer(), nullable=False),
    sa.Column('created_at', portal.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', portal.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', portal.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', portal.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('files_deleted_at', portal.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('first_downloaded_at', portal.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminder_sent_at', portal.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('webhook_url', sa.String(length=500), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_share_shares'))
    )
    with op.batch_alter_table('share_shares', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_share_shares_case_reference'), ['case_reference'], unique=False)
        batch_op.create_index(batch_op.f('ix_share_shares_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_share_shares_status'), ['status'], unique=False)

    op.create_table('share_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('share_id', sa.String(length=32), nullable=False),
    sa.Column('browser', sa.String(length=64), nullable=False),
    sa.Column('client', sa.String(length=64), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', portal.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', portal.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('used_at', portal.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['share_id'], ['share_shares.id'], name=op.f('fk_share_codes_share_id_share_shares'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_share_codes'))
    )
    with op.batch_alter_table('share_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_share_codes_client'), ['client'], unique=False)
        batch_op.create_index(batch_op.f('ix_share_codes_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_share_codes_share_id'), ['share_id'], unique=False)

    op.create_table('share_documents',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('share_id', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('store_key', sa.String(length=300), nullable=False),
    sa.Column('scan_status', sa.String(length=20), nullable=False),
    sa.Column('uploaded_at', portal.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('removed_at', portal.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['share_id'], ['share_shares.id'], name=op.f('fk_share_documents_share_id_share_shares'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_share_documents'))
    )
    with op.batch_alter_table('share_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_share_documents_share_id'), ['share_id'], unique=False)

    op.create_table('share_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('share_id', sa.String(length=32), nullable=False),
    sa.Column('at', portal.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('document_id', sa.String(length=32), nullable=True),
    sa.Column('actor', sa.String(length=20), nullable=False),
    sa.Column('device', sa.String(length=200), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['share_id'], ['share_shares.id'], name=op.f('fk_share_events_share_id_share_shares'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_share_events'))
    )
    with op.batch_alter_table('share_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_share_events_share_id'), ['share_id'], unique=False)

    op.create_table('share_sessions',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('share_id', sa.String(length=32), nullable=False),
    sa.Column('created_at', portal.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', portal.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', portal.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['share_id'], ['share_shares.id'], name=op.f('fk_share_sessions_share_id_share_shares'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_share_sessions'))
    )
    with op.batch_alter_table('share_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_share_sessions_share_id'), ['share_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('share_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_share_sessions_share_id'))

    op.drop_table('share_sessions')
    with op.batch_alter_table('share_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_share_events_share_id'))

    op.drop_table('share_events')
    with op.batch_alter_table('share_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_share_documents_share_id'))

    op.drop_table('share_documents')
    with op.batch_alter_table('share_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_share_codes_share_id'))
        batch_op.drop_index(batch_op.f('ix_share_codes_created_at'))
        batch_op.drop_index(batch_op.f('ix_share_codes_client'))

    op.drop_table('share_codes')
    with op.batch_alter_table('share_shares', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_share_shares_status'))
        batch_op.drop_index(batch_op.f('ix_share_shares_expires_at'))
        batch_op.drop_index(batch_op.f('ix_share_shares_case_reference'))

    op.drop_table('share_shares')
