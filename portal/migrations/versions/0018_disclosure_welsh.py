"""disclosure log in Welsh: an entry's language and its own Welsh version, and an email alert's language

An entry keeps the language it was published in (en | cy) and may carry its own Welsh version of its title,
request and response, which a Welsh page shows and search finds. An email alert keeps the language its
subscriber used, for its confirmation, alert and unsubscribe emails. Rows from before are English, as every
page was.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('disclosures') as batch:
        batch.add_column(sa.Column('language', sa.String(length=2), nullable=False, server_default='en'))
        batch.add_column(sa.Column('title_cy', sa.String(length=300), nullable=False, server_default=''))
        batch.add_column(sa.Column('request_cy', sa.Text(), nullable=False, server_default=''))
        batch.add_column(sa.Column('response_cy', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('disclosure_alerts') as batch:
        batch.add_column(sa.Column('language', sa.String(length=2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('disclosure_alerts') as batch:
        batch.drop_column('language')
    with op.batch_alter_table('disclosures') as batch:
        for column in ('response_cy', 'request_cy', 'title_cy', 'language'):
            batch.drop_column(column)
