"""SMS segment counting, as carriers and Twilio's published calculator count.

A message is sent as GSM-7 when every grapheme is in the GSM 03.38 basic or extension table,
otherwise as UCS-2. One segment holds 1120 bits; a message needing more than one segment
reserves a 6-octet user-data header in every segment, leaving 1072 bits (153 septets or 67
UTF-16 units). A GSM extension character (``| ^ € { } [ ] ~ \\`` and form feed) costs two
septets, and neither it nor a grapheme cluster (an emoji with its modifiers, a letter with its
combining accents) is ever split across segments. ``\\r\\n`` counts as two characters.

This is the algorithm of TwilioDevEd/message-segment-calculator, re-stated here so that flow
checks and the stand-in need no JavaScript. Twilio's billing engine may differ in rare edge cases.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

GSM7 = "GSM-7"
UCS2 = "UCS-2"

#: GSM 03.38 basic character set (one septet each).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: GSM 03.38 extension table (escape + one septet: two septets each).
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")

SEGMENT_BITS = 1120
#: Bits left for text in each part of a multi-part message (a 48-bit header in every part).
MULTIPART_SEGMENT_BITS = SEGMENT_BITS - 48

_ZWJ = "\u200d"
_REGIONAL_INDICATORS = range(0x1F1E6, 0x1F200)


def _is_extend(char: str) -> bool:
    """True for code points that attach to the grapheme before them (simplified UAX #29)."""
    code = ord(char)
    if unicodedata.category(char) in ("Mn", "Me", "Mc"):
        return True
    return (
        0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0xE0100 <= code <= 0xE01EF  # variation selectors supplement
        or 0x1F3FB <= code <= 0x1F3FF  # emoji skin-tone modifiers
        or 0xE0020 <= code <= 0xE007F  # emoji tag sequences (subdivision flags)
        or 0x1160 <= code <= 0x11FF  # Hangul conjoining vowels and finals
        or char == _ZWJ
    )


def graphemes(text: str) -> Iterator[str]:
    """Split `text` into user-perceived characters.

    Handles the clusters that matter for SMS: a base with combining marks, ZWJ emoji sequences,
    variation selectors, skin tones, tag sequences and regional-indicator pairs (flags).
    ``\\r\\n`` stays two graphemes, as the segment calculator counts it.
    """
    cluster = ""
    for char in text:
        code = ord(char)
        if not cluster:
            cluster = char
            continue
        last = cluster[-1]
        if last == _ZWJ or (_is_extend(char) and cluster not in ("\r", "\n")):
            cluster += char
            continue
        if code in _REGIONAL_INDICATORS and ord(last) in _REGIONAL_INDICATORS:
            # Pair regional indicators: count how many are in the current run.
            run = sum(1 for c in cluster if ord(c) in _REGIONAL_INDICATORS)
            if run % 2 == 1:
                cluster += char
                continue
        yield cluster
        cluster = char
    if cluster:
        yield cluster


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _is_gsm(grapheme: str) -> bool:
    return len(grapheme) == 1 and (grapheme in GSM_BASIC or grapheme in GSM_EXTENSION)


def _bits(grapheme: str, encoding: str) -> int:
    if encoding == GSM7:
        return 14 if grapheme in GSM_EXTENSION else 7
    return 16 * _utf16_units(grapheme)


def segments(text: str) -> tuple[str, int]:
    """Return (encoding, segment count) for an SMS body: ("GSM-7" | "UCS-2", n >= 1).

    >>> segments("1" * 160), segments("1" * 161)
    (('GSM-7', 1), ('GSM-7', 2))
    """
    clusters = list(graphemes(text))
    encoding = GSM7 if all(_is_gsm(g) for g in clusters) else UCS2
    sizes = [_bits(g, encoding) for g in clusters]
    if sum(sizes) <= SEGMENT_BITS:
        return encoding, 1
    count, used = 1, 0
    for size in sizes:
        if used + size > MULTIPART_SEGMENT_BITS:
            count += 1
            used = 0
        used += size
    return encoding, count


def non_gsm_chars(text: str) -> list[str]:
    """Graphemes of `text` that force UCS-2, each once, in order of first appearance.

    The i18n gate uses this to name the characters (curly quotes, en dashes, non-breaking
    spaces, accented letters outside GSM-7) that make a message cost more segments.
    """
    seen: list[str] = []
    for grapheme in graphemes(text):
        if not _is_gsm(grapheme) and grapheme not in seen:
            seen.append(grapheme)
    return seen
