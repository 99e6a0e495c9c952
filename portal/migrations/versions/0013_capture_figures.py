"""capture figures: drafts started and requests sent per form and month, and feedback asked when a case closes

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa
import portal.models

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('capture_form_counts',
                    sa.Column('form_id', sa.String(length=40), nullable=False),
                    sa.Column('month', sa.String(length=7), nullable=False),
                    sa.Column('started', sa.Integer(), nullable=False),
                    sa.Column('sent', sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint('form_id', 'month', name=op.f('pk_capture_form_counts')))
    op.create_table('capture_feedback',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('submission_id', sa.Integer(), nullable=True),
                    sa.Column('form_id', sa.String(length=40), nullable=False),
                    sa.Column('month', sa.String(length=7), nullable=False),
                    sa.Column('asked_at', portal.models.UTCDateTime(timezone=True), nullable=False),
                    sa.Column('answered_at', portal.models.UTCDateTime(timezone=True), nullable=True),
                    sa.Column('answered_question', sa.String(length=10), nullable=True),
                    sa.Column('satisfaction', sa.Integer(), nullable=True),
                    sa.Column('improve', sa.Text(), nullable=False),
                    sa.ForeignKeyConstraint(['submission_id'], ['capture_submissions.id'],
                                            name=op.f('fk_capture_feedback_submission_id_capture_submissions'),
                                            ondelete='SET NULL'),
                    sa.PrimaryKeyConstraint('id', name=op.f('pk_capture_feedback')),
                    sa.UniqueConstraint('submission_id', name=op.f('uq_capture_feedback_submission_id')))
    with op.batch_alter_table('capture_feedback') as batch:
        batch.create_index(batch.f('ix_capture_feedback_month'), ['month'], unique=False)


def downgrade() -> None:
    op.drop_table('capture_feedback')
    op.drop_table('capture_form_counts')
