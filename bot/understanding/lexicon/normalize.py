"""Text normalisation shared by reply understanding and the safety classifier.

Patients type on every kind of phone keyboard: with or without accents, in capitals, with
emoji, stretched words ("yesss") and curly apostrophes. Matching is done on a normalised form
so that the keyword lists stay short. Scripts are kept: Chinese, Korean, Cyrillic and Arabic
letters stay as they are (only Arabic diacritics, tatweel and letter variants are folded), so
that a Russian or Arabic word never collides with a Latin one.
"""

from __future__ import annotations

import re
import unicodedata

#: Emoji that carry an answer. Others are dropped like punctuation.
EMOJI_WORDS = {
    "\U0001f44d": " yes ",  # thumbs up
    "\U0001f44c": " ok ",  # OK hand
    "\u2705": " yes ",  # check mark button
    "\u2714": " yes ",  # heavy check mark
    "\u2611": " yes ",  # ballot box with check
    "\U0001f44e": " no ",  # thumbs down
    "\u274c": " no ",  # cross mark
    "\u2716": " no ",  # heavy multiplication x
    "\u274e": " no ",  # cross mark button
    "\U0001f6ab": " no ",  # prohibited
    "\U0001f198": " help ",  # SOS button
}

_APOSTROPHES = "'\u2019\u2018\u02bc\u0060\u00b4"
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_LETTERS = str.maketrans(
    {
        "\u0623": "\u0627",  # alef with hamza above -> alef
        "\u0625": "\u0627",  # alef with hamza below -> alef
        "\u0622": "\u0627",  # alef with madda -> alef
        "\u0671": "\u0627",  # alef wasla -> alef
        "\u0649": "\u064a",  # alef maksura -> yeh
        "\u0629": "\u0647",  # teh marbuta -> heh
        "\u0624": "\u0648",  # waw with hamza -> waw
        "\u0626": "\u064a",  # yeh with hamza -> yeh
    }
)
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_LATIN_EXTRA = str.maketrans({"đ": "d", "ð": "d", "ø": "o", "ł": "l", "ß": "ss", "æ": "ae"})
_STRETCH = re.compile(r"([^\W\d_])\1{2,}")
_NON_WORD = re.compile(r"[^\w#]+")
_HASH = re.compile(r"#(?!\d)")


def _fold_char(ch: str) -> str:
    """Strip accents from Latin letters only; other scripts keep their letters."""
    if ch.isascii() or not ch.isalpha():
        return ch
    name = unicodedata.name(ch, "")
    if name.startswith("LATIN"):
        base = unicodedata.normalize("NFKD", ch)
        return "".join(c for c in base if not unicodedata.combining(c))
    if ch == "ё":
        return "е"
    return ch


def normalize(text: str) -> str:
    """Lower-case, fold accents (Latin), drop punctuation, map answer emoji, squeeze spaces.

    "Yes!!" -> "yes", "Sí 👍" -> "si yes", "DON'T" -> "dont", "yesss" -> "yes",
    "نَعَم" -> "نعم", "２" -> "2", "٢" -> "2".
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    for emoji, word in EMOJI_WORDS.items():
        if emoji in text:
            text = text.replace(emoji, word)
    text = text.casefold()
    for apostrophe in _APOSTROPHES:
        text = text.replace(apostrophe, "")
    text = _ARABIC_MARKS.sub("", text).translate(_ARABIC_LETTERS).translate(_DIGITS)
    text = "".join(_fold_char(ch) for ch in text).translate(_LATIN_EXTRA)
    text = unicodedata.normalize("NFC", text)
    text = _STRETCH.sub(r"\1", text)
    text = _HASH.sub(" ", _NON_WORD.sub(" ", text.replace("_", " ")))
    return " ".join(text.split())


def light_normalize(text: str) -> str:
    """Case and punctuation only, accents kept: for the few words whose accents carry meaning
    (Vietnamese "dừng" = stop, but "dùng" = use)."""
    text = unicodedata.normalize("NFC", unicodedata.normalize("NFKC", text).casefold())
    for apostrophe in _APOSTROPHES:
        text = text.replace(apostrophe, "")
    return " ".join(_NON_WORD.sub(" ", text.replace("_", " ")).split())


def fold_digits(text: str) -> str:
    """NFKC (full-width digits) and Arabic-Indic digits as ASCII; punctuation kept, so that
    "3:30" and "12/3" stay recognisable as a time and a date."""
    return unicodedata.normalize("NFKC", text).translate(_DIGITS)


def squeeze(word: str) -> str:
    """Collapse doubled letters ("yess" -> "yes", "noo" -> "no") for tolerant comparison."""
    return re.sub(r"([^\W\d_])\1+", r"\1", word)


def has_han(text: str) -> bool:
    """True when the text holds Chinese characters (matched by substring, not by word)."""
    return any("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" for ch in text)
