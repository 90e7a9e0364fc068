"""What the engine asks the host to do, as small typed records with a stable `type` name.

The engine never sends, stores or schedules anything itself; it returns these and the host
(bot/services/executor.py, the simulator, the transcript runner) carries them out. Each record is
plain data so it can be logged (without PHI), compared in tests and serialised.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from bot.core.kinds import MessageKind

#: SendMessage.kind values (see `MessageKind` for the rules each obeys).
ROUTINE = MessageKind.ROUTINE
REPLY = MessageKind.REPLY
SAFETY = MessageKind.SAFETY
SYSTEM = MessageKind.SYSTEM


@dataclass(frozen=True)
class Effect:
    type: ClassVar[str] = "effect"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["type"] = self.type
        for key, value in data.items():
            if isinstance(value, datetime):
                data[key] = value.isoformat()
        return data


@dataclass(frozen=True)
class SendMessage(Effect):
    """Send `msgid` (a gettext msgid) rendered with `params` in the conversation's locale.

    ```yaml
    type: send_message
    msgid: "Hi {first_name}, your refill is due on {due_date:date}."
    params: {first_name: Ana, due_date: 2026-12-01}
    kind: routine
    ```
    `voice_msgid` is the voice wording when the flow gives one; `choices` are spoken as
    "press 1 for ..." on a call.
    """

    type: ClassVar[str] = "send_message"
    msgid: str
    params: dict[str, Any] = field(default_factory=dict)
    kind: str = ROUTINE
    state: str | None = None
    voice_msgid: str | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class CreateTask(Effect):
    """Hand the patient to a team.

    ```yaml
    type: create_task
    team: pharmacy
    priority: high
    reason: "Cannot afford the medicine"
    ```
    """

    type: ClassVar[str] = "create_task"
    team: str
    priority: str
    reason: str
    state: str | None = None
    category: str | None = None
    #: The inbound message the task is about (its id, never its text): staff read the patient's
    #: words there. Set by the safety screen for the message it flagged, and by the engine for
    #: the patient's last reply.
    message_id: str | None = None
    #: The patient's last reply as the engine saw it: the same as `message_id` when both are
    #: set; kept apart so a safety task and a flow task each say which message they mean.
    reply_message_id: str | None = None
    #: What the engine made of the reply ("side effects (in the patient's words)", "not
    #: understood", "ambiguous: ...").
    understood: str | None = None


@dataclass(frozen=True)
class RecordReading(Effect):
    """Keep a reading the patient sent, for the task page's trend and the readings export.

    ```yaml
    type: record_reading
    kind: blood_pressure
    values: {systolic: 184, diastolic: 96}
    ```
    """

    type: ClassVar[str] = "record_reading"
    kind: str
    values: dict[str, Any]
    state: str | None = None
    #: The inbound message the reading came in (its id, never its text).
    message_id: str | None = None


@dataclass(frozen=True)
class ScheduleTimeout(Effect):
    """Fire a `Timeout(wait_token)` event at `at` (UTC) unless a reply comes first."""

    type: ClassVar[str] = "schedule_timeout"
    wait_token: str
    at: datetime


@dataclass(frozen=True)
class CancelTimeout(Effect):
    """The wait named `wait_token` is over; its scheduled timeout may be dropped."""

    type: ClassVar[str] = "cancel_timeout"
    wait_token: str


@dataclass(frozen=True)
class EndConversation(Effect):
    """The conversation is over with `outcome` (confirmed, declined, handed_off...)."""

    type: ClassVar[str] = "end_conversation"
    outcome: str


@dataclass(frozen=True)
class RecordConsent(Effect):
    """The patient's consent changed: `status` is `granted` or `revoked`; `source` says how."""

    type: ClassVar[str] = "record_consent"
    status: str
    source: str
    keyword: str | None = None


@dataclass(frozen=True)
class SetContactPreference(Effect):
    """The patient asked to be contacted differently: a local sending window for routine
    messages (HH:MM, either end may be open), a preferred channel, or a request staff must
    read (`note`: "time", "content" or "other_contact"). Honoured at send time."""

    type: ClassVar[str] = "set_contact_preference"
    window_start: str | None = None
    window_end: str | None = None
    channel: str | None = None
    note: str | None = None
    message_id: str | None = None


@dataclass(frozen=True)
class MarkPhone(Effect):
    """The phone is not the patient's (`status` "not_patient"): outreach to it stops at once
    and staff fix the contact; consent is untouched (it was never this person's)."""

    type: ClassVar[str] = "mark_phone"
    status: str
    message_id: str | None = None


@dataclass(frozen=True)
class SetLanguage(Effect):
    """The patient chose another language; later messages use `locale`."""

    type: ClassVar[str] = "set_language"
    locale: str


@dataclass(frozen=True)
class Audit(Effect):
    """A decision worth an audit record (opt-out, urgent override...) with its reason."""

    type: ClassVar[str] = "audit"
    action: str
    reason: str
    detail: dict[str, Any] = field(default_factory=dict)


EFFECT_TYPES: dict[str, type[Effect]] = {
    cls.type: cls
    for cls in (SendMessage, CreateTask, RecordReading, ScheduleTimeout, CancelTimeout, EndConversation,
                RecordConsent, SetContactPreference, MarkPhone, SetLanguage, Audit)
}
