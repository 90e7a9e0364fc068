"""scale indexes: staff pages over a year of history read only what they show

Revision ID: 0250_scale_indexes
Revises: 0150_staff_session_version
Create Date: 2026-11-29 17:55:00

The queue's counts and menus, the caseload's windows and the registry's filters each had to
read the whole tasks, patients or conversations table; these indexes let them read the rows
they count (measured by bench/bench_pages.py on 100k tasks and 1M messages).
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '0250_scale_indexes'
down_revision: str | None = '0150_staff_session_version'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ('ix_tasks_status_team', 'tasks', ['status', 'team']),
    ('ix_tasks_resolved_at', 'tasks', ['resolved_at']),
    ('ix_tasks_first_contact_at', 'tasks', ['first_contact_at']),
    ('ix_tasks_patient_id', 'tasks', ['patient_id']),
    ('ix_patients_locale', 'patients', ['locale']),
    ('ix_conversations_flow', 'conversations', ['flow']),
    ('ix_conversations_campaign', 'conversations', ['campaign']),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
