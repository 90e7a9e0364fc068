"""The state of one conversation and the events that move it, as plain serialisable data.

The host (a worker or the simulator) keeps a `Conversation` as JSON between turns; the engine
takes it with one `Event` and returns a new `Conversation` plus effects (`bot.core.effects`).
Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any, ClassVar

from bot.core.kinds import ConversationStatus

#: Conversation.status values.
ACTIVE = ConversationStatus.ACTIVE
ENDED = ConversationStatus.ENDED


@dataclass(frozen=True)
class Conversation:
    """One patient's run through one version of one flow.

    `context` holds what the flow may use in `{placeholders}` (first_name, due_date, slots...) and
    what the conversation learned (answers captured with `save_as`). `wait_token` names the
    current wait: a timeout scheduled with another token is stale and does nothing.
    """

    id: str
    patient_id: str
    flow: str
    version: int
    state: str
    locale: str = "en"
    timezone: str = "America/New_York"
    channel: str = "sms"
    status: str = ACTIVE
    context: dict[str, Any] = field(default_factory=dict)
    wait_token: str | None = None
    attempts: int = 0
    outcome: str | None = None
    started_at: datetime | None = None
    updated_at: datetime | None = None

    def evolve(self, **changes: Any) -> Conversation:
        """Return a copy with `changes` applied (the engine never mutates its input)."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("started_at", "updated_at"):
            if data[key] is not None:
                data[key] = data[key].isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Conversation:
        data = dict(data)
        for key in ("started_at", "updated_at"):
            if data.get(key):
                data[key] = datetime.fromisoformat(data[key])
        return cls(**data)


@dataclass(frozen=True)
class Event:
    """Base of the things that can happen to a conversation."""

    type: ClassVar[str] = "event"


@dataclass(frozen=True)
class Start(Event):
    """Begin the flow at its start state (a campaign enrolled the patient)."""

    type: ClassVar[str] = "start"


@dataclass(frozen=True)
class Reply(Event):
    """The patient answered: an SMS body, a keypad entry or a speech result."""

    type: ClassVar[str] = "reply"
    text: str = ""
    channel: str = "sms"
    message_id: str | None = None


@dataclass(frozen=True)
class Timeout(Event):
    """A scheduled `no_reply` wait ran out; stale unless `wait_token` is the current one."""

    type: ClassVar[str] = "timeout"
    wait_token: str = ""


@dataclass(frozen=True)
class DeliveryFailed(Event):
    """A message of this conversation could not be delivered (Twilio error code)."""

    type: ClassVar[str] = "delivery_failed"
    message_id: str | None = None
    error_code: int | None = None


@dataclass(frozen=True)
class StaffAction(Event):
    """A care-team member acted on the conversation: `close`, `resume` or `goto` a state."""

    type: ClassVar[str] = "staff_action"
    action: str = "close"
    state: str | None = None
    outcome: str | None = None
    staff_id: str | None = None
