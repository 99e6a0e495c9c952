"""disclosure index changes: a log of which entries changed, for web servers that each keep a local search copy

Every publish, update, withdrawal and import writes a row here in the same transaction as the entry, so a
web server's local tantivy copy (SEARCH_ENGINE=tantivy-follower) can follow the database: it applies the
rows after the last one it has applied. disclosure_index_copies records how far each copy has got, so old rows
are pruned once every copy is past them; the row named "(pruned)" holds the highest id pruned, so a copy that
was down for longer knows it must rebuild from the database.

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

from portal.models import UTCDateTime

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'disclosure_index_changes',
        # AUTOINCREMENT on SQLite: ids are never reused after a prune, so a copy's position stays meaningful
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), primary_key=True),
        sa.Column('entry_id', sa.BigInteger(), nullable=False),
        sa.Column('at', UTCDateTime(), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index('ix_disclosure_index_changes_at', 'disclosure_index_changes', ['at'])
    op.create_table(
        'disclosure_index_copies',
        sa.Column('name', sa.String(length=200), primary_key=True),
        sa.Column('position', sa.BigInteger(), nullable=False),
        sa.Column('seen_at', UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('disclosure_index_copies')
    op.drop_index('ix_disclosure_index_changes_at', table_name='disclosure_index_changes')
    op.drop_table('disclosure_index_changes')
