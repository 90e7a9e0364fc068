"""Safety rules end to end in four languages (one right-to-left), through signed webhooks,
real workers and the Twilio stand-in; and a capture of every log line that must hold no PHI.

Each patient is mid-flow when they write; the phrases are in the patient's own language.
"""

from __future__ import annotations

import logging
import re

import pytest
from pipeline_helpers import enrol_in_refill, messages_for
from sqlalchemy import select

from bot import i18n
from bot.core import messages
from bot.store.db import get_database
from bot.store.models import AuditEvent, Conversation, FollowUpTask, Patient

# locale: (name, help word, crisis phrase, opt-out word that is not a carrier keyword)
CASES = {
    "en": ("Grace", "HELP", "I want to kill myself", "stop texting me"),
    "es": ("Lucía", "AYUDA", "quiero morirme", "PARAR"),
    "vi": ("Hương", "GIÚP", "tôi muốn tự tử", "DỪNG"),
    "ar": ("Layla", "مساعدة", "أريد أن أقتل نفسي", "توقف"),
}


def _expected(stack, msgid: str, locale: str) -> str:
    params = {"program": stack.env["PROGRAM_NAME"], "contact": stack.env["PROGRAM_CONTACT"]}
    return i18n.render(msgid, params, locale, "UTC")


def _last_out(stack, pid: int):
    return [m for m in messages_for(stack.database_url, pid) if m.direction == "out"][-1]


@pytest.mark.parametrize("locale", list(CASES))
def test_help_crisis_opt_out_and_opt_in_in_the_patients_language(stack, locale, caplog):
    caplog.set_level(logging.DEBUG)
    name, help_word, crisis, opt_out = CASES[locale]
    pid, phone = enrol_in_refill(stack, first_name=name, locale=locale)
    first = _last_out(stack, pid)
    assert first.locale == locale and first.status in ("sent", "delivered")

    # HELP: the program's name and contact line, in the patient's language; the flow waits on.
    stack.text_in(phone, help_word)
    stack.drain()
    reply = _last_out(stack, pid)
    assert reply.kind == "system" and reply.body == _expected(stack, messages.HELP_REPLY, locale)
    with get_database(stack.database_url).session() as s:
        conv = s.scalar(select(Conversation).where(Conversation.patient_id == pid))
        assert conv.status == "active" and conv.state == "ask"

    # A crisis reply overrides the script: urgent task, immediate safety message, flow ends.
    stack.text_in(phone, crisis)
    stack.drain()
    safety_msg = _last_out(stack, pid)
    assert safety_msg.kind == "safety"
    assert safety_msg.body == _expected(stack, messages.CRISIS_REPLY, locale)
    assert safety_msg.status in ("sent", "delivered")
    with get_database(stack.database_url).session() as s:
        conv = s.scalar(select(Conversation).where(Conversation.patient_id == pid))
        task = s.scalar(select(FollowUpTask).where(FollowUpTask.patient_id == pid,
                                                   FollowUpTask.priority == "urgent"))
        actions = {a.action for a in s.scalars(select(AuditEvent)
                                              .where(AuditEvent.patient_id == pid))}
    assert conv.status == "ended" and conv.outcome == "escalated"
    assert task is not None and task.team == "behavioral_health" and task.category == "crisis"
    assert "urgent_override" in actions

    # Opt-out in the patient's own words: consent revoked, one confirmation in their language.
    stack.text_in(phone, opt_out)
    stack.drain()
    confirmation = _last_out(stack, pid)
    assert confirmation.body == _expected(stack, messages.STOP_CONFIRMATION, locale)
    with get_database(stack.database_url).session() as s:
        assert s.get(Patient, pid).consent_status == "revoked"

    # START re-subscribes (Twilio lifts its block on START too).
    stack.text_in(phone, "START")
    stack.drain()
    with get_database(stack.database_url).session() as s:
        assert s.get(Patient, pid).consent_status == "granted"
    assert _last_out(stack, pid).body == _expected(stack, messages.START_CONFIRMATION, locale)

    # Privacy: no phone number, name or message body in any log line, here or in the workers.
    logs = "\n".join([r.getMessage() for r in caplog.records] + stack.worker_output)
    # (One-word keywords such as HELP or START also name things in log lines; real texts don't.)
    bodies = [m.body for m in messages_for(stack.database_url, pid) if m.body and len(m.body) > 8]
    forbidden = [phone, phone[2:], phone[-7:], name, *bodies, crisis]
    leaks = [item for item in forbidden if item and item in logs]
    assert not leaks, f"PHI in logs: {len(leaks)} item(s)"
    if help_word != "HELP":
        assert help_word not in logs and opt_out not in logs
    assert not re.search(r"\+1\d{10}", logs)
