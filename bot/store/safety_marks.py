"""Staff judgements on the safety screen, and the labelled cases they become.

A nurse who reads a reply the screen let through ("this was a crisis we missed"), or one it
flagged for nothing ("this was not a crisis"), marks it on the task page. The marks feed two
things: the supervisor page's list of the screen's recent misses, and `outreach safety
export-marks`, which writes them as labelled cases for the *development* part of the test
sets (tests/safety/labelled/). The text stays in `messages`; a mark only points at it, and
nothing here logs it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import FollowUpTask, Message, Patient, SafetyMark

MISSED, NOT_CRISIS = "missed_crisis", "not_crisis"
LABELS = {MISSED: "This was a crisis the screen missed",
          NOT_CRISIS: "This was not a crisis"}


class MarkRefused(ValueError):
    """The mark cannot be recorded (unknown label, not a patient's message)."""


@dataclass(frozen=True)
class Miss:
    """One row of the supervisor page (the text is shown to signed-in staff only)."""

    mark: SafetyMark
    text: str
    locale: str
    patient_id: int | None


def screen_tier(text: str, locale: str) -> str:
    from bot.understanding.safety import classify_global

    hit = classify_global(text, locale)
    return hit.kind if hit is not None and hit.kind in ("urgent", "concern") else "none"


def mark(session: Session, message_id: int, label: str, staff: str, now: datetime,
         task_id: int | None = None) -> SafetyMark:
    """Record (or change) `staff`'s judgement on inbound message `message_id`."""
    if label not in LABELS:
        raise MarkRefused(f"unknown label {label!r}")
    message = session.get(Message, message_id)
    if message is None or message.direction != "in":
        raise MarkRefused("only a patient's message can be marked")
    patient = session.get(Patient, message.patient_id) if message.patient_id else None
    existing = session.scalar(select(SafetyMark).where(SafetyMark.message_id == message_id,
                                                       SafetyMark.staff == staff))
    row = existing or SafetyMark(message_id=message_id, staff=staff)
    row.label, row.task_id, row.created_at = label, task_id, now
    row.screen_tier = screen_tier(message.body, message.locale or (patient.locale if patient
                                                                   else "en"))
    session.add(row)
    return row


def task_message(session: Session, task: FollowUpTask) -> Message | None:
    """The patient's words a task is about: its own message, else the latest inbound one."""
    if task.message_id:
        found = session.get(Message, task.message_id)
        if found is not None and found.direction == "in":
            return found
    if task.patient_id is None:
        return None
    return session.scalar(select(Message).where(Message.patient_id == task.patient_id,
                                                Message.direction == "in")
                          .order_by(Message.id.desc()).limit(1))


def recent(session: Session, limit: int = 20) -> list[Miss]:
    """The latest marks where staff disagreed with the screen, newest first."""
    rows = session.execute(
        select(SafetyMark, Message, Patient).join(Message, Message.id == SafetyMark.message_id)
        .outerjoin(Patient, Patient.id == Message.patient_id)
        .order_by(SafetyMark.created_at.desc(), SafetyMark.id.desc()).limit(limit))
    return [Miss(m, msg.body, msg.locale or (p.locale if p else "en"), msg.patient_id)
            for m, msg, p in rows]


def export_cases(session: Session) -> dict[str, Any]:
    """Every mark as labelled cases in the development-set layout, per language:
    a missed crisis is an ``urgent`` case, a false alarm a ``none`` (look-alike) case."""
    by_language: dict[str, dict[str, list[str]]] = defaultdict(lambda: {"urgent": [], "none": []})
    for miss in recent(session, limit=100000):
        label = "urgent" if miss.mark.label == MISSED else "none"
        cases = by_language[miss.locale][label]
        if miss.text not in cases:
            cases.append(miss.text)
    return {lang: {"language": lang, "part": "development", "crisis": cases}
            for lang, cases in sorted(by_language.items())}
