"""capture delivery leases

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa
import portal.models


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('capture_submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivery_started_at', portal.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('locked_until', portal.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('locked_by', sa.String(length=100), nullable=True))
        batch_op.create_index(batch_op.f('ix_capture_submissions_next_attempt_at'), ['next_attempt_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('capture_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_capture_submissions_next_attempt_at'))
        batch_op.drop_column('locked_by')
        batch_op.drop_column('locked_until')
        batch_op.drop_column('delivery_started_at')

