"""capture_submissions.from_draft: which draft a submission was sent from (a hash of its id)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01

A request confirmed by the emailed link in one browser is sent from the draft the first browser still
names: that browser is told "You've already sent this request" with its reference, not "deleted".
"""
from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('capture_submissions') as batch:
        batch.add_column(sa.Column('from_draft', sa.String(length=64), nullable=True))
        batch.create_index(batch.f('ix_capture_submissions_from_draft'), ['from_draft'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('capture_submissions') as batch:
        batch.drop_index(batch.f('ix_capture_submissions_from_draft'))
        batch.drop_column('from_draft')
