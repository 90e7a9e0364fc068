"""What the product does when Twilio reports a message it could not deliver.

Runs inside the per-patient transaction (the worker holds the patient lock), driven by
`classify_error`: opted out at the carrier (21610) revokes consent; a landline (30006) or a
number that takes no texts (21614) moves the conversation to a phone call
(`bot.services.calls`), or asks the outreach team to call when it cannot (an
interpreter call-back for a language Twilio cannot speak); a bad number (21211, 30005) asks
the outreach team to fix the contact;
transient carrier failures (30003, 30008) are retried a limited number of times.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from sqlalchemy import func, select

from bot import defaults
from bot.channels.twilio_sms import SendOutcome, classify_error
from bot.channels.voice_locales import interpreter_task
from bot.services import calls as voice_calls
from bot.services.executor import Scope
from bot.store import repositories as repo
from bot.store import rows
from bot.store.models import CONSENT_REVOKED, Conversation, Message


def handle_failure(scope: Scope, message: Message, error_code: int | None) -> bool:
    """Act on a failed/undelivered message; True when the conversation should also hear of it."""
    outcome = classify_error(error_code, None)
    s, patient, now = scope.session, scope.patient, scope.now
    detail = {"message_id": message.id, "error_code": error_code, "outcome": outcome.value}
    if outcome is SendOutcome.OPTED_OUT:
        if patient.consent_status != CONSENT_REVOKED:
            repo.set_consent(s, patient, CONSENT_REVOKED, "carrier", now, keyword=None)
            for conv in repo.active_conversations(s, patient.id):
                for intent in repo.end_conversation(s, conv, "opted_out", now):
                    scope.after.cancels.append((conv.id, intent.wait_token))
            repo.suppress_routine(s, patient.id, now, "carrier reports the patient opted out")
        return False
    if outcome is SendOutcome.RETRY and error_code is not None:
        retries = s.scalar(select(func.count(Message.id)).where(
            Message.patient_id == patient.id, Message.direction == "out",
            Message.msgid == message.msgid, Message.conversation_id == message.conversation_id,
            Message.created_at >= message.created_at - timedelta(days=1),
            Message.id != message.id, Message.status != "suppressed",
        )) or 0
        if retries < defaults.CARRIER_RETRY_LIMIT:
            retry = rows.retry_of(message, now, now + timedelta(
                seconds=defaults.CARRIER_RETRY_DELAY_SECONDS))
            s.add(retry)
            s.flush()
            scope.after.sends.append((retry.id, retry.send_after))
            repo.audit(s, "delivery_retry", f"carrier error {error_code}: retry later", now,
                       patient_id=patient.id, conversation_id=message.conversation_id,
                       detail={**detail, "retry_message_id": retry.id})
            return False
    if outcome is SendOutcome.INVALID_NUMBER:
        patient.phone_status = "invalid"
        reason = "Phone number is not valid: fix the contact details"
    elif outcome is SendOutcome.NOT_MOBILE:
        if _to_voice(scope, message, detail):
            return False
        patient.phone_status = "landline"
        reason = "Number cannot receive texts (landline?): call the patient or fix the contact"
    elif outcome is SendOutcome.BLOCKED:
        reason = f"Message blocked or filtered by the carrier (error {error_code}): review"
    else:
        reason = f"Message could not be delivered (error {error_code})"
    repo.add_task(s, team="outreach", priority="high", reason=reason, category="fix_contact",
                  now=now, patient_id=patient.id, conversation_id=message.conversation_id,
                  message_id=message.id)
    repo.audit(s, "delivery_failed", reason, now, patient_id=patient.id,
               conversation_id=message.conversation_id, detail=detail)
    return True


def _to_voice(scope: Scope, message: Message, detail: Mapping[str, object]) -> bool:
    """A landline (30006) / not-mobile (21614) failure moves the conversation to a call.

    True when handled: the call is scheduled after commit, or - the patient's language has no
    Twilio voice - a person calls back with an interpreter (task; the conversation ends as
    handed off). False when the message belongs to no active SMS conversation (a staff reply,
    a system message): the caller then makes the "call the patient" task.
    """
    s, patient, now = scope.session, scope.patient, scope.now
    conv = s.get(Conversation, message.conversation_id) if message.conversation_id else None
    if conv is None or conv.status != "active" or conv.channel == "voice":
        return False
    interpreter = interpreter_task(conv.locale or patient.locale or "en", conv.state or None)
    if interpreter is not None:
        patient.phone_status = "landline"
        repo.add_task(s, team=interpreter.team, priority=interpreter.priority,
                      reason=interpreter.reason, category=interpreter.category, now=now,
                      patient_id=patient.id, conversation_id=conv.id, message_id=message.id)
        repo.audit(s, "delivery_failed", "landline: no Twilio voice for the patient's language",
                   now, patient_id=patient.id, conversation_id=conv.id,
                   detail={**detail, "locale": conv.locale})
        for intent in repo.end_conversation(s, conv, "handed_off", now):
            scope.after.cancels.append((conv.id, intent.wait_token))
        return True
    if not voice_calls.fallback_to_voice(s, conv.id, now):
        return False
    scope.after.calls.append((conv.id, None))
    return True
