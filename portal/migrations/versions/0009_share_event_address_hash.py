"""share_events.address_hash: a keyed hash of the requester's network address

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

The audit trail tells the case system whether two events came from the same address without ever
storing the address: an HMAC under the portal's secret key (secure_share/audit.py).
"""
from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'


def upgrade() -> None:
    # SQLite adds a column with a constant default in place: no table copy is needed on the way up
    op.add_column('share_events', sa.Column('address_hash', sa.String(length=64), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('share_events') as batch:
        batch.drop_column('address_hash')
