"""drop capture_drafts.submitted_reference

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

Nothing ever wrote it: a submitted draft is deleted in the transaction that commits its submission.
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('capture_drafts') as batch:
        batch.drop_column('submitted_reference')


def downgrade() -> None:
    with op.batch_alter_table('capture_drafts') as batch:
        batch.add_column(sa.Column('submitted_reference', sa.String(length=24), nullable=True))
