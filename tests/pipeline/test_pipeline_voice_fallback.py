"""SMS to voice, end to end: a text the carrier cannot deliver to a landline (30006) or a
number that takes no texts (21614) becomes a phone call through real workers and the
stand-in; a language Twilio cannot speak becomes an interpreter task; a flow message on a
voice conversation is a call, not a text."""

from __future__ import annotations

from pipeline_helpers import add_patient, messages_for
from sqlalchemy import select
from stack_support import daytime_timezone

from bot import settings as settings_mod
from bot.cli.pipeline import start_campaign
from bot.store.db import get_database
from bot.store.models import AuditEvent, Conversation, FollowUpTask, InboxEvent, Patient


def _patient(stack, locale: str = "en") -> tuple[int, str]:
    pid = add_patient(stack.database_url, timezone=daytime_timezone(), locale=locale,
                      preferred_language=locale, attributes={"due_date": "2026-12-01"})
    with get_database(stack.database_url).session() as s:
        for other in s.scalars(select(Patient).where(Patient.id != pid,
                                                     Patient.phone_status.is_(None))):
            other.phone_status = "test-skip"
        return pid, s.get(Patient, pid).phone


def _conversation(stack, pid: int) -> Conversation:
    with get_database(stack.database_url).session() as s:
        return s.scalars(select(Conversation).where(Conversation.patient_id == pid)
                         .order_by(Conversation.id.desc())).first()


def _tasks(stack, pid: int) -> list[FollowUpTask]:
    with get_database(stack.database_url).session() as s:
        return list(s.scalars(select(FollowUpTask).where(FollowUpTask.patient_id == pid)))


def _calls_to(stack, phone: str) -> list[dict]:
    return [c for c in stack.fake.calls() if c["to"] == phone]


def test_landline_text_failure_becomes_a_call_that_completes_the_flow(stack):
    pid, phone = _patient(stack)
    stack.fake.configure(landline=[phone])
    # "1" to the identity question every call asks first, then "1" to the refill question.
    stack.fake.set_call_script(phone, {"answer": "human", "inputs": ["1", "1"]})
    assert start_campaign(settings_mod.load(stack.env), "refill_reminder") == [pid]
    stack.drain()
    assert stack.fake.wait_idle(30), "the stand-in still had a call or callback running"
    [call] = _calls_to(stack, phone)
    assert call["status"] == "completed"
    assert any("refill" in t.get("say", "") for t in call["transcript"])
    conv = _conversation(stack, pid)
    assert (conv.channel, conv.status, conv.outcome) == ("voice", "ended", "confirmed")
    texts = [m for m in messages_for(stack.database_url, pid)
             if m.direction == "out" and m.channel == "sms"]
    assert [(m.status, m.error_code) for m in texts] == [("undelivered", 30006)]
    assert _tasks(stack, pid) == []  # no "call the patient" task: the product called
    with get_database(stack.database_url).session() as s:
        assert s.get(Patient, pid).phone_status == "landline"


def test_not_mobile_in_a_language_without_a_voice_makes_an_interpreter_task(stack):
    pid, phone = _patient(stack, "ht")
    stack.fake.configure(not_mobile=[phone], landline=[])
    assert start_campaign(settings_mod.load(stack.env), "refill_reminder") == [pid]
    stack.drain()
    assert _calls_to(stack, phone) == []
    assert [(t.category, t.reason) for t in _tasks(stack, pid)] == [
        ("interpreter", "Kreyol interpreter call-back")]
    conv = _conversation(stack, pid)
    assert (conv.channel, conv.status, conv.outcome) == ("sms", "ended", "handed_off")
    with get_database(stack.database_url).session() as s:
        assert s.get(Patient, pid).phone_status == "landline"


def test_flow_message_on_a_voice_conversation_is_a_call_not_a_text(stack):
    pid, phone = _patient(stack)
    # "1" to the identity question every call asks first, then "1" to the refill question.
    stack.fake.set_call_script(phone, {"answer": "human", "inputs": ["1", "1"]})
    rt = stack.app.extensions["outreach"]
    with get_database(stack.database_url).session() as s:
        conv = Conversation(patient_id=pid, flow="refill_reminder",
                            version=rt.flows.get("refill_reminder").version, state="",
                            context={"first_name": "Ana", "due_date": "2026-12-01"},
                            status="active", locale="en", timezone=daytime_timezone(),
                            channel="voice")
        s.add(conv)
        s.flush()
        s.add(InboxEvent(patient_id=pid, conversation_id=conv.id, kind="start",
                         dedupe_key=f"test-start-{conv.id}"))
        cid = conv.id
    stack.run_job("workers.jobs.process_patient", pid, queue="inbound")
    stack.drain()
    assert stack.fake.wait_idle(30), "the stand-in still had a call or callback running"
    assert stack.fake.messages(to=phone) == []
    [call] = _calls_to(stack, phone)
    assert call["status"] == "completed"
    assert _conversation(stack, pid).outcome == "confirmed"
    with get_database(stack.database_url).session() as s:
        actions = s.scalars(select(AuditEvent.action).where(
            AuditEvent.conversation_id == cid)).all()
    assert actions.count("call_scheduled") == 1
