"""readings: one row per reading a patient sent (blood pressure, glucose, weight ...)

Revision ID: 0220_readings
Revises: 0120_task_understood
Create Date: 2026-11-29 17:05:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0220_readings'
down_revision: str | None = '0120_task_understood'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'readings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('patient_id', sa.Integer(), nullable=False),
        sa.Column('conversation_id', sa.Integer(), nullable=True),
        sa.Column('message_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('values', sa.JSON(), nullable=False),
        sa.Column('flow', sa.String(length=64), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_readings_patient_id_patients')),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'],
                                name=op.f('fk_readings_conversation_id_conversations')),
        sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_readings_message_id_messages')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_readings')),
    )
    op.create_index('ix_readings_patient_kind_at', 'readings', ['patient_id', 'kind', 'recorded_at'])


def downgrade() -> None:
    op.drop_index('ix_readings_patient_kind_at', table_name='readings')
    op.drop_table('readings')
