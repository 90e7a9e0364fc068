"""patients' contact preferences (sending window, channel, staff note) and staff safety marks

Revision ID: 0110_safety_preferences
Revises: 0150_staff_session_version
Create Date: 2026-11-29 13:40:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision: str = '0110_safety_preferences'
down_revision: str | None = '0150_staff_session_version'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('patients') as batch:
        batch.add_column(sa.Column('send_window_start', sa.String(length=5), nullable=True))
        batch.add_column(sa.Column('send_window_end', sa.String(length=5), nullable=True))
        batch.add_column(sa.Column('preferred_channel', sa.String(length=8), nullable=True))
        batch.add_column(sa.Column('contact_note', sa.String(length=64), nullable=True))
    op.create_table('safety_marks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('label', sa.String(length=16), nullable=False),
    sa.Column('screen_tier', sa.String(length=16), nullable=False),
    sa.Column('staff', sa.String(length=255), nullable=False),
    sa.Column('created_at', bot.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'],
                            name=op.f('fk_safety_marks_message_id_messages')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_safety_marks_task_id_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safety_marks'))
    )
    op.create_index(op.f('ix_safety_marks_message_id'), 'safety_marks', ['message_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_safety_marks_message_id'), table_name='safety_marks')
    op.drop_table('safety_marks')
    with op.batch_alter_table('patients') as batch:
        batch.drop_column('contact_note')
        batch.drop_column('preferred_channel')
        batch.drop_column('send_window_end')
        batch.drop_column('send_window_start')
