"""enrolments: one row per (patient, campaign run) that the results, exports and metrics read

Revision ID: 0200_enrolments
Revises: 0220_readings
Create Date: 2026-11-29 17:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision: str = '0200_enrolments'
down_revision: str | None = '0220_readings'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool = True) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, bot.store.models.UTCDateTime(timezone=True), nullable=nullable)


def _count(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.Integer(), nullable=False, server_default='0')


def upgrade() -> None:
    op.create_table(
        'enrolments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('conversation_id', sa.Integer(), nullable=False),
        sa.Column('patient_id', sa.Integer(), nullable=False),
        sa.Column('campaign', sa.String(length=64), nullable=False),
        sa.Column('fire_id', sa.Integer(), nullable=True),
        sa.Column('flow', sa.String(length=64), nullable=False),
        sa.Column('flow_version', sa.Integer(), nullable=False),
        sa.Column('locale', sa.String(length=16), nullable=False),
        sa.Column('channel', sa.String(length=8), nullable=False),
        sa.Column('stage', sa.String(length=16), nullable=True),
        sa.Column('variant', sa.String(length=32), nullable=True),
        _when('enrolled_at', nullable=False),
        _when('reached_at'),
        _when('first_reply_at'),
        sa.Column('outcome', sa.String(length=64), nullable=True),
        sa.Column('outcome_class', sa.String(length=24), nullable=True),
        _when('ended_at'),
        _count('tasks'),
        _count('urgent_tasks'),
        _when('escalated_at'),
        _when('first_human_contact_at'),
        sa.Column('opted_out', sa.Boolean(), nullable=False, server_default=sa.false()),
        _count('messages_sent'),
        _count('segments_sent'),
        _count('messages_delivered'),
        _count('replies'),
        sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'],
                                name=op.f('fk_enrolments_conversation_id_conversations')),
        sa.ForeignKeyConstraint(['patient_id'], ['patients.id'],
                                name=op.f('fk_enrolments_patient_id_patients')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolments')),
        sa.UniqueConstraint('conversation_id', name=op.f('uq_enrolments_conversation_id')),
    )
    op.create_index('ix_enrolments_campaign_enrolled', 'enrolments', ['campaign', 'enrolled_at'])
    op.create_index('ix_enrolments_enrolled', 'enrolments', ['enrolled_at'])
    op.create_index('ix_enrolments_patient_open', 'enrolments', ['patient_id', 'ended_at'])


def downgrade() -> None:
    op.drop_index('ix_enrolments_patient_open', table_name='enrolments')
    op.drop_index('ix_enrolments_enrolled', table_name='enrolments')
    op.drop_index('ix_enrolments_campaign_enrolled', table_name='enrolments')
    op.drop_table('enrolments')
