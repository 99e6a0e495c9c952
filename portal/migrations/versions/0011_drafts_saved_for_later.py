"""capture_drafts.saved_until: a draft saved to come back to later (capture/saving.py)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
import portal.models

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('capture_drafts') as batch:
        batch.add_column(sa.Column('saved_until', portal.models.UTCDateTime(timezone=True), nullable=True))
        batch.create_index(batch.f('ix_capture_drafts_saved_until'), ['saved_until'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('capture_drafts') as batch:
        batch.drop_index(batch.f('ix_capture_drafts_saved_until'))
        batch.drop_column('saved_until')
