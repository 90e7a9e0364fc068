"""EHR panel resources, due facts, campaign fires and campaign states

Revision ID: 0130_panels_campaigns
Revises: 0090_staff_users
Create Date: 2026-11-29 13:30:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.store.models

revision: str = '0130_panels_campaigns'
down_revision: str | None = '0090_staff_users'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = bot.store.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table('panel_resources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resource_type', sa.String(length=32), nullable=False),
    sa.Column('resource_id', sa.String(length=64), nullable=False),
    sa.Column('patient_ref', sa.String(length=64), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('updated_at', UTC, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_panel_resources')),
    sa.UniqueConstraint('resource_type', 'resource_id', name=op.f('uq_panel_resources_resource_type'))
    )
    op.create_index('ix_panel_resources_patient_ref', 'panel_resources', ['patient_ref'], unique=False)
    op.create_table('due_facts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_ref', sa.String(length=64), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('anchor', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=48), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('changed_at', UTC, nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_due_facts_patient_id_patients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_due_facts')),
    sa.UniqueConstraint('patient_ref', 'kind', 'key', name=op.f('uq_due_facts_patient_ref'))
    )
    op.create_index('ix_due_facts_kind_changed', 'due_facts', ['kind', 'changed_at'], unique=False)
    op.create_index(op.f('ix_due_facts_patient_id'), 'due_facts', ['patient_id'], unique=False)
    op.create_table('campaign_fires',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign', sa.String(length=64), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('fact_id', sa.Integer(), nullable=True),
    sa.Column('anchor', sa.Date(), nullable=False),
    sa.Column('offset_days', sa.Integer(), nullable=False),
    sa.Column('fire_at', UTC, nullable=False),
    sa.Column('version', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=True),
    sa.Column('conversation_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTC, nullable=False),
    sa.Column('updated_at', UTC, nullable=False),
    sa.Column('enrolled_at', UTC, nullable=True),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_campaign_fires_conversation_id_conversations')),
    sa.ForeignKeyConstraint(['fact_id'], ['due_facts.id'], name=op.f('fk_campaign_fires_fact_id_due_facts')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_campaign_fires_patient_id_patients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_fires')),
    sa.UniqueConstraint('campaign', 'patient_id', 'anchor', 'offset_days', name=op.f('uq_campaign_fires_campaign'))
    )
    op.create_index('ix_campaign_fires_fact', 'campaign_fires', ['fact_id'], unique=False)
    op.create_index('ix_campaign_fires_status_fire_at', 'campaign_fires', ['status', 'fire_at'], unique=False)
    op.create_table('campaign_states',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('version', sa.String(length=16), nullable=False),
    sa.Column('stage', sa.Integer(), nullable=False),
    sa.Column('stage_approved_by', sa.String(length=255), nullable=True),
    sa.Column('stage_approved_at', UTC, nullable=True),
    sa.Column('synced_through', UTC, nullable=True),
    sa.Column('updated_at', UTC, nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_campaign_states'))
    )


def downgrade() -> None:
    op.drop_table('campaign_states')
    op.drop_index('ix_campaign_fires_status_fire_at', table_name='campaign_fires')
    op.drop_index('ix_campaign_fires_fact', table_name='campaign_fires')
    op.drop_table('campaign_fires')
    op.drop_index(op.f('ix_due_facts_patient_id'), table_name='due_facts')
    op.drop_index('ix_due_facts_kind_changed', table_name='due_facts')
    op.drop_table('due_facts')
    op.drop_index('ix_panel_resources_patient_ref', table_name='panel_resources')
    op.drop_table('panel_resources')
