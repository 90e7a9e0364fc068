"""staff users (triage accounts) and task indexes for the queue and caseload

Revision ID: 0090_staff_users
Revises: 0001
Create Date: 2026-11-24 19:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision: str = '0090_staff_users'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('staff_users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('teams', sa.JSON(), nullable=False),
    sa.Column('api_token_hash', sa.String(length=64), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', bot.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', bot.store.models.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_users')),
    sa.UniqueConstraint('api_token_hash', name=op.f('uq_staff_users_api_token_hash')),
    sa.UniqueConstraint('email', name=op.f('uq_staff_users_email'))
    )


def downgrade() -> None:
    op.drop_table('staff_users')
