"""portal_outbox: every email as a row committed with what causes it

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

Emails (security codes, acknowledgements, share links, reminders) were Huey tasks carrying the whole
message: lost in a crash between the commit and the queueing, and personal data left in the job store.
"""
from alembic import op
import sqlalchemy as sa

from portal.models import UTCDateTime

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'portal_outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('reference', sa.String(length=64), nullable=True),
        sa.Column('to_address', sa.String(length=320), nullable=True),
        sa.Column('subject', sa.Text(), nullable=True),
        sa.Column('body', sa.Text(), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('next_attempt_at', UTCDateTime(), nullable=True),
        sa.Column('discard_after', UTCDateTime(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('locked_until', UTCDateTime(), nullable=True),
        sa.Column('locked_by', sa.String(length=100), nullable=True),
        sa.Column('sent_at', UTCDateTime(), nullable=True),
        sa.Column('finished_at', UTCDateTime(), nullable=True),
        sa.Column('last_error', sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_portal_outbox')),
    )
    op.create_index('ix_portal_outbox_due', 'portal_outbox', ['status', 'next_attempt_at'])


def downgrade() -> None:
    op.drop_index('ix_portal_outbox_due', table_name='portal_outbox')
    op.drop_table('portal_outbox')
