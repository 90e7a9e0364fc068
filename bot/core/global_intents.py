"""What the product does about a global intent (stop, start, help, urgent, language).

One mapping from a classified message to effects, used inside a conversation (the engine) and
outside one (a reply no flow waits for), so the two can never answer the same words
differently. The classifier that reads the words is passed in by the caller
(`bot.understanding.safety.classify_global` in production); this module only decides what follows.

```yaml
input: "STOP"                 # a one-word carrier keyword
in_conversation: true
effects: [record_consent, end_conversation, audit]   # no confirmation: Twilio sends its own
```
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from bot.core import effects as fx
from bot.core import messages


class GlobalHit(Protocol):
    """The classifier's verdict; `kind` is stop, start, help, urgent or language."""

    @property
    def kind(self) -> str: ...


#: `classify(text, locale, opted_out=...)` -> a hit, or None when the flow should read the text.
Classifier = Callable[..., "GlobalHit | None"]

#: The outcome a conversation ends with, by intent (intents that do not end it are absent).
ENDS_WITH = {"stop": "opted_out", "urgent": "escalated"}


def reaction(
    hit: GlobalHit, locale: str, *, flow: str | None = None, state: str | None = None,
    question: fx.SendMessage | None = None,
) -> list[fx.Effect]:
    """The effects of `hit`, in order, without ending a conversation.

    `flow` names the conversation the message arrived in (None: outside any); `question` is
    the question to ask again after a change of language (the conversation's current one);
    outside a conversation the product confirms the change instead. `locale` is the one the
    patient writes in now. The caller ends the conversation when
    `ENDS_WITH` names the intent: the engine with its own bookkeeping (the wait it cancels).
    """
    keyword: str | None = getattr(hit, "keyword", None)
    if hit.kind == "stop":
        carrier = bool(getattr(hit, "carrier_keyword", False))
        out: list[fx.Effect] = [
            fx.RecordConsent("revoked", "carrier_keyword" if carrier else "keyword", keyword)]
        # Twilio blocks the number the moment it sees a one-word carrier keyword (STOP, QUIT...)
        # and sends its own confirmation (per language with Advanced Opt-Out); a second one
        # from us would be refused with 21610. Any other opt-out gets ours.
        if not carrier:
            out.append(_system(messages.STOP_CONFIRMATION, state))
        out.append(fx.Audit("opt_out", "patient sent an opt-out word",
                            {"keyword": keyword, "confirmed_by": "carrier" if carrier else "us"}))
        return out
    if hit.kind == "start":
        return [fx.RecordConsent("granted", "keyword", keyword),
                _system(messages.START_CONFIRMATION, state)]
    if hit.kind == "help":
        return [_system(messages.HELP_REPLY, state)]
    if hit.kind == "urgent":
        category = getattr(hit, "category", None) or "medical"
        team = "behavioral_health" if category == "crisis" else "nursing"
        where = f"during {flow}" if flow else "outside a conversation"
        reply = messages.CRISIS_REPLY if category == "crisis" else messages.URGENT_MEDICAL_REPLY
        return [fx.CreateTask(team=team, priority="urgent", state=state, category=category,
                              reason=f"Urgent reply ({category}) {where}."),
                _system(reply, state, fx.SAFETY),
                fx.Audit("urgent_override", f"urgent reply: {category}",
                         {"category": category, "keyword": keyword})]
    if hit.kind == "language":
        chosen = getattr(hit, "locale", None) or locale
        if flow is None:
            return [fx.SetLanguage(chosen), _system(messages.LANGUAGE_CHANGED, state)]
        return [fx.SetLanguage(chosen), *([question] if question is not None else [])]
    return []


def _system(msgid: str, state: str | None, kind: str = fx.SYSTEM) -> fx.SendMessage:
    return fx.SendMessage(msgid=msgid, params={}, kind=kind, state=state)


def outside_conversation(
    classify: Classifier, text: str, locale: str, *, opted_out: bool,
) -> list[fx.Effect] | None:
    """The effects of a global intent in a reply no conversation waits for; None if none."""
    hit = classify(text, locale, opted_out=opted_out)
    if hit is None:
        return None
    return reaction(hit, locale) or None
