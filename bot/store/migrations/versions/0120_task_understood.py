"""tasks.understood: what the engine made of the patient's last reply (the reply itself is
linked through tasks.message_id)

Revision ID: 0120_task_understood
Revises: 0110_safety_preferences
Create Date: 2026-11-29 13:40:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0120_task_understood'
down_revision: str | None = '0110_safety_preferences'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('tasks') as batch:
        batch.add_column(sa.Column('understood', sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('tasks') as batch:
        batch.drop_column('understood')
