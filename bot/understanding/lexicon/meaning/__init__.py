"""Crisis and consent phrases organised by what they mean, one small module per locale.

The urgent phrases follow the categories of a validated screener (the Columbia protocol's
wish to be dead, thoughts of killing oneself, method, intent or plan, preparatory acts and
goodbyes), then overdose and poisoning, the medical red flags (breathing, chest pain, stroke
signs, heavy bleeding, fainting) and violence at home. Grouping by meaning rather than by
keyword is what lets a reviewer see which *kind* of message a language still misses, and it
names the meaning in the urgent task instead of a matched word.

Besides the urgent meanings each module lists:

- ``concern``: hedged or ambiguous risk ("not suicidal, just tired of it all", "I feel like
  giving up") - a nurse checks soon, nothing alarming is sent;
- ``not_urgent``: figures of speech blanked out before matching ("dying to know");
- ``revoke``: indirect opt-outs ("take my number off", "ya no me escriban");
- ``wrong_number``: the phone is not the patient's;
- ``preference``: requests about time, channel or content ("not before 9am", "call me
  instead", "keep the reminders") that must never be read as an opt-out.

Patterns use the syntax of bot/lexicon/patterns.py and are folded like every lexicon.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from bot.understanding import lexicon
from bot.understanding.lexicon.patterns import PatternSet

#: Urgent meaning -> the care team's category (crisis: behavioral health; medical, abuse:
#: nursing), in the order they are tried.
URGENT_MEANINGS: Mapping[str, str] = {
    "wish_dead": "crisis", "suicidal_thoughts": "crisis", "method": "crisis",
    "intent_plan": "crisis", "goodbye": "crisis", "overdose_poisoning": "medical",
    "breathing": "medical", "chest_pain": "medical", "stroke": "medical", "bleeding": "medical",
    "fainting": "medical", "violence": "abuse",
}
PREFERENCE_KINDS = ("time", "channel", "content")

#: A quantity of pills that is an overdose, not a dose: 8 or more, or "all", "the whole".
MANY = "|".join([str(n) for n in range(8, 201)] + [
    "whole", "all", "entire", "handful", "bunch", "lot", "lots", "many", "ten", "twelve",
    "fifteen", "twenty", "thirty", "forty", "fifty", "hundred"])

#: Any clock hour as a word-pattern slot ("9", "9am", "18h", "6pm").
HOURS = "|".join(f"{n}*" for n in range(10))


@dataclass(frozen=True)
class Meanings:
    """One locale's phrases by meaning (see the module doc)."""

    urgent: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    concern: tuple[str, ...] = ()
    not_urgent: tuple[str, ...] = ()
    revoke: tuple[str, ...] = ()
    wrong_number: tuple[str, ...] = ()
    preference: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: A request about contact ("text me", "call"): with a preference, the message is one.
    contact: tuple[str, ...] = ()
    #: A request to be phoned rather than texted (a channel preference for voice).
    call: tuple[str, ...] = ()
    #: Words that mark a part of the day, for a time preference without a clock time.
    morning: tuple[str, ...] = ()
    afternoon: tuple[str, ...] = ()
    evening: tuple[str, ...] = ()
    #: Words that make the following hour a start ("after 6") or an end ("before 8").
    after: tuple[str, ...] = ()
    before: tuple[str, ...] = ()


@dataclass(frozen=True)
class Compiled:
    """A locale's meaning phrases compiled once: one pattern set per use, so a plain reply
    costs one alternation scan per set."""

    locale: str
    urgent: PatternSet
    meaning_of: Mapping[str, str]
    concern: PatternSet
    not_urgent: PatternSet
    revoke: PatternSet
    wrong_number: PatternSet
    preference: PatternSet
    preference_kind: Mapping[str, str]
    contact: PatternSet
    call: PatternSet
    raw: Meanings


def _fold(patterns: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(lexicon.fold_pattern(p) for p in patterns))


@cache
def load(locale: str) -> Meanings:
    code = lexicon.canonical(locale)
    module = importlib.import_module(f"bot.understanding.lexicon.meaning.{code.lower()}")
    found: Meanings = module.MEANINGS
    return found


@cache
def compiled(locale: str) -> Compiled:
    """The compiled phrases of `locale` (cached for the process)."""
    lex = lexicon.get(locale)
    raw = load(lex.locale)
    substring = lex.substring or lex.safety_substring

    def pset(patterns: tuple[str, ...]) -> PatternSet:
        return PatternSet(_fold(patterns), substring=substring, clitics=lex.clitics)

    meaning_of: dict[str, str] = {}
    for meaning in URGENT_MEANINGS:
        for source in _fold(raw.urgent.get(meaning, ())):
            meaning_of.setdefault(source, meaning)
    kind_of: dict[str, str] = {}
    for kind in PREFERENCE_KINDS:
        for source in _fold(raw.preference.get(kind, ())):
            kind_of.setdefault(source, kind)
    return Compiled(
        locale=lex.locale, urgent=pset(tuple(meaning_of)), meaning_of=meaning_of,
        concern=pset(raw.concern), not_urgent=pset(raw.not_urgent), revoke=pset(raw.revoke),
        wrong_number=pset(raw.wrong_number), preference=pset(tuple(kind_of)),
        preference_kind=kind_of, contact=pset(raw.contact), call=pset(raw.call), raw=raw)


def all_compiled() -> tuple[Compiled, ...]:
    return tuple(compiled(code) for code in lexicon.LOCALES)
