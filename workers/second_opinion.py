"""The second-opinion job: ask the operator's classifier about one reply, after the fact.

Runs only when `SAFETY_SECOND_OPINION_URL` is set, in its own job after the reply was handled,
so the word lists' decision is never held up. A higher tier becomes a `second_opinion` inbox
event, carried out under the patient lock like every other event (`handle_second_opinion`).
"""

from __future__ import annotations

import logging

from bot import effects as fx
from bot import messages, second_opinion
from bot.store import repositories as repo
from bot.store.models import InboxEvent, Message, Patient
from workers import context, queues
from workers.effects import Scope, apply

log = logging.getLogger(__name__)

__all__ = ["handle_second_opinion", "review"]


def review(message_id: int) -> str:
    """Ask the classifier about inbound message `message_id`; queue a raise if it gives one."""
    rt = context.runtime()
    classifier = second_opinion.from_settings(rt.settings)
    if classifier is None:
        return "off"
    from bot.safety import classify_global

    with rt.db.session() as s:
        message = s.get(Message, message_id)
        if message is None or message.patient_id is None:
            return "gone"
        patient = s.get(Patient, message.patient_id)
        text, locale, patient_id = message.body, patient.locale if patient else "en", message.patient_id
    lexicon = second_opinion.tier_of(classify_global(text, locale))
    tier = second_opinion.raised(lexicon, classifier.tier(text, locale))  # outside any transaction
    if tier is None:
        log.info("message %s: second opinion did not raise the tier", message_id)
        return "kept"
    with rt.db.session() as s:
        key = f"second-opinion-{message_id}"
        if s.query(InboxEvent.id).filter(InboxEvent.dedupe_key == key).first() is None:
            s.add(InboxEvent(patient_id=patient_id, kind="second_opinion", dedupe_key=key,
                             payload={"message_id": message_id, "tier": tier,
                                      "lexicon_tier": lexicon}))
    queues.enqueue_process_patient(context.connection(), patient_id)
    log.info("message %s: second opinion raised the tier from %s to %s", message_id, lexicon, tier)
    return tier


def handle_second_opinion(scope: Scope, message_id: int, tier: str, lexicon_tier: str) -> None:
    """Carry out a raised tier: urgent as the word lists would have (task, safety message,
    the script stops); concern as a high-priority task with the script paused."""
    conversations = repo.active_conversations(scope.session, scope.patient.id)
    scope.conversation = conversations[0] if conversations else None
    reason = f"A second-opinion classifier read this reply as {tier} (word lists: {lexicon_tier})."
    effects: list[fx.Effect]
    if tier == "urgent":
        effects = [fx.CreateTask(team="behavioral_health", priority="urgent", category="crisis",
                                 reason=reason, message_id=str(message_id)),
                   fx.SendMessage(messages.CRISIS_REPLY, kind=fx.SAFETY)]
        outcome = "escalated"
    else:
        effects = [fx.CreateTask(team="nursing", priority="high", category="concern",
                                 reason=reason, message_id=str(message_id))]
        outcome = "handed_off"
    if scope.conversation is not None:
        effects.append(fx.EndConversation(outcome))
    effects.append(fx.Audit("second_opinion", f"second opinion raised the tier to {tier}",
                            {"message_id": message_id, "lexicon_tier": lexicon_tier}))
    apply(scope, effects)
