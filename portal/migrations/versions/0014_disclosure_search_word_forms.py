"""disclosure search word forms: PostgreSQL's search index is filled again with stems and exact words

The disclosure_search documents now hold each word's stem and its exact form (disclosure_log.analysis), so
every entry is marked for the index sweep (the worker, every minute; or `flask disclosure-log rebuild-index`),
which rewrites its row. Until then an entry is found by its old words. The embedded index needs no migration:
its new schema number (disclosure_log.index.TANTIVY_SCHEMA) starts a new folder, which the sweep fills.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("update disclosures set index_state = 'pending' where index_state = 'done'")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":  # the older code's documents, written again by its sweep
        op.execute("update disclosures set index_state = 'pending' where index_state = 'done'")
