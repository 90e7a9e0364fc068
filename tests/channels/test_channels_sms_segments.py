"""segments() against the vectors of Twilio's segment calculator and carrier rules."""

from __future__ import annotations

import pytest

from bot.i18n.sms_segments import graphemes, non_gsm_chars, segments

EMOJI = "\U0001f61c"  # 😜, a surrogate pair in UTF-16


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ("GSM-7", 1)),
        ("1" * 160, ("GSM-7", 1)),
        ("1" * 161, ("GSM-7", 2)),
        ("1" * 306, ("GSM-7", 2)),
        ("1" * 307, ("GSM-7", 3)),
        (EMOJI + "2" * 68, ("UCS-2", 1)),
        (EMOJI + "2" * 69, ("UCS-2", 2)),
        (EMOJI + "2" * 133, ("UCS-2", 3)),
        ("\U0001f600" + "]" * 68, ("UCS-2", 1)),
        ("\U0001f600" + "]" * 69, ("UCS-2", 2)),
        ("e\u0301\u0301\u0301" + "a" * 66, ("UCS-2", 1)),
        ("e\u0301\u0301\u0301" + "a" * 67, ("UCS-2", 2)),
        ("\U0001f1ee\U0001f1f9" + "2" * 66, ("UCS-2", 1)),
        ("\U0001f1ee\U0001f1f9" + "2" * 67, ("UCS-2", 2)),
        ("\U0001f3f3\ufe0f\u200d\U0001f308" + "2" * 64, ("UCS-2", 1)),
        ("\U0001f3f3\ufe0f\u200d\U0001f308" + "2" * 65, ("UCS-2", 2)),
    ],
)
def test_calculator_vectors(text: str, expected: tuple[str, int]) -> None:
    assert segments(text) == expected


@pytest.mark.parametrize("char", ["Á", "Ú", "ú", "ç", "í", "Í", "ó", "Ó"])
def test_accented_letters_outside_gsm_force_ucs2(char: str) -> None:
    assert segments(char * 70) == ("UCS-2", 1)
    assert segments(char * 71) == ("UCS-2", 2)


@pytest.mark.parametrize("escape", list("|^€{}[]~\\") + ["\f"])
def test_extension_chars_cost_two_septets(escape: str) -> None:
    # 1 extension char (2 septets) + 158 digits = 160 septets: one segment.
    assert segments(escape + "1" * 158) == ("GSM-7", 1)
    assert segments(escape + "1" * 159) == ("GSM-7", 2)


def test_extension_char_is_never_split_across_segments() -> None:
    # 152 septets, then '{' (2 septets) does not fit in the 153 of part one: it moves whole.
    text = "1" * 152 + "{" + "1" * 152
    # part 1: 152, part 2: 2 + 151, part 3: 1
    assert segments(text) == ("GSM-7", 3)
    assert segments("1" * 151 + "{" + "1" * 153) == ("GSM-7", 2)


def test_crlf_counts_two() -> None:
    assert segments("a" * 158 + "\r\n") == ("GSM-7", 1)
    assert segments("a" * 159 + "\r\n") == ("GSM-7", 2)
    assert list(graphemes("\rab\r\n1")) == ["\r", "a", "b", "\r", "\n", "1"]


def test_long_spanish_text_with_accent() -> None:
    text = "Hola, su receta está lista para recoger en la farmacia. " * 3
    encoding, count = segments(text)
    assert encoding == "UCS-2"
    assert count == 3  # 168 UTF-16 units / 67
    assert segments(text.replace("á", "a")) == ("GSM-7", 2)


def test_emoji_clusters_not_split() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # 8 UTF-16 units, one grapheme
    thumbs = "\U0001f44d\U0001f3fd"  # thumbs up + skin tone, 4 units
    assert list(graphemes(family + thumbs + "a")) == [family, thumbs, "a"]
    # 60 units + the family (8) exceed the 67 of part one, so the family moves whole to part
    # two (8 + 59 = 67). A counter that split it would need only two parts for 60 more 'b's.
    assert segments("a" * 60 + family + "b" * 59) == ("UCS-2", 2)
    assert segments("a" * 60 + family + "b" * 60) == ("UCS-2", 3)


def test_two_flags_are_two_graphemes() -> None:
    flags = "\U0001f1fa\U0001f1f8\U0001f1f2\U0001f1fd"
    assert list(graphemes(flags)) == [flags[:2], flags[2:]]


def test_non_gsm_chars_names_offenders_once() -> None:
    text = "Don\u2019t miss it \u2013 it\u2019s due\u00a0today. Más"
    assert non_gsm_chars(text) == ["\u2019", "\u2013", "\u00a0", "á"]
    assert non_gsm_chars("Plain GSM text: {ok} 5€") == []
    assert segments("Plain GSM text: {ok} 5€")[0] == "GSM-7"


def test_cjk_and_arabic_are_ucs2() -> None:
    assert segments("您好" * 35) == ("UCS-2", 1)
    assert segments("您好" * 35 + "!") == ("UCS-2", 2)
    assert segments("مرحبا")[0] == "UCS-2"
