"""scale indexes: staff pages over a year of history read only what they show

Revision ID: 0250_scale_indexes
Revises: 0200_enrolments
Create Date: 2026-11-29 17:55:00

The queue's counts and menus, the caseload's windows and the registry's filters each had to
read the whole tasks, patients or conversations table; these indexes let them read the rows
they count (measured by bench/bench_pages.py on 100k tasks and 1M messages).
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0250_scale_indexes'
down_revision: str | None = '0200_enrolments'
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
    ('ix_enrolments_flow', 'enrolments', ['flow']),
)


#: The registry lists patients by lower(last name), lower(first name), id: an index in that
#: order lets a filtered list stop at its first hundred rows instead of sorting every patient.
NAME_ORDER: tuple[str, list[str | sa.TextClause]] = (
    'ix_patients_name_order', [sa.text('lower(last_name)'), sa.text('lower(first_name)'), 'id'])
#: Name search is "contains" (a fragment of a name anywhere): on PostgreSQL trigram indexes
#: answer it without reading every patient; SQLite scans, as it always did.
TRIGRAM = (('ix_patients_last_name_trgm', 'last_name'),
           ('ix_patients_first_name_trgm', 'first_name'))


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    op.create_index(NAME_ORDER[0], 'patients', NAME_ORDER[1])
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        for name, column in TRIGRAM:
            op.execute(f'CREATE INDEX {name} ON patients USING gin (lower({column}) gin_trgm_ops)')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for name, _ in TRIGRAM:
            op.execute(f'DROP INDEX IF EXISTS {name}')
    op.drop_index(NAME_ORDER[0], table_name='patients')
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
