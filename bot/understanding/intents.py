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

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.errors import OutreachError
from bot.understanding import lexicon
from bot.understanding.lexicon.dates import parse_date
from bot.understanding.lexicon.normalize import fold_digits, has_han, normalize
from bot.understanding.lexicon.patterns import Hit, edit_distance

__all__ = ["BUILTIN_INTENTS", "Match", "match", "match_keywords", "normalize", "polarity",
           "warm"]

BUILTIN_INTENTS = ("yes", "no", "help", "number", "choice", "date")

#: A yes/no word decides a reply only near its start ("Hi, yes I will" but not a long story
#: that mentions "yes" somewhere): word positions in most languages, characters in Chinese.
LEAD_WORDS = 4
LEAD_CHARS = 6

_DIGITS = re.compile(r"(?<![\d:/.,-])#?(\d{1,4})(?![\d:/]|[.,]\d)")
_ZH_NUM = {"零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "两": 2, "兩": 2, "贰": 2, "三": 3,
           "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_ZH_FRAME = re.compile(r"^(?:我?选|我?選|选择|選擇|第|号|號)?([零〇一壹二两兩贰三四五六七八九十]{1,3})"
                       r"(?:个|個|号|號|项|項|号选项|个选项|個選項)?$")


@dataclass(frozen=True)
class Match:
    intent: str
    value: Any = None


class UnknownIntent(OutreachError):
    """`match` was asked for an intent it does not know (a caller bug, not patient input)."""


def _best(hits: list[Hit], substring: bool) -> Hit | None:
    """The earliest hit; at the same place the longest ("no problem" beats "no")."""
    if not hits:
        return None
    size = (lambda h: len(h.text)) if substring else (lambda h: len(h.text.split()))
    return min(hits, key=lambda h: (h.start, -size(h)))


def warm() -> None:
    """Compile every shipped locale's reply tables (yes/no/unsure/help patterns, CLDR weekday
    and month names) now; they are cached for the process, so a forking worker's horses
    inherit them instead of each building its own."""
    from bot.understanding.lexicon.dates import month_names, weekday_names

    for code in lexicon.LOCALES:
        for name in ("yes", "no", "unsure", "help"):
            lexicon.patterns(code, name)
        weekday_names(code)
        month_names(code)


def polarity(text: str, locale: str) -> bool | None:
    """True for a yes, False for a no, None when the reply is neither or unsure."""
    norm = normalize(text)
    if not norm:
        return None
    for lex in lexicon.chain(locale):
        sets = {name: lexicon.patterns(lex.locale, name) for name in ("yes", "no", "unsure")}
        substring = sets["yes"].substring
        if substring and not has_han(norm):
            continue
        hits = [h for name in ("unsure", "yes", "no") for h in sets[name].finditer(norm)]
        best = _best(hits, substring)
        if best is None or best.start >= (LEAD_CHARS if substring else LEAD_WORDS):
            continue
        if best.pattern in sets["unsure"].patterns:
            return None
        return best.pattern in sets["yes"].patterns
    return None


def _number_words(norm: str, locale: str) -> set[int]:
    if has_han(norm):
        m = _ZH_FRAME.match(norm.replace(" ", ""))
        if m:
            return {_zh_value(m.group(1))}
    found: set[int] = set()
    tokens = norm.split()
    for lex in lexicon.chain(locale):
        i = 0
        while i < len(tokens):  # longest phrase first: "second one", "двадцать один"
            for size in (3, 2, 1):
                phrase = " ".join(tokens[i:i + size])
                if len(tokens) - i >= size and phrase in lex.numbers:
                    found.add(lex.numbers[phrase])
                    i += size
                    break
            else:
                i += 1
    return found


def _zh_value(numeral: str) -> int:
    if "十" not in numeral:
        return int("".join(str(_ZH_NUM[c]) for c in numeral))
    tens, _, ones = numeral.partition("十")
    return (_ZH_NUM[tens] if tens else 1) * 10 + (_ZH_NUM[ones] if ones else 0)


def _number(text: str, locale: str, params: dict[str, Any]) -> Match | None:
    """One number in range: digits ("2", "#2", "option 2", "٢") or a number word."""
    norm = normalize(text)
    values = {int(m.group(1)) for m in _DIGITS.finditer(fold_digits(text))}
    if not values:
        values = _number_words(norm, locale)
    low, high = params.get("min"), params.get("max")
    values = {v for v in values if (low is None or v >= low) and (high is None or v <= high)}
    return Match("number", values.pop()) if len(values) == 1 else None


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


def _fuzzy_phrase(tokens: list[str], phrase: list[str]) -> bool:
    """`phrase` occurs in `tokens` with at most one typo per word of 6+ letters."""
    n = len(phrase)
    for i in range(len(tokens) - n + 1):
        if all(a == b or (len(b) >= 6 and edit_distance(a, b, 1) <= 1)
               for a, b in zip(tokens[i:i + n], phrase, strict=True)):
            return True
    return False


def match_keywords(text: str, keywords: list[str], locale: str) -> bool:
    """Whole-word (or whole-phrase) match of any keyword; substring for Chinese keywords."""
    norm = normalize(text)
    if not norm:
        return False
    tokens = norm.split()
    compact = norm.replace(" ", "")
    for keyword in keywords:
        nk = normalize(str(keyword))
        if not nk:
            continue
        if has_han(nk):
            if nk.replace(" ", "") in compact:
                return True
        elif _fuzzy_phrase(tokens, nk.split()):
            return True
    return False
