"""Consent in the patient's own words: wrong numbers, indirect opt-outs, and preferences.

A request about *when*, *how* or *what* ("not before 9am", "call me instead", "keep the
reminders") is a preference honoured at send time, never an opt-out, even when it is worded
like one ("please don't text me before 9am"). An indirect revocation ("take my number off",
"ya no me escriban", "stp texting me") is an opt-out. A wrong number ("this is not her") is
neither: outreach to that phone stops and staff fix the contact.

The phrases live in bot/lexicon/meaning/; this module only decides which applies and turns a
time preference into a sending window. Nothing here keeps or logs the message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.understanding.lexicon import Lexicon
from bot.understanding.lexicon import meaning as meanings
from bot.understanding.lexicon.normalize import fold_digits, normalize

__all__ = ["preference", "revoke", "wrong_number"]

#: Parts of the day as sending windows (local time, [start, end)).
DAY_PARTS = {"morning": ("08:00", "12:00"), "afternoon": ("12:00", "17:00"),
             "evening": ("17:00", "21:00")}
_CLOCK = re.compile(r"(?<!\d)(\d{1,2})(?:[:h.](\d{2}))?\s*(a\.?\s?m\.?|p\.?\s?m\.?|h\b)?",
                    re.IGNORECASE)
_PM_WORDS = ("pm", "p m", "tarde", "noche", "下午", "晚上", "오후", "저녁", "chieu", "toi", "hapon",
             "gabi", "вечера", "вечером", "مساء", "المساء", "diswa", "aswe", "noite")

Found = tuple[str, str]  # (locale, pattern)


def _search(sets: Sequence[tuple[str, object]], folded: str, accented: str) -> Found | None:
    for code, ps in sets:
        hit = ps.search(folded, accented)  # type: ignore[attr-defined]
        if hit is not None:
            return code, hit.pattern
    return None


def wrong_number(folded: str, accented: str, locales: Sequence[Lexicon]) -> Found | None:
    """(locale, pattern) when the message says the phone is not the patient's."""
    return _search([(lex.locale, meanings.compiled(lex.locale).wrong_number) for lex in locales],
                   folded, accented)


def revoke(folded: str, accented: str, locales: Sequence[Lexicon]) -> Found | None:
    """(locale, pattern) of an indirect revocation ("take my number off")."""
    return _search([(lex.locale, meanings.compiled(lex.locale).revoke) for lex in locales],
                   folded, accented)


def preference(text: str, folded: str, accented: str, locales: Sequence[Lexicon], *,
               revoking: bool) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    """(locale, detail) when the message states a contact preference, else None.

    With an opt-out phrase in the message (`revoking`), any time, channel or content
    qualifier makes it a preference ("don't text me *before 9am*"); without one, the message
    must also ask for contact ("text me in the evening"), so that "I can't stop coughing at
    night" stays a flow answer.
    """
    for lex in locales:
        found = meanings.compiled(lex.locale)
        kinds = [found.preference_kind.get(h.pattern, "")
                 for h in found.preference.finditer(folded, accented)
                 if not _denied(folded, h.start, lex, found.preference.substring)]
        if not kinds:
            continue
        if not revoking and found.contact.search(folded, accented) is None:
            continue
        return found.locale, _detail(text, folded, accented, found, set(kinds), revoking)
    return None


def _denied(folded: str, start: int, lex: Lexicon, substring: bool) -> bool:
    """"Don't call me" is not a request to be called."""
    if substring:
        prefix = folded.replace(" ", "")[:start]
        return any(prefix.endswith(n) for n in lex.negators)
    return start > 0 and folded.split()[start - 1] in lex.negators


def _detail(text: str, folded: str, accented: str, found: meanings.Compiled, kinds: set[str],
            revoking: bool) -> tuple[tuple[str, str], ...]:
    detail: list[tuple[str, str]] = []
    if "time" in kinds:
        window = _window(text, found.raw, revoking)
        if window is None:
            detail.append(("note", "time"))
        else:
            start, end = window
            if start:
                detail.append(("window_start", start))
            if end:
                detail.append(("window_end", end))
    if "channel" in kinds:
        voice = found.call.search(folded, accented) is not None
        detail.append(("channel", "voice") if voice else ("note", "other_contact"))
    if "content" in kinds:
        detail.append(("note", "content"))
    return tuple(dict.fromkeys(detail))


def _has(words: tuple[str, ...], tokens: list[str], joined: str) -> bool:
    for word in words:
        w = normalize(word.replace("+", " "))
        if not w:
            continue
        if " " in w or not w.isascii() and not any(c.isspace() for c in joined):
            if w in joined:
                return True
        elif w in tokens or (not w.isascii() and w in joined):
            return True
    return False


def _window(text: str, raw: meanings.Meanings, revoking: bool) -> tuple[str | None, str | None] | None:
    """A sending window from the message: a clock time with its direction, else a part of the
    day; None when the message names a time the patient wants but no usable one."""
    plain = fold_digits(text)
    folded = normalize(plain)
    pm = any(word in folded.split() or (not word.isascii() and word in folded)
             for word in _PM_WORDS)
    for match in _CLOCK.finditer(plain):
        hour = int(match.group(1))
        minute = int(match.group(2) or 0)
        if hour > 23 or minute > 59:
            continue
        before_tokens = normalize(plain[:match.start()]).split()[-3:]
        after_text = normalize(plain[match.end():])[:12]
        around = " ".join(before_tokens) + " " + after_text
        is_after = _has(raw.after, before_tokens + after_text.split()[:2], around)
        is_before = _has(raw.before, before_tokens + after_text.split()[:2], around)
        if not (is_after or is_before):
            continue
        marker = (match.group(3) or "").replace(".", "").replace(" ", "").lower()
        if marker == "pm" and hour < 12:
            hour += 12
        elif marker == "am" and hour == 12:
            hour = 0
        elif not marker and hour < 12 and (pm or (is_after and 1 <= hour <= 7)
                                           or (is_before and not revoking and 1 <= hour <= 6)):
            hour += 12
        clock = f"{hour:02d}:{minute:02d}"
        if is_after or revoking:  # "after 6", "don't text me before 9" -> from then on
            return clock, None
        return None, clock  # "only before 8pm" -> until then
    tokens = folded.split()
    for part, words in (("morning", raw.morning), ("afternoon", raw.afternoon),
                        ("evening", raw.evening)):
        if _has(words, tokens, folded):
            return DAY_PARTS[part]
    return None

