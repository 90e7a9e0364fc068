"""Which expected answer does a reply give? Every expectation is tried; none wins by file order.

Each expectation of the waiting state that a reply fits becomes a candidate, found one of three
ways, strongest first:

- ``answer``: the reply *is* the answer: its menu number ("2", "option 2", "4번"), a choice
  from a list, a rating in range, a date;
- ``named``: it names the answer: one of the option's keywords (in the patient's language from
  the catalogs, or in English; bot/i18n/reply_words.py) or topics in a sentence ("my copay went
  up" names `cost`);
- ``polarity``: a yes- or no-word (intent yes/no).

One candidate: that answer. Several: a no-word next to exactly one named answer is that answer
("no, I need a ride" at a needs menu); any other mix - yes and no, yes with a barrier, two menu
options - is ambiguous, and the engine asks back or hands to a person. A yes is therefore never
taken from a reply that also says no, hedges, or names something in the way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.core.reading_replies import PARTIAL_KEY
from bot.flows.schema import Expectation
from bot.i18n.reply_words import reply_words
from bot.understanding import intents, readings
from bot.understanding.lexicon import topics

ANSWER, NAMED, POLARITY = "answer", "named", "polarity"
_RANK = {ANSWER: 0, NAMED: 1, POLARITY: 2}


@dataclass(frozen=True)
class Candidate:
    index: int
    how: str
    value: Any = None
    polarity: bool | None = None  # for POLARITY candidates: a yes-word (True) or a no-word
    #: The patient said yes to a yes-question ("yes", its number): never taken beside another.
    says_yes: bool = False
    #: The words that named a topic ("other", "other doctor"), for telling nested ones apart.
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    chosen: Candidate | None
    candidates: tuple[Candidate, ...] = ()

    @property
    def ambiguous(self) -> bool:
        return self.chosen is None and len(self.candidates) > 1


def understood(exp: Expectation, found: Candidate) -> str:
    """What a task says was understood: "side effects (in the patient's words)", "score: 2"."""
    if found.how == ANSWER and exp.intent == "reading" and exp.reading:
        return f"{exp.label()}: {readings.describe(exp.reading, found.value)}"
    if found.how == ANSWER and exp.intent in ("choice", "number", "date"):
        return f"{exp.save_as or exp.intent}: {found.value}"
    label = exp.label()
    return f"{label} (in the patient's words)" if found.how == NAMED else label


def _topic_words(exp: Expectation, text: str, locale: str) -> tuple[str, ...]:
    return tuple(w for name in exp.topics for w in topics.matches(text, name, locale))


def _inside_another(c: Candidate, found: tuple[Candidate, ...]) -> bool:
    """Every word that named `c` is part of a longer one that named another answer:
    "other" inside "other doctor", "其他" inside "其他医生"."""
    return bool(c.words) and all(
        any(o is not c and any(w != v and w in v for v in o.words) for o in found) for w in c.words)


def _candidate(n: int, exp: Expectation, text: str, locale: str, context: dict[str, Any],
               now: datetime | None, timezone: str | None,
               seen: intents.Reading) -> Candidate | None:
    if exp.intent == "choice":
        items = list(context.get(exp.options_from or "", []) or [])
        m = intents.match("number", text, locale, params={"min": 1, "max": len(items)})
        if m is not None and items:
            return Candidate(n, ANSWER, items[m.value - 1])
    elif exp.intent == "number":
        m = intents.match("number", text, locale, params={"min": exp.min, "max": exp.max})
        if m is not None:
            return Candidate(n, ANSWER, m.value)
    elif exp.intent == "reading" and exp.reading:
        heard = readings.hear(exp.reading, text, locale, unit=exp.unit,
                              partial=context.get(PARTIAL_KEY) or None)
        if heard.complete:
            return Candidate(n, ANSWER, heard.saved())
    elif exp.intent == "date":
        m = intents.match("date", text, locale, now=now, timezone=timezone)
        if m is not None:
            return Candidate(n, ANSWER, m.value)
    if exp.keywords and intents.match_keywords(text, [k for k in exp.keywords if k.isdigit()], locale):
        return Candidate(n, ANSWER, intents.normalize(text), says_yes=exp.intent == "yes")
    words = _topic_words(exp, text, locale)
    if words or (exp.keywords and intents.match_keywords(
            text, list(reply_words(exp.keywords, locale)), locale, negatable=exp.intent != "no")):
        return Candidate(n, NAMED, intents.normalize(text), words=words)
    if exp.intent == "yes" and seen.yes and not (seen.unsure and not seen.no):
        return Candidate(n, POLARITY, True, polarity=True, says_yes=True)
    if exp.intent == "no" and seen.no:
        return Candidate(n, POLARITY, False, polarity=False)
    return None


def decide(expect: Sequence[Expectation], text: str, locale: str, context: dict[str, Any], *,
           now: datetime | None = None, timezone: str | None = None,
           topics_only: tuple[str, ...] = ()) -> Decision:
    """The one expectation `text` answers, or the candidates when it fits several or none.

    `topics_only`: consider only mentions of these topics (a reply that already answers the
    next question, "no, I ran out", is read again at that question by the topics of the
    answer that led there, and nothing else).
    """
    if topics_only:
        found = tuple(Candidate(n, NAMED, intents.normalize(text), words=words)
                      for n, exp in enumerate(expect)
                      if (words := tuple(w for name in exp.topics if name in topics_only
                                         for w in topics.matches(text, name, locale))))
        found = tuple(c for c in found if not _inside_another(c, found))
        return Decision(found[0] if len(found) == 1 else None, found)
    seen = intents.reading(text, locale)
    found = tuple(c for n, exp in enumerate(expect)
                  if (c := _candidate(n, exp, text, locale, context, now, timezone, seen)) is not None)
    found = tuple(c for c in found if not _inside_another(c, found))
    if len(found) == 1:
        return Decision(found[0], found)
    if any(c.says_yes for c in found):
        return Decision(None, found)  # a yes beside any other answer is never taken as yes
    named = [c for c in found if c.how != POLARITY]
    if len(named) == 1 and all(c.how == POLARITY and c.polarity is False for c in found if c is not named[0]):
        return Decision(named[0], found)
    return Decision(None, found)
