"""A reply that no conversation is waiting for: never dropped.

Global keywords (stop, start, help, urgent, language) are honoured exactly as inside a flow;
anything else joins the patient's open task when there is one (a person is on it already, so no
second task and no automatic answer), else becomes a task for the care team plus a polite
hand-off answer (no answer to an opted-out patient, who gets nothing but what they ask for).
"""

from __future__ import annotations

import logging

from bot import effects as fx
from bot import messages
from bot.store import repositories as repo
from bot.store import tasks_repo
from bot.store.models import CONSENT_REVOKED, Message
from workers.effects import Scope, add_outbound, apply

log = logging.getLogger(__name__)


def global_effects(text: str, locale: str, opted_out: bool,
                   message_id: str | None = None) -> list[fx.Effect] | None:
    """The effects of a global keyword outside any flow, or None when the text is not one."""
    try:  # bot.safety is written separately; the engine degrades the same way without it
        from bot.safety import classify_global
    except ModuleNotFoundError as exc:
        if exc.name != "bot.safety":
            raise
        return None
    hit = classify_global(text, locale, opted_out=opted_out)
    if hit is None:
        return None
    keyword = getattr(hit, "keyword", None)
    if hit.kind == "stop":
        return [fx.RecordConsent("revoked", "keyword", keyword),
                fx.SendMessage(messages.STOP_CONFIRMATION, kind=fx.SYSTEM),
                fx.Audit("opt_out", "patient sent an opt-out word", {"keyword": keyword})]
    if hit.kind == "start":
        return [fx.RecordConsent("granted", "keyword", keyword),
                fx.SendMessage(messages.START_CONFIRMATION, kind=fx.SYSTEM)]
    if hit.kind == "help":
        return [fx.SendMessage(messages.HELP_REPLY, kind=fx.SYSTEM)]
    if hit.kind == "urgent":
        category = getattr(hit, "category", None) or "medical"
        team = "behavioral_health" if category == "crisis" else "nursing"
        reply = messages.CRISIS_REPLY if category == "crisis" else messages.URGENT_MEDICAL_REPLY
        return [fx.CreateTask(team=team, priority="urgent", category=category,
                              reason=f"Urgent reply ({category}) outside a conversation."),
                fx.SendMessage(reply, kind=fx.SAFETY),
                fx.Audit("urgent_override", f"urgent reply: {category}",
                         {"category": category, "keyword": keyword})]
    if hit.kind in ("concern", "wrong_number", "preference"):
        from bot.safety_consent import intent_effects

        return intent_effects(hit, message_id)
    if hit.kind == "language":
        locale = getattr(hit, "locale", None) or locale
        return [fx.SetLanguage(locale),
                fx.SendMessage(messages.LANGUAGE_CHANGED, kind=fx.SYSTEM)]
    return None


def handle_unrouted_reply(scope: Scope, message: Message | None) -> None:
    text = message.body if message else ""
    patient = scope.patient
    opted_out = patient.consent_status == CONSENT_REVOKED
    effects = global_effects(text, patient.locale, opted_out,
                             str(message.id) if message else None)
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
