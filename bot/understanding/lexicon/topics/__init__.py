"""What patients write about the things in the way: per-locale topic lexicons for free text.

A flow's expectation names topics (``topics: [side_effects]``); a reply that mentions one, in the
patient's language or in English, matches it as if the patient had typed the option's number.
One small module per shipped locale (en.py, es.py ...) defines ``TOPICS = Topics(...)`` and a
reviewer who speaks the language can check it without reading code. Patterns use the syntax of
bot/understanding/lexicon/patterns.py; words are folded like replies (lower case, Latin accents dropped), so
they may be written with their accents.

Besides topics, each module holds the reply words that decide a menu answer:

- ``hedges``: a reply with one of these is not a yes even when it holds a yes word
  ("I think so", "I'll try", "creo que sí").
- ``negations``: no-words beyond the core yes/no lists ("todavía no" and friends are there
  already; this adds forms patients type such as Latin-letter Russian "net" or Arabizi "la").
- ``yes_extra``: whole replies that are a yes ("da", "na3am", "ss", "有" to a symptoms
  question); only the whole reply counts, so "没有" is never read as "有".
- ``frame``: words that may stand around a menu number without making it a sentence
  ("option 2", "2 please", "4번", "选1") - counters and particles included.

Urgent words are not here: the safety screen runs before any flow expectation and wins.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache

from bot.understanding import lexicon
from bot.understanding.lexicon import LOCALES, canonical, fold_pattern
from bot.understanding.lexicon.normalize import light_normalize, normalize
from bot.understanding.lexicon.patterns import Hit, PatternSet

#: The topics a flow may name, with what each means (the flow checker refuses others).
TOPIC_NAMES: Mapping[str, str] = {
    "side_effects": "side effects or new symptoms (dizzy, nausea, headache, rash ...)",
    "ran_out": "no medicine left (ran out, finished the pills)",
    "cost": "cost, copay, money, insurance",
    "transport": "getting there (ride, car, bus, too far)",
    "food": "food, hunger, groceries",
    "housing": "housing, rent, a place to stay",
    "medicines": "getting medicines (pharmacy, prescriptions)",
    "talk": "someone to talk to (lonely, sad, stressed)",
    "feel_better": "feels better, no longer needs the visit",
    "other_doctor": "sees another doctor or clinic",
    "call_me": "wants a phone call",
    "something_else": "another reason, something else",
    "doing_well": "doing well (good, fine, all good)",
    "feeling_awful": "feeling very bad (terrible, awful, the worst): a rating's lowest words",
    "feeling_bad": "feeling bad (bad, not good, unwell, sick): a low rating in words",
}


@dataclass(frozen=True)
class Topics:
    locale: str
    #: Chinese and Korean: matched on the text with spaces removed.
    substring: bool = False
    topics: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    hedges: tuple[str, ...] = ()
    negations: tuple[str, ...] = ()
    yes_extra: tuple[str, ...] = ()
    frame: tuple[str, ...] = ()
    #: Words that cancel a negatable topic or a reply word right after them, beyond the
    #: lexicon's negators (Korean negates before the verb: "안 좋아요", "못 지내요"). Kept here,
    #: not in the lexicon, so the safety screen's negation (which must never hide a crisis
    #: behind a syllable such as the 안 of 불안) is untouched.
    negators: tuple[str, ...] = ()


@cache
def negators(locale: str) -> frozenset[str]:
    """Everything that cancels a word after it in `locale`: the lexicon's negators and the
    topic lexicon's own (patient's language, then English)."""
    codes = dict.fromkeys((canonical(locale), "en"))
    return frozenset(n for c in codes for n in (*lexicon.get(c).negators,
                                                 *(normalize(w) for w in get(c).negators)) if n)


def _module(code: str) -> Topics:
    topics: Topics = importlib.import_module(f"bot.understanding.lexicon.topics.{code.lower()}").TOPICS
    return topics


@cache
def get(locale: str) -> Topics:
    """The topic lexicon of `locale` (any spelling `bot.understanding.lexicon.canonical` accepts)."""
    return _module(canonical(locale))


@cache
def pattern_set(locale: str, name: str) -> PatternSet:
    """Compiled patterns of topic `name`, or of `hedges` / `negations` / `yes_extra`."""
    tp = get(locale)
    words = tp.topics.get(name, ()) if name in TOPIC_NAMES else getattr(tp, name)
    return PatternSet(tuple(dict.fromkeys(fold_pattern(p) for p in words)), substring=tp.substring)


@cache
def yes_words(locale: str) -> frozenset[str]:
    """`yes_extra` of `locale`, normalised, spaces removed (whole replies only)."""
    return frozenset(normalize(w).replace(" ", "") for w in get(locale).yes_extra)


@cache
def frame_words(locale: str) -> frozenset[str]:
    """Normalised frame words of `locale` plus English's."""
    codes = {canonical(locale), "en"}
    return frozenset(w for c in codes for w in (normalize(x) for x in get(c).frame) if w)


#: Topics a negation cancels ("no side effects", "don't call me"). Barrier and need topics
#: are not among them: "no ride", "no food at home" name the barrier or the need.
NEGATABLE = frozenset({"side_effects", "feel_better", "call_me", "doing_well", "feeling_awful",
                       "feeling_bad"})
#: How far before a topic word a negator reaches: words, or characters for Chinese/Korean.
NEGATION_WORDS = 2
NEGATION_CHARS = 2


def _negated(hit: Hit, norm: str, code: str, substring: bool) -> bool:
    found = negators(code)
    if substring:
        chars = norm.replace(" ", "")[max(0, hit.start - NEGATION_CHARS):hit.start]
        return any(n in chars for n in found)
    words = norm.split()[max(0, hit.start - NEGATION_WORDS):hit.start]
    return any(word in found for word in words)


@lru_cache(maxsize=256)
def forms(text: str) -> tuple[str, str]:
    """The folded and the accent-keeping form of a reply (one reply is read for many topics)."""
    return normalize(text), light_normalize(text)


@lru_cache(maxsize=2048)
def matches(text: str, topic: str, locale: str) -> tuple[str, ...]:
    """The words of `text` that name `topic` (patient's language, then English), spaces
    removed; negated mentions of a NEGATABLE topic left out."""
    norm, accented = forms(text)
    if not norm:
        return ()
    found = []
    for code in dict.fromkeys((canonical(locale), "en")):
        patterns = pattern_set(code, topic)
        for hit in patterns.finditer(norm, accented):
            if topic not in NEGATABLE or not _negated(hit, norm, code, patterns.substring):
                found.append(hit.text.replace(" ", ""))
    return tuple(found)


def mentions(text: str, topic: str, locale: str) -> bool:
    """Does `text` name `topic` (see `matches`)?"""
    return bool(matches(text, topic, locale))


def all_topics() -> tuple[Topics, ...]:
    return tuple(get(code) for code in LOCALES)
