"""share language: the language a share's requester reads it in becomes a column of share_shares

It was kept in the share's "created" audit event (its detail's "language"), which every read had to look up;
the value is copied across, and the event keeps it as the record of what the case system asked.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('share_shares') as batch:
        batch.add_column(sa.Column('language', sa.String(length=2), nullable=True))
    events = sa.table('share_events', sa.column('share_id', sa.String), sa.column('kind', sa.String),
                      sa.column('detail', sa.JSON))
    shares = sa.table('share_shares', sa.column('id', sa.String), sa.column('language', sa.String))
    connection = op.get_bind()
    for share_id, detail in connection.execute(sa.select(events.c.share_id, events.c.detail)
                                               .where(events.c.kind == 'created')):
        language = (detail or {}).get('language') if isinstance(detail, dict) else None
        if language in ('en', 'cy'):
            connection.execute(shares.update().where(shares.c.id == share_id).values(language=language))


def downgrade() -> None:
    with op.batch_alter_table('share_shares') as batch:
        batch.drop_column('language')
