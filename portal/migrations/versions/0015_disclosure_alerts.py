"""disclosure log email alerts, and the outbox's one-click unsubscribe link

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01

"Get emails about new responses that match this search": the alerts (with their addresses, deleted with them),
the entries each has emailed, and when confirmation emails went to an address (its keyed hash, kept a day).
An outbox email keeps the link its List-Unsubscribe headers carry until it is sent, then erases it with the body.
"""
from alembic import op
import sqlalchemy as sa

from portal.models import UTCDateTime

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'disclosure_alerts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=320), nullable=False),
        sa.Column('address_hash', sa.String(length=64), nullable=False),
        sa.Column('search', sa.JSON(), nullable=False),
        sa.Column('search_key', sa.String(length=64), nullable=False),
        sa.Column('frequency', sa.String(length=12), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('nonce', sa.String(length=32), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('expires_at', UTCDateTime(), nullable=True),
        sa.Column('confirmed_at', UTCDateTime(), nullable=True),
        sa.Column('checked_until', UTCDateTime(), nullable=True),
        sa.Column('next_check_at', UTCDateTime(), nullable=True),
        sa.Column('locked_until', UTCDateTime(), nullable=True),
        sa.Column('locked_by', sa.String(length=100), nullable=True),
        sa.Column('last_sent_at', UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosure_alerts')),
    )
    with op.batch_alter_table('disclosure_alerts') as batch:
        batch.create_index(batch.f('ix_disclosure_alerts_address_hash'), ['address_hash'], unique=False)
        batch.create_index(batch.f('ix_disclosure_alerts_expires_at'), ['expires_at'], unique=False)
        batch.create_index(batch.f('ix_disclosure_alerts_next_check_at'), ['next_check_at'], unique=False)
    op.create_table(
        'disclosure_alert_sent',
        sa.Column('alert_id', sa.Integer(), nullable=False),
        sa.Column('disclosure_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('sent_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['alert_id'], ['disclosure_alerts.id'],
                                name=op.f('fk_disclosure_alert_sent_alert_id_disclosure_alerts'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['disclosure_id'], ['disclosures.id'],
                                name=op.f('fk_disclosure_alert_sent_disclosure_id_disclosures'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('alert_id', 'disclosure_id', name=op.f('pk_disclosure_alert_sent')),
    )
    with op.batch_alter_table('disclosure_alert_sent') as batch:
        batch.create_index(batch.f('ix_disclosure_alert_sent_sent_at'), ['sent_at'], unique=False)
    op.create_table(
        'disclosure_alert_confirmations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('address_hash', sa.String(length=64), nullable=False),
        sa.Column('sent_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_disclosure_alert_confirmations')),
    )
    with op.batch_alter_table('disclosure_alert_confirmations') as batch:
        batch.create_index(batch.f('ix_disclosure_alert_confirmations_address_hash'), ['address_hash'], unique=False)
        batch.create_index(batch.f('ix_disclosure_alert_confirmations_sent_at'), ['sent_at'], unique=False)
    with op.batch_alter_table('portal_outbox') as batch:
        batch.add_column(sa.Column('unsubscribe_url', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('portal_outbox') as batch:
        batch.drop_column('unsubscribe_url')
    op.drop_table('disclosure_alert_confirmations')
    op.drop_table('disclosure_alert_sent')
    op.drop_table('disclosure_alerts')
