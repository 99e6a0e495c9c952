"""api keys and worker heartbeat

Revision ID: 0001
Revises: 
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa
import portal.models


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('created_at', portal.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', portal.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_used_at', portal.models.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_keys_key_hash')),
    sa.UniqueConstraint('prefix', name=op.f('uq_api_keys_prefix'))
    )
    op.create_table('worker_heartbeats',
    sa.Column('worker', sa.String(length=100), nullable=False),
    sa.Column('beat_at', portal.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('worker', name=op.f('pk_worker_heartbeats'))
    )


def downgrade() -> None:
    op.drop_table('worker_heartbeats')
    op.drop_table('api_keys')
