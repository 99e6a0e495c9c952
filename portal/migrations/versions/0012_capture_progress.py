"""capture progress: the case system's reports of where a request is, and codes to see them by reference

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
import portal.models

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('capture_submissions') as batch:
        batch.add_column(sa.Column('progress', sa.String(length=30), nullable=False, server_default='received'))
        batch.add_column(sa.Column('notify_progress', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table('capture_progress',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('submission_id', sa.Integer(), nullable=False),
                    sa.Column('status', sa.String(length=30), nullable=False),
                    sa.Column('at', portal.models.UTCDateTime(timezone=True), nullable=False),
                    sa.Column('message', sa.Text(), nullable=False),
                    sa.Column('due_date', sa.Date(), nullable=True),
                    sa.Column('share_url', sa.String(length=500), nullable=False),
                    sa.ForeignKeyConstraint(['submission_id'], ['capture_submissions.id'],
                                            name=op.f('fk_capture_progress_submission_id_capture_submissions'),
                                            ondelete='CASCADE'),
                    sa.PrimaryKeyConstraint('id', name=op.f('pk_capture_progress')))
    with op.batch_alter_table('capture_progress') as batch:
        batch.create_index(batch.f('ix_capture_progress_submission_id'), ['submission_id'], unique=False)
    op.create_table('capture_tracking_codes',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('submission_id', sa.Integer(), nullable=False),
                    sa.Column('code_hash', sa.String(length=64), nullable=False),
                    sa.Column('created_at', portal.models.UTCDateTime(timezone=True), nullable=False),
                    sa.Column('expires_at', portal.models.UTCDateTime(timezone=True), nullable=False),
                    sa.Column('attempts', sa.Integer(), nullable=False),
                    sa.Column('used_at', portal.models.UTCDateTime(timezone=True), nullable=True),
                    sa.ForeignKeyConstraint(['submission_id'], ['capture_submissions.id'],
                                            name=op.f('fk_capture_tracking_codes_submission_id_capture_submissions'),
                                            ondelete='CASCADE'),
                    sa.PrimaryKeyConstraint('id', name=op.f('pk_capture_tracking_codes')))
    with op.batch_alter_table('capture_tracking_codes') as batch:
        batch.create_index(batch.f('ix_capture_tracking_codes_created_at'), ['created_at'], unique=False)
        batch.create_index(batch.f('ix_capture_tracking_codes_submission_id'), ['submission_id'], unique=False)


def downgrade() -> None:
    op.drop_table('capture_tracking_codes')
    op.drop_table('capture_progress')
    with op.batch_alter_table('capture_submissions') as batch:
        batch.drop_column('notify_progress')
        batch.drop_column('progress')
