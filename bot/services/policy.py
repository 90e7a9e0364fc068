"""Send-time rules for outbound messages: consent, quiet hours, the daily cap.

Checked when a message is written (so it is deferred, not dropped) and again right before it
goes to Twilio (consent can change in between). The time arithmetic lives in the pure module
`bot.core.rules`; this module only decides which rule applies to which kind of message:

- consent: after an opt-out only `system` (the stop confirmation, help, start) and `safety`
  (crisis resources) messages may reach the patient; `routine` and `reply` are suppressed.
- quiet hours and the daily cap hold back `routine` messages only; an answer to the patient's
  own message, safety and system messages go at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.core import rules
from bot.core.effects import ROUTINE, SAFETY, SYSTEM
from bot.flows.loader import FlowRegistry, UnknownFlow
from bot.flows.schema import Flow
from bot.services import staff_replies
from bot.settings import Settings
from bot.store import repositories as repo
from bot.store.models import CONSENT_REVOKED, Conversation, Message, Patient

SEND = "send"
DEFER = "defer"
SUPPRESS = "suppress"

#: Message kinds that may still reach a patient who revoked consent (FCC: a one-time
#: confirmation of the opt-out; help and crisis resources the patient asked for or needs).
ALLOWED_AFTER_OPT_OUT = frozenset({SYSTEM, SAFETY})


@dataclass(frozen=True)
class Decision:
    action: str  # send, defer or suppress
    at: datetime | None = None
    reason: str = ""


def conversation_flow(flows: FlowRegistry, conversation: Conversation | None) -> Flow | None:
    """The flow version `conversation` runs on (None outside a conversation, or when that
    version is no longer loaded: the program's own rules apply then)."""
    if conversation is None:
        return None
    try:
        return flows.get(conversation.flow, conversation.version)
    except UnknownFlow:
        return None


def decide(
    session: Session, patient: Patient, message: Message, settings: Settings, now: datetime,
    flow: Flow | None = None,
) -> Decision:
    """Whether `message` may go now, must wait (until when), or must never go. `flow` is the
    flow of the message's conversation, whose own quiet hours apply (`rules.quiet_window`)."""
    if patient.consent_status == CONSENT_REVOKED and message.kind not in ALLOWED_AFTER_OPT_OUT:
        return Decision(SUPPRESS, reason=f"patient opted out ({message.kind} message)")
    if message.kind != ROUTINE:
        return Decision(SEND)
    tz = patient.timezone or settings.DEFAULT_TIMEZONE
    qs, qe = rules.quiet_window(settings, flow)
    at = rules.next_allowed_send(now, tz, qs, qe)
    if at > now:
        return Decision(DEFER, at, "quiet hours in the patient's time zone")
    start, end = rules.local_day_bounds(now, tz)
    sent = repo.routine_sent_between(session, patient.id, start, end, exclude_id=message.id)
    if rules.cap_reached(sent, settings.MAX_ROUTINE_MESSAGES_PER_DAY):
        return Decision(DEFER, rules.next_allowed_send(end, tz, qs, qe),
                        "daily routine message cap reached")
    return Decision(SEND)


def staff_reply_after(
    session: Session, settings: Settings, flow: Flow | None, patient: Patient | None,
    now: datetime,
) -> datetime | None:
    """When a care team's text may go: now (None), or the end of the patient's quiet hours
    (those of `flow`, the conversation the reply joins) — unless the patient texted within the
    reply window: they are awake and waiting for the answer."""
    if patient is None:
        return None
    last_in = staff_replies.last_inbound_at(session, patient.id)
    if last_in is not None and now - last_in <= timedelta(
            minutes=staff_replies.REPLY_WINDOW_MINUTES):
        return None
    at = rules.next_allowed_send(now, patient.timezone or settings.DEFAULT_TIMEZONE,
                                 *rules.quiet_window(settings, flow))
    return at if at > now else None
