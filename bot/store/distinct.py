"""Distinct values of an indexed column without reading the table.

A filter menu wants the handful of values a column holds (languages, flows), not a pass over
100,000 rows to find them. A loose index scan asks the index for the smallest value, then for
the smallest value above it, and so on: one probe per distinct value. It is a recursive CTE,
which PostgreSQL and SQLite both run.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session


def distinct_values(session: Session, column: InstrumentedAttribute[Any]) -> list[Any]:
    """Every distinct non-null value of `column`, ascending (fast when `column` leads an
    index)."""
    seen = select(func.min(column).label("value")).cte("seen", recursive=True)
    following = select(func.min(column)).where(column > seen.c.value).scalar_subquery()
    seen = seen.union_all(select(following).where(seen.c.value.is_not(None)))
    return list(session.scalars(select(seen.c.value).where(seen.c.value.is_not(None))))
