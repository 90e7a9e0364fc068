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
    #: The patient's last reply (its message id, never its text) and what the engine made of
    #: it ("side effects (in the patient's words)", "not understood", "ambiguous: ..."), so the
    #: person who picks up the task reads the patient's own words.
    reply_message_id: str | None = None
    understood: str | None = None


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
    for cls in (SendMessage, CreateTask, ScheduleTimeout, CancelTimeout, EndConversation,
                RecordConsent, SetLanguage, Audit)
}
