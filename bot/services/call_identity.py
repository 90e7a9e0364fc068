"""Who is on the line: the rule every call path follows before saying any health detail.

Answering-machine detection is a guess: `unknown` (or no answer at all when detection timed
out) may be a person, a voicemail greeting, or a relative picking up. So every call opens the
same way, whatever detection said short of a machine: who is calling and for whom, and a
request to confirm (key 1 or "yes"). Only a call whose identity was confirmed hears the flow;
the confirmation is per call (`CallSid`), so a second call asks again.

A definite machine gets the voicemail, which says who called and a number, nothing else. A
person who says this is the wrong number ("wrong number", "not me", key 3, "打错了") ends the
outreach to that number: the number is marked, every active conversation of the patient ends,
and the outreach team gets a task to fix the contact details.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import i18n
from bot.channels import twilio_voice as tv
from bot.channels.voice_locales import PROFILES
from bot.core import call_messages as cm
from bot.services import voice_turns as vt
from bot.services.executor import AfterCommit
from bot.store import repositories as repo
from bot.store.models import AuditEvent, Conversation, Patient
from bot.understanding import call_intents

#: Twilio's AnsweredBy values that mean nobody is listening live (`unknown` is not one).
MACHINE = frozenset({"machine_start", "machine_end_beep", "machine_end_silence",
                     "machine_end_other", "fax"})
#: The phone status a wrong number gets: no text, no call goes to it until staff fix it.
WRONG_NUMBER_STATUS = "wrong_number"
#: Identity answers by key (the identity question names them).
CONFIRM_KEY, NOT_AVAILABLE_KEY, WRONG_NUMBER_KEY = "1", "2", "3"
CONFIRMED, NOT_AVAILABLE, WRONG, UNCLEAR = "confirmed", "not_available", "wrong", "unclear"


def is_machine(answered_by: str | None) -> bool:
    """True only for a definite machine; `unknown` and nothing are asked who they are."""
    return (answered_by or "") in MACHINE


def confirmed(s: Session, conversation_id: int, call_sid: str) -> bool:
    """Whether the person on call `call_sid` said they are the patient."""
    if not call_sid:
        return False
    rows = s.scalars(select(AuditEvent.detail).where(
        AuditEvent.conversation_id == conversation_id,
        AuditEvent.action == "identity_confirmed"))
    return any((detail or {}).get("call_sid") == call_sid for detail in rows)


def record_confirmed(s: Session, row: Conversation, call_sid: str, how: str,
                     now: datetime) -> None:
    repo.audit(s, "identity_confirmed", f"the patient confirmed who they are ({how})", now,
               patient_id=row.patient_id, conversation_id=row.id,
               detail={"call_sid": call_sid, "how": how})


def wrong_number(s: Session, row: Conversation, patient: Patient, call_sid: str, how: str,
                 now: datetime) -> AfterCommit:
    """Stop all outreach to a wrong number and ask the outreach team to fix the contact."""
    after = AfterCommit()
    patient.phone_status = WRONG_NUMBER_STATUS
    for conv in repo.active_conversations(s, patient.id):
        for intent in repo.end_conversation(s, conv, WRONG_NUMBER_STATUS, now):
            after.cancels.append((conv.id, intent.wait_token))
    repo.suppress_routine(s, patient.id, now, "wrong number")
    repo.add_task(s, team="outreach", priority="high", category="contact", now=now,
                  reason="Wrong number on a call: find the patient's right phone number.",
                  patient_id=patient.id, conversation_id=row.id)
    repo.audit(s, "wrong_number", f"the person who answered said wrong number ({how})", now,
               patient_id=patient.id, conversation_id=row.id,
               detail={"call_sid": call_sid, "how": how})
    return after


def not_available(s: Session, row: Conversation, call_sid: str, how: str,
                  now: datetime) -> None:
    repo.audit(s, "identity_not_confirmed", f"the patient did not come to the phone ({how})",
               now, patient_id=row.patient_id, conversation_id=row.id,
               detail={"call_sid": call_sid, "how": how})


def answer_kind(text: str, keyed: bool, locale: str) -> str:
    """Sort an answer to the identity question: confirmed, not available, wrong or unclear."""
    if keyed:
        key = text.strip()[:1]
        return {CONFIRM_KEY: CONFIRMED, NOT_AVAILABLE_KEY: NOT_AVAILABLE,
                WRONG_NUMBER_KEY: WRONG}.get(key, UNCLEAR)
    if call_intents.phrase_hit("wrong_number", text, locale) is not None:
        return WRONG
    verdict = call_intents.yes_or_no(text, locale)
    return {"yes": CONFIRMED, "no": NOT_AVAILABLE}.get(verdict or "", UNCLEAR)


# -- what the identity step says -------------------------------------------------------------

def _params(host: vt.Host, row: Conversation, patient: Patient) -> dict[str, Any]:
    name = patient.first_name or (row.context or {}).get("first_name") or ""
    return {**host.host_params, "first_name": name}


def identity_twiml(s: Session, host: vt.Host, row: Conversation, patient: Patient, action_url: str,
                   prefix: tuple[str, ...] = ()) -> str:
    """Who is calling and for whom, and how to confirm: keypad (one key) and speech."""
    profile = vt.profile_for(row, patient) or PROFILES["en"]
    params = _params(host, row, patient)
    text = i18n.render(cm.IDENTITY, params, row.locale, row.timezone)
    offer = i18n.render(cm.OPT_OUT_OFFER, params, row.locale, row.timezone)
    vt.record_said(s, row, patient, [cm.IDENTITY], [text], "system", host.now)
    return tv.gather_twiml(tv.Turn((*prefix, text)), profile, action_url, num_digits=1,
                           offers=[offer])


def closing_twiml(s: Session, host: vt.Host, row: Conversation, patient: Patient, msgid: str) -> str:
    """One line (no health detail) and hang up: not the patient, a wrong number, silence."""
    profile = vt.profile_for(row, patient) or PROFILES["en"]
    text = i18n.render(msgid, _params(host, row, patient), row.locale, row.timezone)
    vt.record_said(s, row, patient, [msgid], [text], "system", host.now)
    return tv.final_twiml([text], profile, goodbye=None)
