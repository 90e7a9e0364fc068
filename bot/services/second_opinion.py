"""A second opinion on a patient's reply, from a classifier the operator configures.

Word lists are a floor; crisis language is open-ended. An operator may point
`SAFETY_SECOND_OPINION_URL` at a classifier they host (or one covered by their business
associate agreement). It is asked *after* the word lists have decided and their decision has
been carried out, in its own job, so its failure or slowness never delays that decision; and
its answer can only raise the tier (none -> concern -> urgent), never lower it.

The service receives ``{"text": ..., "locale": ...}`` and answers ``{"tier": "urgent" |
"concern" | "none"}``. Anything else (an error, a timeout, another shape) counts as no
opinion. The text goes to the configured service only; it is never logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

import requests

from bot.core import effects as fx
from bot.core import messages
from bot.services import queues
from bot.services.executor import Scope, apply
from bot.services.runtime import Runtime
from bot.settings import Settings
from bot.store import repositories as repo
from bot.store import rows
from bot.store.models import InboxEvent, Message, Patient, utcnow

__all__ = ["Classifier", "HttpClassifier", "TIERS", "carry_out", "from_settings", "raised",
           "review", "tier_of"]

log = logging.getLogger(__name__)
TIERS = ("none", "concern", "urgent")
_RANK = {tier: rank for rank, tier in enumerate(TIERS)}


class Classifier(Protocol):
    """Anything that reads a reply and names its tier, or None when it has no opinion."""

    def tier(self, text: str, locale: str) -> str | None: ...


@dataclass(frozen=True)
class HttpClassifier:
    """The operator's classifier over HTTP(S), with a hard per-request time limit."""

    url: str
    timeout_seconds: float = 3.0

    def tier(self, text: str, locale: str) -> str | None:
        try:
            response = requests.post(self.url, json={"text": text, "locale": locale},
                                     timeout=(self.timeout_seconds, self.timeout_seconds))
            response.raise_for_status()
            answer = response.json()
        except (requests.RequestException, ValueError) as exc:
            log.warning("second opinion unavailable: %s", type(exc).__name__)
            return None
        tier = answer.get("tier") if isinstance(answer, dict) else None
        if tier not in _RANK:
            log.warning("second opinion answered in an unknown shape; ignored")
            return None
        return str(tier)


def from_settings(settings: Settings) -> Classifier | None:
    """The configured classifier, or None (the default: no second opinion)."""
    if not settings.SAFETY_SECOND_OPINION_URL:
        return None
    return HttpClassifier(settings.SAFETY_SECOND_OPINION_URL,
                          settings.SAFETY_SECOND_OPINION_TIMEOUT_MS / 1000)


def tier_of(hit: Any) -> str:
    """The tier the word lists gave a reply (`bot.safety.classify_global`'s answer)."""
    kind = getattr(hit, "kind", None)
    return kind if kind in ("urgent", "concern") else "none"


def raised(lexicon_tier: str, opinion: str | None) -> str | None:
    """The opinion's tier when it is higher than the word lists' one, else None."""
    if opinion is None or _RANK[opinion] <= _RANK.get(lexicon_tier, 0):
        return None
    return opinion


def review(rt: Runtime, message_id: int) -> str:
    """Ask the classifier about inbound message `message_id`; queue a raise if it gives one.

    The word lists' decision was carried out already; a higher tier becomes a
    `second_opinion` inbox event, handled under the patient lock like any other (`carry_out`).
    """
    classifier = from_settings(rt.settings)
    if classifier is None:
        return "off"
    from bot.understanding.safety import classify_global

    with rt.db.session() as s:
        message = s.get(Message, message_id)
        if message is None or message.patient_id is None:
            return "gone"
        patient = s.get(Patient, message.patient_id)
        text, locale, patient_id = message.body, patient.locale if patient else "en", message.patient_id
    lexicon = tier_of(classify_global(text, locale))
    tier = raised(lexicon, classifier.tier(text, locale))  # outside any transaction
    if tier is None:
        log.info("message %s: second opinion did not raise the tier", message_id)
        return "kept"
    with rt.db.session() as s:
        event = rows.second_opinion_event(patient_id, message_id, tier, lexicon, utcnow())
        if s.query(InboxEvent.id).filter(InboxEvent.dedupe_key == event.dedupe_key).first() is None:
            s.add(event)
    queues.enqueue_process_patient(rt.redis, patient_id)
    log.info("message %s: second opinion raised the tier from %s to %s", message_id, lexicon, tier)
    return tier


def carry_out(scope: Scope, message_id: int, tier: str, lexicon_tier: str) -> None:
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
