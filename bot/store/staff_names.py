"""Staff names for pages and messages: "Dana Nurse claimed the task", not an email.

Reads the accounts table through a light column list rather than the `User` model, so the
worker-side code that words a refusal or a history line does not pull in the password-hashing
code that comes with the model (services stay free of the web stack).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import column, select, table
from sqlalchemy.orm import Session

_staff = table("staff_users", column("id"), column("email"), column("name"))


def by_email(session: Session, emails: Iterable[str | None]) -> dict[str, str]:
    """Each email's staff name (the email itself when the account has none or is gone)."""
    wanted = {e for e in emails if e}
    if not wanted:
        return {}
    found = {email: (name or email) for email, name in session.execute(
        select(_staff.c.email, _staff.c.name).where(_staff.c.email.in_(wanted)))}
    return {e: found.get(e, e) for e in wanted}


def by_id(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """Each account id's staff name (or email)."""
    wanted = set(ids)
    if not wanted:
        return {}
    return {int(i): (name or email) for i, email, name in session.execute(
        select(_staff.c.id, _staff.c.email, _staff.c.name).where(_staff.c.id.in_(wanted)))}
