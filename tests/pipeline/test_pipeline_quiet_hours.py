"""Quiet hours and the daily cap, end to end: held back (scheduled, not dropped), with the wait
for a reply measured from when the patient actually gets the question."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from pipeline_helpers import add_patient, messages_for, only_patient
from sqlalchemy import select
from stack_support import daytime_timezone

from bot import defaults
from bot import settings as settings_mod
from bot.cli.pipeline import start_campaign
from bot.core import rules
from bot.devtools.devstack import zone_at
from bot.store.db import get_database
from bot.store.models import AuditEvent, Message, Patient, TimeoutIntent


def _audits(stack, pid: int) -> list[str]:
    with get_database(stack.database_url).session() as s:
        return [a.action for a in s.scalars(select(AuditEvent).where(AuditEvent.patient_id == pid))]


def test_reminder_at_night_waits_for_morning_and_its_timeout_waits_too(stack):
    now = datetime.now(timezone.utc)
    zone = zone_at(now, "Asia/Tokyo", daytime=False)
    pid = add_patient(stack.database_url, timezone=zone, attributes={"due_date": "2030-01-15"})
    only_patient(stack.database_url, pid)
    assert start_campaign(settings_mod.load(stack.env), "refill_reminder") == [pid]
    stack.drain()
    (reminder,) = [m for m in messages_for(stack.database_url, pid) if m.direction == "out"]
    assert reminder.status == "deferred" and reminder.kind == "routine"
    morning = rules.next_allowed_send(now, zone)
    assert abs((reminder.send_after - morning).total_seconds()) < 120
    with get_database(stack.database_url).session() as s:
        phone = s.get(Patient, pid).phone
        intent = s.scalar(select(TimeoutIntent).join(Message, Message.conversation_id ==
                                                     TimeoutIntent.conversation_id)
                          .where(Message.id == reminder.id))
    assert stack.fake.messages(to=phone) == []  # nothing went out in the night
    assert "deferral" in _audits(stack, pid)
    # refill_reminder waits 24 h for an answer: from the morning send, not from the night.
    assert abs((intent.fire_at - (reminder.send_after + timedelta(hours=24))).total_seconds()) < 5

    # The patient writes in the night anyway: an answer to their own message goes at once.
    stack.text_in(phone, "HELP")
    stack.drain()
    help_reply = [m for m in messages_for(stack.database_url, pid) if m.direction == "out"][-1]
    assert help_reply.kind == "system" and help_reply.status in ("sent", "delivered")


def test_daily_cap_holds_the_next_routine_message_until_tomorrow(stack):
    now = datetime.now(timezone.utc)
    zone = daytime_timezone(now)
    pid = add_patient(stack.database_url, timezone=zone, attributes={"due_date": "2030-01-15"})
    only_patient(stack.database_url, pid)
    with get_database(stack.database_url).session() as s:
        phone = s.get(Patient, pid).phone
        for i in range(defaults.MAX_ROUTINE_MESSAGES_PER_DAY):
            s.add(Message(patient_id=pid, direction="out", address=phone, body=f"earlier {i}",
                          kind="routine", status="delivered", claimed_at=now - timedelta(minutes=5),
                          created_at=now - timedelta(minutes=5)))
    assert start_campaign(settings_mod.load(stack.env), "refill_reminder") == [pid]
    stack.drain()
    latest = [m for m in messages_for(stack.database_url, pid) if m.direction == "out"][-1]
    assert latest.status == "deferred"
    _, day_end = rules.local_day_bounds(now, zone)
    assert latest.send_after >= day_end
    assert "cap" in _audits(stack, pid)
    assert stack.fake.messages(to=phone) == []
