"""A reply that no conversation is waiting for: never dropped.

Global keywords (stop, start, help, urgent, language) are honoured exactly as inside a flow;
anything else joins the patient's open task when there is one (a person is on it already, so no
second task and no automatic answer), else becomes a task for the care team plus a polite
hand-off answer (no answer to an opted-out patient, who gets nothing but what they ask for).
"""

from __future__ import annotations

import logging

from bot.core import effects as fx
from bot.core import global_intents, messages
from bot.services.executor import Scope, add_outbound, apply
from bot.store import repositories as repo
from bot.store import tasks_repo
from bot.store.models import CONSENT_REVOKED, Message
from bot.understanding.safety import classify_global

log = logging.getLogger(__name__)


def handle_unrouted_reply(scope: Scope, message: Message | None, *,
                          classify: global_intents.Classifier = classify_global) -> None:
    text = message.body if message else ""
    patient = scope.patient
    opted_out = patient.consent_status == CONSENT_REVOKED
    effects = global_intents.outside_conversation(classify, text, patient.locale,
                                                  opted_out=opted_out)
    if effects is not None:
        apply(scope, effects)
        return
    task = tasks_repo.attach_reply(scope.session, patient.id, message.id if message else None,
                                   scope.now)
    if task is not None:
        # A person is already on it (or answered on it): the text joins that thread; no
        # second task, no automatic hand-off answer.
        if message is not None and message.conversation_id is None:
            message.conversation_id = task.conversation_id
        return
    repo.add_task(scope.session, team="outreach", priority="routine",
                  reason="Patient texted outside any active conversation",
                  category="unrouted_reply", now=scope.now, patient_id=patient.id,
                  message_id=message.id if message else None)
    if not opted_out:
        add_outbound(scope, messages.HANDOFF_REPLY, {}, fx.REPLY)
