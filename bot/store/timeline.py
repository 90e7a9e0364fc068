"""A patient's history in one list: texts both ways, state changes, tasks and consent changes.

The care team reads this before answering, so it merges what the store keeps in separate
tables into one time-ordered list of plain entries the pages and the API can render.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.store import staff_names, task_history
from bot.store.models import (
    INBOUND,
    AuditEvent,
    ConsentChange,
    Conversation,
    FollowUpTask,
    Message,
)

#: For a task with no conversation, texts this long before it was created are shown with it.
TASK_CONTEXT_BEFORE = timedelta(days=7)


@dataclass(frozen=True)
class Entry:
    """One line of the timeline. `kind`: message, audit, task, consent, conversation."""

    at: datetime
    kind: str
    title: str
    body: str = ""
    direction: str | None = None
    status: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "kind": self.kind, "title": self.title,
                "body": self.body, "direction": self.direction, "status": self.status,
                "detail": self.detail}


def message_entry(m: Message) -> Entry:
    inbound = m.direction == INBOUND
    who = "Patient" if inbound else ("Care team" if m.kind == "reply" and m.msgid is None
                                     else "Outreach")
    status = m.status + (f" (error {m.error_code})" if m.error_code else "")
    return Entry(at=m.created_at, kind="message", title=f"{who} · {m.channel.upper()}",
                 body=m.body or (m.msgid or ""), direction=m.direction, status=status,
                 detail={"message_id": m.id, "kind": m.kind, "segments": m.segments,
                         "conversation_id": m.conversation_id, "locale": m.locale})


def _audit_entry(a: AuditEvent, names: dict[str, str] | None = None) -> Entry:
    """An audit row titled in words with staff names ("Dana Nurse claimed the task")."""
    detail = {k: v for k, v in (a.detail or {}).items() if k != "body"}
    return Entry(at=a.at, kind="audit",
                 title=task_history.describe(a.action, detail, a.reason, names or {}),
                 body=a.reason, detail=detail)


def _task_entries(t: FollowUpTask) -> list[Entry]:
    base = {"task_id": t.id, "team": t.team, "priority": t.priority}
    out = [Entry(at=t.created_at, kind="task", title=f"Task for {t.team} ({t.priority})",
                 body=t.reason, status=t.status, detail=base)]
    if t.resolved_at is not None:
        out.append(Entry(at=t.resolved_at, kind="task", title="Task resolved",
                         body=t.resolution or "", status=t.status, detail=base))
    return out


def _consent_entry(c: ConsentChange) -> Entry:
    how = c.source + (f" ({c.keyword})" if c.keyword else "")
    return Entry(at=c.at, kind="consent", title=f"Consent {c.status}", body=f"via {how}",
                 status=c.status)


def _conversation_entries(c: Conversation) -> list[Entry]:
    out = [Entry(at=c.started_at, kind="conversation", title=f"Conversation started: {c.flow}",
                 body=f"version {c.version}, {c.channel}", detail={"conversation_id": c.id})]
    if c.ended_at is not None:
        out.append(Entry(at=c.ended_at, kind="conversation", title=f"Conversation ended: {c.flow}",
                         body=c.outcome or c.status, detail={"conversation_id": c.id}))
    return out


def patient_timeline(session: Session, patient_id: int,
                     teams: Collection[str] | None = None) -> list[Entry]:
    """Everything about the patient a viewer of `teams` may see (None: every team), oldest first.

    Minimum necessary: another team's tasks, and the audit rows about them, stay with that team.
    """
    entries: list[Entry] = []
    entries += [message_entry(m) for m in session.scalars(
        select(Message).where(Message.patient_id == patient_id))]
    tasks = list(session.scalars(select(FollowUpTask).where(FollowUpTask.patient_id == patient_id)))
    hidden = {t.id for t in tasks if teams is not None and t.team not in teams}
    audits = [a for a in session.scalars(
        select(AuditEvent).where(AuditEvent.patient_id == patient_id))
        if (a.detail or {}).get("task_id") not in hidden]
    names = staff_names.by_email(session, task_history.staff_emails(audits))
    names.update(task_history.viewer_names(session, audits))
    entries += [_audit_entry(a, names) for a in audits]
    for t in tasks:
        if t.id not in hidden:
            entries += _task_entries(t)
    entries += [_consent_entry(c) for c in session.scalars(
        select(ConsentChange).where(ConsentChange.patient_id == patient_id))]
    for c in session.scalars(select(Conversation).where(Conversation.patient_id == patient_id)):
        entries += _conversation_entries(c)
    entries.sort(key=lambda e: (e.at, _ORDER.get(e.kind, 9)))
    return entries


_ORDER = {"conversation": 0, "message": 1, "consent": 2, "audit": 3, "task": 4}


def task_messages(session: Session, task: FollowUpTask) -> list[Message]:
    """The texts a task is about: the patient's whole exchange since its conversation began
    (inbound texts are stored before a worker routes them, so they are matched by patient and
    time, not only by conversation), and everything after the task was created, so the
    patient's next reply shows on the task."""
    if task.patient_id is not None:
        since = task.created_at - TASK_CONTEXT_BEFORE
        if task.conversation_id is not None:
            conv = session.get(Conversation, task.conversation_id)
            if conv is not None:
                since = min(conv.started_at, task.created_at)
        stmt = select(Message).where(
            Message.patient_id == task.patient_id,
            or_(Message.created_at >= since, Message.conversation_id == task.conversation_id),
        )
    elif task.message_id is not None:
        origin = session.get(Message, task.message_id)
        if origin is None:
            return []
        stmt = select(Message).where(Message.address == origin.address,
                                     Message.created_at >= origin.created_at - TASK_CONTEXT_BEFORE)
    else:
        return []
    return list(session.scalars(stmt.order_by(Message.created_at, Message.id)))


def patient_replied_since_contact(messages: list[Message]) -> bool:
    """True when the last text in the thread is from the patient after a care-team reply."""
    staff_seen = False
    last_in_after_staff = False
    for m in messages:
        if m.direction != INBOUND and m.kind == "reply" and m.msgid is None:
            staff_seen, last_in_after_staff = True, False
        elif m.direction == INBOUND and staff_seen:
            last_in_after_staff = True
    return last_in_after_staff
