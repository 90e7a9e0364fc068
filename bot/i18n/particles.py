"""Korean particles chosen by the word before them, after placeholders are filled.

A translator writing "{chosen_slot:datetime}을(를) 선택하셨습니다" cannot know the word the
placeholder becomes, so Korean catalogs write both forms ("을(를)", "(으)로"). Read aloud, the
pair is nonsense ("을 를"), and in a text it looks machine-made. Once the value is in place the
right form follows from the sound the word ends with:

- 을/를, 이/가, 은/는, 과/와: the first form after a final consonant (받침), the second after
  a vowel;
- (으)로: 로 after a vowel or ㄹ, 으로 after any other final consonant.

The sound of a Hangul syllable is in its code point; digits are read as Sino-Korean numbers
(3 삼, 2 이); a clock time is read in hours and minutes ("3:00" 세 시, "3:30" 삼십 분).
"""

from __future__ import annotations

import re

#: Pairs written "first(second)": the first after a final consonant, the second after a vowel.
_PAIRS = {"을(를)": ("을", "를"), "이(가)": ("이", "가"), "은(는)": ("은", "는"),
          "과(와)": ("과", "와")}
_PARTICLE = re.compile(r"(을\(를\)|이\(가\)|은\(는\)|과\(와\)|\(으\)로)")
#: Final sound of each digit read as a Sino-Korean number: None (vowel), "ㄹ", or "other".
_DIGIT_END = {"0": "other", "1": "ㄹ", "2": None, "3": "other", "4": None, "5": None,
              "6": "other", "7": "ㄹ", "8": "ㄹ", "9": None}
_CLOCK = re.compile(r"\d{1,2}:(\d{2})$")
_HANGUL_FIRST, _HANGUL_LAST, _FINALS = 0xAC00, 0xD7A3, 28
_RIEUL = 8  # the final-consonant index of ㄹ
_LATIN_VOWELS = frozenset("aeiouyAEIOUY")


def _final_sound(before: str) -> str | None:
    """How `before` ends when read aloud: None (a vowel), "ㄹ", or "other" (a consonant)."""
    word = before.rstrip(" .,)]\"'")
    if not word:
        return None
    clock = _CLOCK.search(word)
    if clock:  # "3:00" is 세 시 (a vowel); "3:30" ends in 분 (a consonant)
        return None if clock.group(1) == "00" else "other"
    last = word[-1]
    code = ord(last)
    if _HANGUL_FIRST <= code <= _HANGUL_LAST:
        final = (code - _HANGUL_FIRST) % _FINALS
        return None if final == 0 else ("ㄹ" if final == _RIEUL else "other")
    if last.isdigit():
        return _DIGIT_END.get(last)
    if last.isascii() and last.isalpha():
        return None if last in _LATIN_VOWELS else "other"
    return "other"


def attach_korean(text: str) -> str:
    """Replace every written-both-ways particle with the form the word before it takes."""

    def choose(m: re.Match[str]) -> str:
        sound = _final_sound(text[:m.start()])
        pair = m.group(1)
        if pair == "(으)로":
            return "로" if sound in (None, "ㄹ") else "으로"
        with_final, after_vowel = _PAIRS[pair]
        return after_vowel if sound is None else with_final

    return _PARTICLE.sub(choose, text)
