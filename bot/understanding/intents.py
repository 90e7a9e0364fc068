"""Reply understanding: what did the patient mean?

INTERFACE CONTRACT (used by bot/core/engine.py):

- `normalize(text) -> str`: lower case, accents folded (Latin only; other scripts kept), emoji
  that answer mapped to words (👍 -> yes), punctuation dropped, stretched letters squeezed.
- `match(intent, text, locale, *, params=None, now=None, timezone=None) -> Match | None` for the
  built-in intents: yes, no, help, number (params: min, max), choice (params: options = list of
  {value, keywords, number}), date (value: datetime.date, relative to `now` in `timezone`).
- `match_keywords(text, keywords, locale) -> bool` for flow-defined keyword lists.
- `BUILTIN_INTENTS`: the names `match` accepts.

The words live in bot/understanding/lexicon/<locale>.py; the patient's locale is tried first, then English,
because patients often answer in English whatever language their messages are in.
Opt-out, start, help-as-keyword, language switches and urgent messages are global and belong to
bot.understanding.safety, which the engine consults before a flow's expectations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from bot.errors import OutreachError
from bot.understanding import lexicon
from bot.understanding.lexicon import topics
from bot.understanding.lexicon.dates import parse_date
from bot.understanding.lexicon.normalize import has_han, normalize
from bot.understanding.lexicon.patterns import Hit, edit_distance
from bot.understanding.reply_numbers import menu_numbers, whole_number

__all__ = ["BUILTIN_INTENTS", "Match", "Reading", "match", "match_keywords", "normalize", "polarity",
           "reading", "warm"]

BUILTIN_INTENTS = ("yes", "no", "help", "number", "choice", "date")

#: A yes/no word decides a reply only near its start ("Hi, yes I will" but not a long story
#: that mentions "yes" somewhere): word positions in most languages, characters in Chinese.
LEAD_WORDS = 4
LEAD_CHARS = 6


@dataclass(frozen=True)
class Match:
    intent: str
    value: Any = None


class UnknownIntent(OutreachError):
    """`match` was asked for an intent it does not know (a caller bug, not patient input)."""


def warm() -> None:
    """Compile every shipped locale's reply tables (yes/no/unsure/help patterns, topics, CLDR
    weekday and month names) now; they are cached for the process, so a forking worker's
    horses inherit them instead of each building its own."""
    from bot.understanding.lexicon.dates import month_names, weekday_names

    for code in lexicon.LOCALES:
        for name in ("yes", "no", "unsure", "help"):
            lexicon.patterns(code, name)
        for name in (*topics.TOPIC_NAMES, "hedges", "negations"):
            topics.pattern_set(code, name)
        topics.frame_words(code)
        topics.yes_words(code)
        weekday_names(code)
        month_names(code)


@dataclass(frozen=True)
class Reading:
    """The yes/no signals in one reply. A reply may hold both ("yes but I can't pay")."""

    yes: bool = False
    no: bool = False
    unsure: bool = False

    @property
    def ambiguous(self) -> bool:
        return self.yes and self.no

    @property
    def verdict(self) -> bool | None:
        """True only for an unhedged yes with no no-word anywhere; False for a plain no."""
        if self.no:
            return None if self.yes else False
        if self.yes and not self.unsure:
            return True
        return None


def _span(hit: Hit, substring: bool) -> tuple[int, int]:
    return hit.start, hit.start + (len(hit.text) if substring else len(hit.text.split()))


def _outermost(hits: list[Hit], substring: bool) -> list[Hit]:
    """Drop hits inside a longer one: "no problem" is a yes, its "no" is not a no."""
    spans = [_span(h, substring) for h in hits]
    keep = []
    for i, (a, b) in enumerate(spans):
        inside = any(j != i and c <= a and b <= d and (d - c) > (b - a)
                     for j, (c, d) in enumerate(spans))
        if not inside:
            keep.append(hits[i])
    return keep


def _negated_yes(hit: Hit, no_hits: list[Hit], substring: bool) -> bool:
    """A yes-word right after a no-word is negated: "không có" (don't have), "唔得", "di ko
    kaya" (can't), "not ok". One word (one character in Chinese) may stand between."""
    start = _span(hit, substring)[0]
    return any(0 <= start - _span(n, substring)[1] <= 1 for n in no_hits)


def _core_reading(norm: str, locale: str) -> Reading | None:
    """Yes/no/unsure words of the first lexicon in the chain that finds any (the patient's
    language before English, so Vietnamese "k" stays a no and is not English "k" = ok)."""
    for lex in lexicon.chain(locale):
        sets = {name: lexicon.patterns(lex.locale, name) for name in ("yes", "no", "unsure")}
        substring = sets["yes"].substring
        if substring and not has_han(norm):
            continue
        hits = _outermost([h for name in ("unsure", "yes", "no") for h in sets[name].finditer(norm)],
                          substring)
        if not hits:
            continue
        lead = LEAD_CHARS if substring else LEAD_WORDS
        no_hits = [h for h in hits if h.pattern in sets["no"].patterns]
        return Reading(
            yes=any(h.pattern in sets["yes"].patterns and h.start < lead
                    and not _negated_yes(h, no_hits, substring) for h in hits),
            no=bool(no_hits),
            unsure=any(h.pattern in sets["unsure"].patterns for h in hits))
    return None


@lru_cache(maxsize=256)
def reading(text: str, locale: str) -> Reading:
    """Every yes, no and hedge signal in `text` (see `Reading`)."""
    norm, accented = topics.forms(text)
    if not norm:
        return Reading()
    core = _core_reading(norm, locale) or Reading()
    codes = dict.fromkeys((lexicon.canonical(locale), lexicon.FALLBACK))

    def extra(name: str) -> bool:
        return any(topics.pattern_set(c, name).search(norm, accented) is not None for c in codes)

    yes_extra = any(norm.replace(" ", "") in topics.yes_words(c) for c in codes)
    return Reading(yes=core.yes or yes_extra, no=core.no or extra("negations"),
                   unsure=core.unsure or extra("hedges"))


def polarity(text: str, locale: str) -> bool | None:
    """True for a yes, False for a no, None when the reply is neither, unsure or both."""
    return reading(text, locale).verdict


def _number(text: str, locale: str, params: dict[str, Any]) -> Match | None:
    """One number in range, when the reply is that number (bot.understanding.reply_numbers)."""
    value = whole_number(text, locale)
    low, high = params.get("min"), params.get("max")
    if value is None or (low is not None and value < low) or (high is not None and value > high):
        return None
    return Match("number", value)


def _choice(text: str, locale: str, params: dict[str, Any]) -> Match | None:
    """An option by its keywords, or by its number when no keyword decides."""
    options = params.get("options") or []
    by_keyword = [o for o in options if o.get("keywords")
                  and match_keywords(text, list(o["keywords"]), locale)]
    if len(by_keyword) == 1:
        return Match("choice", by_keyword[0].get("value"))
    numbers = {int(o.get("number", i + 1)): o for i, o in enumerate(options)}
    if not numbers:
        return None
    found = _number(text, locale, {"min": min(numbers), "max": max(numbers)})
    if found is not None and found.value in numbers:
        return Match("choice", numbers[found.value].get("value"))
    return None


def match(
    intent: str,
    text: str,
    locale: str,
    *,
    params: dict[str, Any] | None = None,
    now: datetime | None = None,
    timezone: str | None = None,
) -> Match | None:
    """Does `text` (a patient's reply in `locale`) carry `intent`? See the module docstring."""
    params = params or {}
    if intent in ("yes", "no"):
        verdict = polarity(text, locale)
        if verdict is None or verdict != (intent == "yes"):
            return None
        return Match(intent, verdict)
    if intent == "help":
        norm = normalize(text)
        if any(lexicon.patterns(lex.locale, "help").search(norm) for lex in lexicon.chain(locale)):
            return Match("help")
        return None
    if intent == "number":
        return _number(text, locale, params)
    if intent == "choice":
        return _choice(text, locale, params)
    if intent == "date":
        found: date | None = parse_date(text, locale, now=now, timezone=timezone)
        return Match("date", found) if found is not None else None
    raise UnknownIntent(f"unknown intent {intent!r}; expected one of {BUILTIN_INTENTS}")


def _phrase_starts(tokens: list[str], phrase: list[str]) -> list[int]:
    """Where `phrase` occurs in `tokens`, with at most one typo per word of 6+ letters."""
    n = len(phrase)
    return [i for i in range(len(tokens) - n + 1)
            if all(a == b or (len(b) >= 6 and edit_distance(a, b, 1) <= 1)
                   for a, b in zip(tokens[i:i + n], phrase, strict=True))]


def _fuzzy_phrase(tokens: list[str], phrase: list[str]) -> bool:
    """`phrase` occurs in `tokens` with at most one typo per word of 6+ letters."""
    return bool(_phrase_starts(tokens, phrase))


def _negated_at(before: str | list[str], negators: frozenset[str]) -> bool:
    """A negator just before a keyword: the words (or, in Chinese and Korean, characters) in
    `before` reach back `topics.NEGATION_WORDS` / `topics.NEGATION_CHARS`."""
    if isinstance(before, str):
        return any(n and n in before[-topics.NEGATION_CHARS - 1:] for n in negators)
    return any(word in negators for word in before[-topics.NEGATION_WORDS:])


@lru_cache(maxsize=4096)
def _normalized_keyword(keyword: str) -> str:
    return normalize(keyword)


def match_keywords(text: str, keywords: list[str], locale: str, *, negatable: bool = False) -> bool:
    """Any keyword in `text`. A number keyword ("1") counts only when the reply is made of
    menu numbers ("1", "option 1", "1 and 2"; bot.understanding.reply_numbers), never a digit in a
    sentence; words match whole (a typo allowed in long ones), Chinese
    keywords as substrings.

    `negatable`: a word right after a negator does not count ("not good", "안 좋아요",
    "不是很好"), unless the keyword holds a negator itself ("not interested", "none")."""
    norm = topics.forms(text)[0]
    if not norm:
        return False
    tokens = norm.split()
    compact = norm.replace(" ", "")
    numbers: frozenset[int] | None = None
    negators = topics.negators(locale) if negatable else frozenset()
    for keyword in keywords:
        nk = _normalized_keyword(str(keyword))
        if not nk:
            continue
        plain = not negators or any(n in (nk.replace(" ", "") if has_han(nk) else nk.split())
                                    for n in negators)
        if nk.isdigit():
            numbers = menu_numbers(text, locale) if numbers is None else numbers
            if int(nk) in numbers:
                return True
        elif has_han(nk):
            key = nk.replace(" ", "")
            at = compact.find(key)
            while at >= 0:
                if plain or not _negated_at(compact[:at], negators):
                    return True
                at = compact.find(key, at + 1)
        else:
            if any(plain or not _negated_at(tokens[:i], negators)
                   for i in _phrase_starts(tokens, nk.split())):
                return True
    return False
