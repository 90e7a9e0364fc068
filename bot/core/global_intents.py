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

from bot import defaults
from bot.core import call_messages, messages
from bot.core import effects as fx


class GlobalHit(Protocol):
    """The classifier's verdict; `kind` is stop, start, help, urgent or language."""

    @property
    def kind(self) -> str: ...


#: `classify(text, locale, opted_out=...)` -> a hit, or None when the flow should read the text.
Classifier = Callable[..., "GlobalHit | None"]

#: The outcome a conversation ends with, by intent (intents that do not end it are absent). A
#: concern pauses the script for a person (staff may resume it); a wrong number ends it (the
#: patient was never reached on this phone); a preference leaves the question waiting.
ENDS_WITH = {"stop": "opted_out", "urgent": "escalated", "person": "handed_off",
             "concern": "handed_off", "wrong_number": "delivery_failed"}
#: Intents that give way to an answer the current question itself names, and how the answer
#: must be found ("answer": a menu number or value; "named": an option's own words or topics).
#: "call me" is a contact preference in general, but the answer where the question offers a
#: call; "it makes me dizzy" is a concern in general, but the answer where the question asks
#: what is in the way and offers side effects (the task then says so, with the patient's words).
#: A concern never gives way to a bare number: "1, but I feel hopeless" stays a concern.
YIELDS_TO_ANSWERS: dict[str, frozenset[str]] = {
    "preference": frozenset({"answer", "named"}),
    "concern": frozenset({"named"}),
}
#: Intents after which the current question is asked again, by channel: a call cannot leave
#: the caller in silence after a help line or an "are you sure?", a text thread can.
ASKS_AGAIN = {"sms": frozenset({"language"}),
              "voice": frozenset({"language", "help", "confirm_stop", "start"})}


def asks_again(kind: str, channel: str) -> bool:
    """True when `kind` on `channel` is followed by the current question."""
    return kind in ASKS_AGAIN.get(channel, ASKS_AGAIN["sms"])


def reaction(
    hit: GlobalHit, locale: str, *, flow: str | None = None, state: str | None = None,
    question: fx.SendMessage | None = None, channel: str = "sms",
    message_id: str | None = None,
) -> list[fx.Effect]:
    """The effects of `hit`, in order, without ending a conversation.

    `flow` names the conversation the message arrived in (None: outside any); `question` is
    the question to ask again after a change of language (the conversation's current one);
    outside a conversation the product confirms the change instead. `locale` is the one the
    patient writes in now. The caller ends the conversation when
    `ENDS_WITH` names the intent: the engine with its own bookkeeping (the wait it cancels).
    On `channel="voice"` the words are the spoken ones (`bot.core.call_messages`) and the
    carrier-keyword rules do not apply: nobody blocks a number because of a word on a call.
    """
    keyword: str | None = getattr(hit, "keyword", None)
    if channel == "voice":
        spoken = _spoken(hit, keyword, flow, state, question)
        if spoken is not None:
            return spoken
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
        reply = messages.CRISIS_REPLY if category == "crisis" else messages.URGENT_MEDICAL_REPLY
        return [fx.CreateTask(team=team, priority="urgent", state=state, category=category,
                              reason=f"{_urgent_title(category)} {_where(flow)}."),
                _system(reply, state, fx.SAFETY),
                fx.Audit("urgent_override", f"urgent reply: {category}",
                         {"category": category, "keyword": keyword})]
    if hit.kind in ("concern", "wrong_number", "preference"):
        return _screened(hit, message_id, state)
    if hit.kind == "language":
        chosen = getattr(hit, "locale", None) or locale
        if flow is None:
            return [fx.SetLanguage(chosen), _system(messages.LANGUAGE_CHANGED, state)]
        return [fx.SetLanguage(chosen), *([question] if question is not None else [])]
    return []


#: Task titles for urgent replies, written for the person who opens the task.
URGENT_TITLES = {
    "crisis": "Possible crisis: the patient's words need a person now",
    "medical": "Urgent medical symptom reported by the patient",
}


def _urgent_title(category: str) -> str:
    return URGENT_TITLES.get(category, f"Urgent reply ({category.replace('_', ' ')})")


