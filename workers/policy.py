"""Send-time rules for outbound messages: consent, quiet hours, the daily cap.

Checked when a message is written (so it is deferred, not dropped) and again right before it
goes to Twilio (consent can change in between). The time arithmetic lives in the pure module
`bot.rules`; this module only decides which rule applies to which kind of message:

- consent: after an opt-out only `system` (the stop confirmation, help, start) and `safety`
  (crisis resources) messages may reach the patient; `routine` and `reply` are suppressed.
- quiet hours and the daily cap hold back `routine` messages only; an answer to the patient's
  own message, safety and system messages go at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot import rules
from bot.effects import ROUTINE, SAFETY, SYSTEM
from bot.settings import Settings
from bot.store import repositories as repo
from bot.store.models import CONSENT_REVOKED, Message, Patient

#: `Patient.phone_status` once whoever holds the phone said it is not the patient's.
NOT_PATIENT = "not_patient"

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


def decide(
    session: Session, patient: Patient, message: Message, settings: Settings, now: datetime,
    quiet_hours: tuple[str, str] | None = None,
) -> Decision:
    """Whether `message` may go now, must wait (until when), or must never go."""
    if patient.consent_status == CONSENT_REVOKED and message.kind not in ALLOWED_AFTER_OPT_OUT:
        return Decision(SUPPRESS, reason=f"patient opted out ({message.kind} message)")
    if patient.phone_status == NOT_PATIENT and message.kind not in ALLOWED_AFTER_OPT_OUT:
        return Decision(SUPPRESS, reason=f"phone is not the patient's ({message.kind} message)")
    if message.kind != ROUTINE:
        return Decision(SEND)
    tz = patient.timezone or settings.DEFAULT_TIMEZONE
    qs, qe = quiet_hours or (settings.QUIET_HOURS_START, settings.QUIET_HOURS_END)
    at = _allowed(now, tz, (qs, qe), _own_window(patient, qs, qe))
    if at > now:
        reason = ("the patient's own sending window" if not rules.in_quiet_hours(now, tz, qs, qe)
                  else "quiet hours in the patient's time zone")
        return Decision(DEFER, at, reason)
    start, end = rules.local_day_bounds(now, tz)
    sent = repo.routine_sent_between(session, patient.id, start, end, exclude_id=message.id)
    if rules.cap_reached(sent, settings.MAX_ROUTINE_MESSAGES_PER_DAY):
        return Decision(DEFER, _allowed(end, tz, (qs, qe), _own_window(patient, qs, qe)),
                        "daily routine message cap reached")
    return Decision(SEND)


def _own_window(patient: Patient, quiet_start: str, quiet_end: str) -> tuple[str, str] | None:
    """The patient's sending window as a second quiet window (its complement), open ends
    filled from the program's quiet hours; None when the patient set none."""
    start, end = patient.send_window_start, patient.send_window_end
    if not start and not end:
        return None
    return (end or quiet_start, start or quiet_end)


def _allowed(now: datetime, tz: str, quiet: tuple[str, str],
             own: tuple[str, str] | None) -> datetime:
    """The first instant from `now` outside both the program's and the patient's quiet
    windows (each step only moves forward, so a few rounds settle it)."""
    at = now
    for _ in range(4):
        nxt = rules.next_allowed_send(at, tz, *quiet)
        if own is not None:
            nxt = rules.next_allowed_send(nxt, tz, *own)
        if nxt == at:
            return at
        at = nxt
    return at
