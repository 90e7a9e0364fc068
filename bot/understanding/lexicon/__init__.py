"""Per-locale word lists for reply understanding and safety, one small module per locale.

Each module (en.py, es.py, zh_hans.py ...) defines ``LEXICON = Lexicon(...)``. Words are written
already normalised where it matters (lower case; accents may be written, they are folded when
the lexicon is loaded), phrases in the pattern syntax of bot/understanding/lexicon/patterns.py. A reviewer who
speaks the language can check one file without reading any code.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from bot.understanding.lexicon.normalize import normalize
from bot.understanding.lexicon.patterns import GAP_WORDS, PatternSet

#: Shipped locales, in the order menus list them.
LOCALES: tuple[str, ...] = (
    "en", "es", "zh_Hans", "zh_Hant", "vi", "ko", "tl", "ru", "ar", "ht", "pt_BR",
)
FALLBACK = "en"

_MODULES = {code: code.lower() for code in LOCALES}
_ALIASES = {
    "zh": "zh_Hans", "zh_cn": "zh_Hans", "zh_sg": "zh_Hans", "zh_tw": "zh_Hant",
    "zh_hk": "zh_Hant", "zh_mo": "zh_Hant", "fil": "tl", "pt": "pt_BR", "pt_pt": "pt_BR",
}


@dataclass(frozen=True)
class Lexicon:
    """What one language's patients write for each intent. See en.py for a worked example."""

    locale: str
    #: True for Chinese: no spaces between words, so keywords match as substrings.
    substring: bool = False
    #: Safety phrases match as substrings (Chinese, and Korean where spacing varies).
    safety_substring: bool = False
    yes: tuple[str, ...] = ()
    no: tuple[str, ...] = ()
    #: Replies that are neither yes nor no even though they hold a yes/no word ("I don't know").
    unsure: tuple[str, ...] = ()
    help: tuple[str, ...] = ()
    numbers: Mapping[str, int] = field(default_factory=dict)
    weekdays: tuple[tuple[str, ...], ...] = ()  # Monday first, extra names beyond CLDR's
    today: tuple[str, ...] = ()
    tomorrow: tuple[str, ...] = ()
    day_after_tomorrow: tuple[str, ...] = ()
    next_week: tuple[str, ...] = ()
    # --- global keywords (bot.understanding.safety) ---
    stop_words: tuple[str, ...] = ()  # a whole message of just this word is an opt-out
    stop_words_accented: tuple[str, ...] = ()  # the same, compared with accents kept
    stop_phrases: tuple[str, ...] = ()  # anywhere in a message
    start_words: tuple[str, ...] = ()
    help_words: tuple[str, ...] = ()
    #: Words that may pad a keyword message ("STOP please", "HELP?") without changing it.
    filler: tuple[str, ...] = ()
    #: Language names written by a patient who wants this locale, in any script.
    language_names: tuple[str, ...] = ()
    crisis: tuple[str, ...] = ()
    medical: tuple[str, ...] = ()
    abuse: tuple[str, ...] = ()
    #: Figures of speech that look urgent ("dying to see", "the heat is killing me").
    not_urgent: tuple[str, ...] = ()
    #: Words that, right before an urgent phrase, deny it ("no chest pain").
    negators: tuple[str, ...] = ()
    #: Words a negator may skip over ("I'm not having chest pain").
    transparent: tuple[str, ...] = ()
    #: Attached conjunctions stripped in word matching (Arabic "و", "ف").
    clitics: tuple[str, ...] = ()
    #: Real words typo correction must leave alone.
    keep: tuple[str, ...] = ()


def canonical(locale: str | None) -> str:
    """A shipped locale code for `locale` ("es-MX" -> "es", "zh-TW" -> "zh_Hant", else "en")."""
    if not locale:
        return FALLBACK
    code = locale.replace("-", "_")
    for shipped in LOCALES:
        if shipped.lower() == code.lower():
            return shipped
    low = code.lower()
    if low in _ALIASES:
        return _ALIASES[low]
    if "hant" in low:
        return "zh_Hant"
    base = low.split("_")[0]
    if base in _ALIASES:
        return _ALIASES[base]
    for shipped in LOCALES:
        if shipped.lower() == base:
            return shipped
    return FALLBACK


PATTERN_FIELDS = ("yes", "no", "unsure", "help", "today", "tomorrow", "day_after_tomorrow",
                  "next_week", "stop_phrases", "crisis", "medical", "abuse", "not_urgent")
WORD_FIELDS = ("stop_words", "start_words", "help_words", "filler", "language_names",
               "negators", "transparent", "keep")


def fold_pattern(pattern: str) -> str:
    """Normalise the words of a pattern and keep its syntax (accents kept after a leading =)."""
    if pattern.startswith("="):
        return "=" + pattern[1:].casefold()
    slots = []
    for slot in pattern.split():
        if slot in GAP_WORDS:
            slots.append(slot)
            continue
        optional = "?" if slot.endswith("?") else ""
        alts = []
        for alt in slot.rstrip("?").split("|"):
            words = []
            for word in alt.split("+"):
                star = "*" if word.endswith("*") else ""
                words.append(normalize(word.rstrip("*")).replace(" ", "+") + star)
            alts.append("+".join(words))
        slots.append("|".join(alts) + optional)
    return " ".join(slots)


def _fold(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(w for w in (normalize(x) for x in words) if w))


@cache
def get(locale: str) -> Lexicon:
    """The lexicon for `locale` (any spelling canonical() accepts), words normalised."""
    code = canonical(locale)
    module = importlib.import_module(f"bot.understanding.lexicon.{_MODULES[code]}")
    lex: Lexicon = module.LEXICON
    changes: dict[str, Any] = {name: _fold(getattr(lex, name)) for name in WORD_FIELDS}
    for name in PATTERN_FIELDS:
        changes[name] = tuple(dict.fromkeys(fold_pattern(p) for p in getattr(lex, name)))
    changes["numbers"] = {normalize(k): v for k, v in lex.numbers.items()}
    changes["weekdays"] = tuple(_fold(names) for names in lex.weekdays)
    return replace(lex, **changes)


@cache
def patterns(locale: str, name: str) -> PatternSet:
    """The compiled patterns of field `name` for `locale` (cached)."""
    lex = get(locale)
    substring = lex.substring or (
        lex.safety_substring and name in ("stop_phrases", "crisis", "medical", "abuse",
                                          "not_urgent"))
    return PatternSet(getattr(lex, name), substring=substring, clitics=lex.clitics)


def chain(locale: str) -> tuple[Lexicon, ...]:
    """The patient's lexicon, then English: patients often answer in English."""
    code = canonical(locale)
    return (get(code),) if code == FALLBACK else (get(code), get(FALLBACK))


def all_lexicons() -> tuple[Lexicon, ...]:
    return tuple(get(code) for code in LOCALES)
