"""Redis-side work a turn leaves for after its transaction commits: sends, calls, timeouts.

Everything here is idempotent (deterministic job ids, claims), so a crash between the commit
and this step is repaired by the sweeper re-running it.
"""

from __future__ import annotations

from bot.services import calls, queues
from bot.services.executor import AfterCommit
from bot.services.runtime import Runtime, utcnow


def run_after_commit(rt: Runtime, after: AfterCommit, *, send_inline: bool = False) -> list[int]:
    """Enqueue sends and calls, (re)schedule or drop timeouts.

    With `send_inline`, messages due now are not enqueued but returned, for the caller to send
    itself once it let go of the patient lock (a reply then costs one job, not two, and the
    patient's messages leave in order). A crash before that send leaves a pending row that the
    sweeper re-arms, as for any lost job.
    """
    due_now: list[int] = []
    now = utcnow()
    for message_id, at in after.sends:
        if send_inline and (at is None or at <= now):
            due_now.append(message_id)
        else:
            queues.enqueue_send(rt.redis, message_id, at=at)
    for conversation_id, token, at in after.timeouts:
        queues.enqueue_timeout(rt.redis, conversation_id, token, at)
    for conversation_id, token in after.cancels:
        queues.cancel_timeout(rt.redis, conversation_id, token)
    for conversation_id, call_at in after.calls:
        calls.schedule_call(rt, conversation_id, call_at)
    return due_now
