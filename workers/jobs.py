"""RQ job functions: the worker's entry points, thin shells around the services.

RQ enqueues jobs by dotted path (`bot.services.queues` names them), and a job scheduled days
ahead still names the path it was enqueued with: these names stay, and a job moved elsewhere
leaves an alias here. Jobs take ids, never model objects, and log ids and outcomes only (no
bodies, names or numbers).

- `process_patient(patient_id)`: drain the patient's inbox (`bot.services.turn`).
- `fire_timeout(conversation_id, wait_token)`: a `no_reply` wait ran out.
- `send_message(message_id)`: hand one stored message to Twilio, at most once.
- `place_call(conversation_id)`: call the patient of a voice conversation.
- `sweep()`: re-arm anything that lost its job (a crash between commit and enqueue).
"""

from __future__ import annotations

from bot.services import calls, sending, sweeper, turn
from bot.services.runtime import utcnow
from workers import context

__all__ = ["fire_timeout", "place_call", "process_patient", "send_message", "sweep"]


def process_patient(patient_id: int) -> str:
    """Process every unprocessed inbox event of one patient, oldest first."""
    return turn.process_patient(context.job_runtime(), patient_id)


def fire_timeout(conversation_id: int, wait_token: str) -> str:
    """Put a Timeout event in the patient's inbox (once per wait) and wake the worker."""
    return turn.fire_timeout(context.job_runtime(), conversation_id, wait_token)


def send_message(message_id: int) -> str:
    """Send one stored outbound message (see bot.services.sending)."""
    return sending.send_message_now(context.job_runtime(), message_id)


def place_call(conversation_id: int) -> str | None:
    """Dial the patient of a voice conversation, if allowed now (see bot.services.calls)."""
    return calls.place_call(context.job_runtime(), conversation_id, utcnow())


def sweep() -> str:
    """Re-arm lost work, then schedule the next sweep (one scheduled sweep at a time)."""
    return sweeper.sweep(context.job_runtime())
