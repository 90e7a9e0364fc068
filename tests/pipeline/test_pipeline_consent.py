"""Consent at send time, end to end: after an opt-out only system and safety messages go out.

Signed webhooks into the running app, real `rq worker` subprocesses, sends to the stand-in.
"""

from __future__ import annotations

from pipeline_helpers import add_patient, messages_for
from sqlalchemy import select
from stack_support import daytime_timezone

from bot.core import messages
from bot.store.db import get_database
from bot.store.models import AuditEvent, FollowUpTask, Message, Patient


def _patient(stack) -> tuple[int, str]:
    pid = add_patient(stack.database_url, timezone=daytime_timezone())
    with get_database(stack.database_url).session() as s:
        return pid, s.get(Patient, pid).phone


def _queue_message(stack, pid: int, phone: str, kind: str) -> int:
    """An outbound message as the care team's reply box or a flow would store it."""
    with get_database(stack.database_url).session() as s:
        row = Message(patient_id=pid, direction="out", channel="sms", address=phone,
                      body="Your answer from the care team", kind=kind, status="pending")
        s.add(row)
        s.flush()
        return row.id


def test_opted_out_patient_gets_only_system_and_safety_messages(stack):
    pid, phone = _patient(stack)
    assert stack.text_in(phone, "please stop texting me").status_code == 200
    stack.drain()
    with get_database(stack.database_url).session() as s:
        assert s.get(Patient, pid).consent_status == "revoked"
    # A staff answer (kind reply) and a routine message queued after the opt-out reach the
    # send job: both are stopped there.
    reply_id = _queue_message(stack, pid, phone, "reply")
    routine_id = _queue_message(stack, pid, phone, "routine")
    stack.run_job("workers.jobs.send_message", reply_id, queue="outbound")
    stack.run_job("workers.jobs.send_message", routine_id, queue="outbound")
    # A crisis text still gets the crisis resources (safety) and an urgent task.
    stack.text_in(phone, "I want to kill myself")
    # Anything else gets no automatic answer at all (no hand-off text, kind reply).
    stack.text_in(phone, "when is my appointment")
    stack.drain()

    with get_database(stack.database_url).session() as s:
        assert s.get(Message, reply_id).status == "suppressed"
        assert s.get(Message, routine_id).status == "suppressed"
        audits = list(s.scalars(select(AuditEvent).where(AuditEvent.patient_id == pid,
                                                         AuditEvent.action == "suppressed")))
        tasks = list(s.scalars(select(FollowUpTask).where(FollowUpTask.patient_id == pid)))
    suppressed_ids = {a.detail.get("message_id") for a in audits} | {
        m for a in audits for m in a.detail.get("messages", [])}
    assert {reply_id, routine_id} <= suppressed_ids
    assert ("behavioral_health", "urgent") in [(t.team, t.priority) for t in tasks]

    sent = [m for m in messages_for(stack.database_url, pid)
            if m.direction == "out" and m.twilio_sid]
    assert sorted((m.kind, m.msgid) for m in sent) == sorted([
        ("system", messages.STOP_CONFIRMATION), ("safety", messages.CRISIS_REPLY)])
    assert len(stack.fake.messages(to=phone)) == 2