def _where(flow: str | None) -> str:
    """'in the refill reminder' or 'outside any conversation' (flow names read as words)."""
    return f"in the {flow.replace('_', ' ')}" if flow else "outside any conversation"


def _spoken(hit: GlobalHit, keyword: str | None, flow: str | None, state: str | None,
            question: fx.SendMessage | None) -> list[fx.Effect] | None:
    """The call's answer to `hit`; None where a call answers like a text (urgent, language)."""
    again = [question] if question is not None else []
    if hit.kind == "stop":
        return [fx.RecordConsent("revoked", "call", keyword),
                _system(call_messages.STOP_CONFIRMATION, state),
                fx.Audit("opt_out", "patient asked on a call to stop",
                         {"keyword": keyword, "confirmed_by": "us"})]
    if hit.kind == "start":
        return [fx.RecordConsent("granted", "call", keyword),
                _system(call_messages.START_CONFIRMATION, state), *again]
    if hit.kind == "help":
        return [_system(call_messages.HELP, state), *again]
    if hit.kind == "confirm_stop":
        return [_system(call_messages.CONFIRM_STOP, state), *again,
                fx.Audit("opt_out_unclear", "a one-word stop on a call was asked back",
                         {"keyword": keyword})]
    if hit.kind == "person":
        return [fx.CreateTask(team="outreach", priority="high", state=state, category="person",
                              reason=f"Patient asked for a person on a call {_where(flow)}."),
                _system(call_messages.PERSON, state),
                fx.Audit("person_requested", "patient asked for a person on a call",
                         {"keyword": keyword})]
    return None


def _screened(hit: GlobalHit, message_id: str | None, state: str | None) -> list[fx.Effect]:
    """A concern, a wrong number or a contact preference. Tasks point at the stored message
    (staff read the patient's words there); the text itself is never copied."""
    keyword: str | None = getattr(hit, "keyword", None)
    if hit.kind == "concern":
        return [fx.CreateTask(team="nursing", priority="high", state=state, category="concern",
                              reason="Reply may signal risk (hedged or unclear): a nurse "
                                     "checks soon; the conversation is paused.",
                              message_id=message_id),
                fx.Audit("concern", "possible risk in a reply",
                         {"meaning": getattr(hit, "meaning", None), "keyword": keyword})]
    if hit.kind == "wrong_number":
        return [fx.MarkPhone("not_patient", message_id=message_id),
                fx.CreateTask(team="outreach", priority="high", state=state,
                              category="contact_fix",
                              reason="Whoever has this phone says it is not the patient's: "
                                     "find the right number.", message_id=message_id),
                _system(messages.WRONG_NUMBER_REPLY, state),
                fx.Audit("wrong_number", "phone is not the patient's", {"keyword": keyword})]
    detail = dict(getattr(hit, "detail", ()))
    start, end = detail.get("window_start"), detail.get("window_end")
    channel, note = detail.get("channel"), detail.get("note")
    out: list[fx.Effect] = [fx.SetContactPreference(
        window_start=start, window_end=end, channel=channel, note=note, message_id=message_id)]
    if start or end:
        out.append(fx.SendMessage(msgid=messages.PREFERENCE_WINDOW, kind=fx.SYSTEM, state=state,
                                  params={"start": start or defaults.QUIET_HOURS_END,
                                          "end": end or defaults.QUIET_HOURS_START}))
    elif channel == "voice":
        out.append(_system(messages.PREFERENCE_CALL, state))
    else:
        out.append(_system(messages.PREFERENCE_NOTED, state))
    out.append(fx.Audit("contact_preference", "patient stated a contact preference",
                        {"window_start": start, "window_end": end, "channel": channel,
                         "note": note}))
    return out


def _system(msgid: str, state: str | None, kind: str = fx.SYSTEM) -> fx.SendMessage:
    return fx.SendMessage(msgid=msgid, params={}, kind=kind, state=state)


def outside_conversation(
    classify: Classifier, text: str, locale: str, *, opted_out: bool,
    message_id: str | None = None,
) -> list[fx.Effect] | None:
    """The effects of a global intent in a reply no conversation waits for; None if none."""
    hit = classify(text, locale, opted_out=opted_out)
    if hit is None:
        return None
    return reaction(hit, locale, message_id=message_id) or None
