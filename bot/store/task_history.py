"""What happened to a task, in words, with names: "Dana Nurse claimed the task".

The audit trail stores actions as codes and staff by email (stable keys for reports); a nurse
reading a task wants to know who did what and when without decoding either. The same words
serve the task page and the patient timeline.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store import staff_names
from bot.store.models import AuditEvent, FollowUpTask
from bot.store.tasks_repo import RESOLUTIONS

#: Audit actions staff see, as "<who> <what>". `{to}`, `{from}` and `{outcome}` are filled in.
ACTION_WORDS: dict[str, str] = {
    "task_claimed": "claimed the task",
    "task_released": "put the task back in the queue",
    "task_assigned": "assigned the task to {to}",
    "task_note": "added a note",
    "task_resolved": "resolved the task: {outcome}",
    "task_taken_over": "took over from {from}",
    "staff_reply": "texted the patient",
    "staff_viewed": "opened the record",
    "reply_to_task": "The patient replied",
}
#: Detail keys that hold a staff email, turned into names.
STAFF_KEYS = ("by", "to", "from")


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    text: str
    action: str


def staff_emails(events: Iterable[AuditEvent]) -> set[str]:
    found: set[str] = set()
    for e in events:
        for key in STAFF_KEYS:
            value = (e.detail or {}).get(key)
            if isinstance(value, str):
                found.add(value)
    return found


def describe(action: str, detail: dict[str, Any], reason: str,
             names: dict[str, str]) -> str:
    """One audit row as a sentence with names; unknown actions keep their recorded reason."""
    def name(key: str) -> str:
        value = detail.get(key)
        return names.get(value, value) if isinstance(value, str) else "someone"

    words = ACTION_WORDS.get(action)
    if words is None:
        return reason[:1].upper() + reason[1:] if reason else action.replace("_", " ")
    outcome = RESOLUTIONS.get(str(detail.get("resolution") or ""), (reason,))[0]
    text = words.format(to=name("to"), outcome=outcome, **{"from": name("from")})
    if "by" in detail:
        return f"{name('by')} {text}"
    if action == "staff_viewed" and "user_id" in detail:
        return f"{names.get('#' + str(detail['user_id']), 'A staff member')} {text}"
    return text[:1].upper() + text[1:]


def task_history(session: Session, task: FollowUpTask) -> list[HistoryLine]:
    """The task's audit rows, oldest first, as sentences with staff names."""
    if task.patient_id is not None:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.patient_id == task.patient_id)
                               .order_by(AuditEvent.at, AuditEvent.id))
    else:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.action.like("task_%"))
                               .order_by(AuditEvent.at, AuditEvent.id))
    events = [e for e in rows if (e.detail or {}).get("task_id") == task.id]
    names = staff_names.by_email(session, staff_emails(events))
    names.update(viewer_names(session, events))
    lines: list[HistoryLine] = []
    for e in events:
        line = HistoryLine(e.at, describe(e.action, e.detail or {}, e.reason, names), e.action)
        if line.action == "staff_viewed" and any(
                old.action == "staff_viewed" and old.text == line.text for old in lines[-1:]):
            continue  # a page reloaded five times is one visit to the reader
        lines.append(line)
    return lines


def viewer_names(session: Session, events: Iterable[AuditEvent]) -> dict[str, str]:
    """Names of the staff behind `staff_viewed` rows (stored by account id), keyed '#id'."""
    ids = {int(e.detail["user_id"]) for e in events
           if isinstance((e.detail or {}).get("user_id"), int)}
    return {f"#{i}": name for i, name in staff_names.by_id(session, ids).items()}
