"""Is this reply a menu number? Only when the number *is* the answer.

"2", "2.", "#2", "option 2", "2 please", "two", "４", "٢", "4번", "1号", "选1", "第四个", "cuatro" are
answers; "I ran out 2 days ago", "only 1 pill left", "the 1st" are sentences that hold a digit,
and a digit inside a sentence is never read as a menu choice. What may stand around the number
(counters, particles, "option", "please") is listed per locale in bot/understanding/lexicon/topics/.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.understanding import lexicon
from bot.understanding.lexicon import topics
from bot.understanding.lexicon.normalize import fold_digits, has_han, normalize
from bot.understanding.lexicon.number_words import spell_out

_ZH_NUM = {"零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "两": 2, "兩": 2, "贰": 2, "三": 3,
           "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_ZH_NUMERAL = re.compile(r"^[零〇一壹二两兩贰三四五六七八九十]{1,3}$")
#: Digits glued to letters ("4번", "1号", "选1", "#3") are split apart before reading.
_GLUE = re.compile(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)")
#: "3 out of 5", "4/5": the scale after a rating is not a second number.
_SCALE = re.compile(r"\s*(?:/|out of|de|из|trên|sur)\s*(?:5|10)\s*$", re.IGNORECASE)
_HASH = re.compile(r"#(?=\d)")


def _zh_value(numeral: str) -> int:
    if "十" not in numeral:
        return int("".join(str(_ZH_NUM[c]) for c in numeral))
    tens, _, ones = numeral.partition("十")
    return (_ZH_NUM[tens] if tens else 1) * 10 + (_ZH_NUM[ones] if ones else 0)


def _han_numbers(compact: str, locale: str) -> set[int]:
    """Chinese: strip frame characters ("选", "第", "号", "个", "和" ...); only numbers may remain."""
    frames = sorted({f for code in (lexicon.canonical(locale), "zh_Hans", "zh_Hant")
                     for f in topics.get(code).frame}, key=len, reverse=True)
    rest = compact
    for frame in frames:
        rest = rest.replace(frame, " ")
    rest = rest.replace("我", " ")
    values = set()
    for part in rest.split():
        if part.isdigit() and len(part) <= 2:
            values.add(int(part))
        elif _ZH_NUMERAL.match(part):
            values.add(_zh_value(part))
        else:
            return set()
    return values


def _words_value(tokens: list[str], locale: str) -> int | None:
    """The whole token list as one number word or phrase ("two", "second one", "số hai")."""
    phrase = " ".join(tokens)
    for lex in lexicon.chain(locale):
        if phrase in lex.numbers:
            return lex.numbers[phrase]
    return None


@lru_cache(maxsize=256)
def menu_numbers(text: str, locale: str) -> frozenset[int]:
    """Every menu number of a reply made only of numbers, frame words and joiners ("2",
    "option 2", "1 and 2", "2 or 3"); empty when the reply is a sentence holding a digit."""
    raw = _SCALE.sub("", _HASH.sub(" ", fold_digits(text or "")))
    norm = normalize(_GLUE.sub(" ", raw))
    if not norm:
        return frozenset()
    if has_han(norm):
        return frozenset(_han_numbers(norm.replace(" ", ""), locale))
    frame = topics.frame_words(locale)
    tokens = norm.split()
    whole = _words_value(tokens, locale)  # "number one", "số hai" before frame words are dropped
    if whole is not None:
        return frozenset({whole})
    kept = [tok for tok in tokens if tok not in frame]
    if not kept:
        return frozenset()
    if len(kept) > 1:
        phrase = _words_value(kept, locale)  # "second one", "la primera"
        if phrase is not None:
            return frozenset({phrase})
    values = set()
    for tok in kept:
        value = int(tok) if tok.isdigit() and len(tok) <= 2 else _with_suffix(tok, frame, locale)
        if value is None:
            return frozenset()
        values.add(value)
    return frozenset(values)


def answer_number(text: str, locale: str) -> int | None:
    """The menu number `text` answers with, or None when the reply is not just one number."""
    values = menu_numbers(text, locale)
    return next(iter(values)) if len(values) == 1 else None


def whole_number(text: str, locale: str) -> int | None:
    """The reply is one number and nothing else, of any size, in digits or words ("184", "one
    hundred eighty four", "ciento ochenta y cuatro"), or a menu number as `answer_number` reads it."""
    value = answer_number(text, locale)
    if value is not None:
        return value
    spelled = spell_out(fold_digits(text or "").casefold().strip(" .!?"), locale).split()
    return int(spelled[0]) if len(spelled) == 1 and spelled[0].isdigit() else None


def _with_suffix(token: str, frame: frozenset[str], locale: str) -> int | None:
    """One token: a number word, or one with a counter glued on ("사번", "일번이요")."""
    found = _words_value([token], locale)
    if found is not None or token.isascii():
        return found
    for suffix in sorted(frame, key=len, reverse=True):
        if len(token) > len(suffix) and token.endswith(suffix):
            stem = token[: -len(suffix)]
            found = _words_value([stem], locale) if not stem.isdigit() else int(stem)
            if found is not None:
                return found
    return None
