"""Triage hand-back, end to end: once the care team answered on a task, the patient's next
text joins that task (no second task, no automatic hand-off text)."""

from __future__ import annotations

from datetime import datetime, timezone

import redis as redis_lib
from pipeline_helpers import add_patient, messages_for
from sqlalchemy import select
from stack_support import daytime_timezone

from bot.core import messages
from bot.services import queues, staff_replies
from bot.store.db import get_database
from bot.store.models import AuditEvent, FollowUpTask, Patient


def _tasks(stack, pid: int) -> list[FollowUpTask]:
    with get_database(stack.database_url).session() as s:
        return list(s.scalars(select(FollowUpTask).where(FollowUpTask.patient_id == pid)))


def test_reply_after_staff_answer_joins_the_open_task(stack):
    pid = add_patient(stack.database_url, timezone=daytime_timezone())
    with get_database(stack.database_url).session() as s:
        phone = s.get(Patient, pid).phone

    stack.text_in(phone, "Is my ride still coming on Friday?")
    stack.drain()
    [task] = _tasks(stack, pid)
    assert task.category == "unrouted_reply"

    # A nurse answers on the task through the normal sending path.
    with get_database(stack.database_url).session() as s:
        queued = staff_replies.queue_staff_reply(
            s, body="Yes, the van comes at 9.", by="nurse@example.org",
            now=datetime.now(timezone.utc), task=s.get(FollowUpTask, task.id))
    queues.enqueue_send(redis_lib.Redis.from_url(stack.redis_url), queued.message_id)
    stack.drain()

    stack.text_in(phone, "Thanks! Can it pick me up at the side door?")
    stack.drain()

    tasks = _tasks(stack, pid)
    assert [t.id for t in tasks] == [task.id]  # no second task
    out = [m for m in messages_for(stack.database_url, pid) if m.direction == "out"]
    assert [m.msgid for m in out].count(messages.HANDOFF_REPLY) == 1  # only after the first
    assert [m.kind for m in out] == ["reply", "reply"] and out[1].msgid is None
    assert len(stack.fake.messages(to=phone)) == 2
    with get_database(stack.database_url).session() as s:
        attached = list(s.scalars(select(AuditEvent).where(
            AuditEvent.patient_id == pid, AuditEvent.action == "reply_to_task")))
    inbound = [m for m in messages_for(stack.database_url, pid) if m.direction == "in"]
    assert [a.detail["message_id"] for a in attached] == [inbound[1].id]
    assert attached[0].detail["task_id"] == task.id
