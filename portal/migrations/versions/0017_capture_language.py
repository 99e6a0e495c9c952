"""capture language: a draft and a submission keep the language the requester used (en | cy)

The emails that follow a request (codes, the acknowledgement, progress, reminders) are written in it, and the
case system is told it. Rows from before are English, as every page was.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ('capture_drafts', 'capture_submissions'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('language', sa.String(length=2), nullable=True))


def downgrade() -> None:
    for table in ('capture_drafts', 'capture_submissions'):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('language')
