"""code limits in the database: named locks, a share's lifetime of wrong codes, codes per share

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

Security codes stop being bound to one browser (secure_share/signing_in.py says why), so share_codes
loses its browser and client columns; a share counts its wrong codes and the pace of its code emails.
"""
from alembic import op
import sqlalchemy as sa
import portal.models

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('portal_locks',
                    sa.Column('name', sa.String(length=120), nullable=False),
                    sa.Column('taken_at', portal.models.UTCDateTime(timezone=True), nullable=False),
                    sa.PrimaryKeyConstraint('name', name=op.f('pk_portal_locks')))
    with op.batch_alter_table('portal_locks') as batch:
        batch.create_index(batch.f('ix_portal_locks_taken_at'), ['taken_at'], unique=False)
    with op.batch_alter_table('share_shares') as batch:
        batch.add_column(sa.Column('failed_codes', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('locked_at', portal.models.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('code_emails_at', portal.models.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('share_codes') as batch:
        batch.drop_index('ix_share_codes_client')
        batch.drop_column('client')
        batch.drop_column('browser')


def downgrade() -> None:
    with op.batch_alter_table('share_codes') as batch:
        batch.add_column(sa.Column('browser', sa.String(length=64), nullable=False, server_default=''))
        batch.add_column(sa.Column('client', sa.String(length=64), nullable=False, server_default=''))
        batch.create_index('ix_share_codes_client', ['client'], unique=False)
    with op.batch_alter_table('share_shares') as batch:
        batch.drop_column('code_emails_at')
        batch.drop_column('locked_at')
        batch.drop_column('failed_codes')
    with op.batch_alter_table('portal_locks') as batch:
        batch.drop_index(batch.f('ix_portal_locks_taken_at'))
    op.drop_table('portal_locks')
