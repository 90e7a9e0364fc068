"""Readings as patients write and say them, in every shipped language: one table, one check."""

from __future__ import annotations

import pytest

from bot.understanding.lexicon import LOCALES
from bot.understanding.lexicon.number_words import spell_out
from bot.understanding.readings import describe, hear

BP = "blood_pressure"

#: (kind, locale, reply, saved reading)
COMPLETE = [
    (BP, "en", "184/96", {"systolic": 184, "diastolic": 96}),
    (BP, "en", "184 over 96", {"systolic": 184, "diastolic": 96}),
    (BP, "en", "184-96", {"systolic": 184, "diastolic": 96}),
    (BP, "en", "184 96", {"systolic": 184, "diastolic": 96}),
    (BP, "en", "184*96", {"systolic": 184, "diastolic": 96}),  # a call's keypad
    (BP, "en", "one hundred eighty four over ninety six", {"systolic": 184, "diastolic": 96}),
    (BP, "en", "one eighty four over ninety six", {"systolic": 184, "diastolic": 96}),
    (BP, "en", "took it at 8:30, 132/84 pulse 72", {"systolic": 132, "diastolic": 84}),
    (BP, "en", "BP is 128 / 82 today", {"systolic": 128, "diastolic": 82}),
    (BP, "es", "ciento ochenta y cuatro sobre noventa y seis", {"systolic": 184, "diastolic": 96}),
    (BP, "pt_BR", "cento e dezoito por setenta e seis", {"systolic": 118, "diastolic": 76}),
    (BP, "ru", "сто сорок пять на девяносто два", {"systolic": 145, "diastolic": 92}),
    (BP, "vi", "một trăm tám mươi tư trên chín mươi sáu", {"systolic": 184, "diastolic": 96}),
    (BP, "vi", "118 trên 76", {"systolic": 118, "diastolic": 76}),
    (BP, "zh_Hans", "高压一百五十，低压八十五", {"systolic": 150, "diastolic": 85}),
    (BP, "zh_Hant", "一百八十四比九十六", {"systolic": 184, "diastolic": 96}),
    (BP, "ko", "백팔십사에 구십육이요", {"systolic": 184, "diastolic": 96}),
    (BP, "ar", "١٢٠/٨٠", {"systolic": 120, "diastolic": 80}),
    (BP, "ar", "مائة وأربعة وثمانون على ستة وتسعون", {"systolic": 184, "diastolic": 96}),
    (BP, "ht", "san katreven kat sou katrevendis sis", {"systolic": 184, "diastolic": 96}),
    (BP, "tl", "isang daan walumpu't apat sa siyamnapu't anim", {"systolic": 184, "diastolic": 96}),
    ("glucose", "en", "130 after lunch", {"value": 130, "unit": "mg/dL", "timing": "after_meal"}),
    ("glucose", "en", "7.2 fasting", {"value": 130, "unit": "mg/dL", "timing": "fasting"}),
    ("glucose", "es", "110 en ayunas", {"value": 110, "unit": "mg/dL", "timing": "fasting"}),
    ("weight", "en", "182 lbs", {"value": 182, "unit": "lb"}),
    ("weight", "en", "80 kg", {"value": 176.4, "unit": "lb"}),
    ("temperature", "en", "101.2", {"value": 101.2, "unit": "°F"}),
    ("temperature", "en", "ninety eight point six", {"value": 98.6, "unit": "°F"}),
    ("temperature", "es", "38.5", {"value": 101.3, "unit": "°F"}),
    ("pulse", "en", "72 bpm", {"value": 72, "unit": "bpm"}),
    ("oxygen", "en", "94%", {"value": 94, "unit": "%"}),
    ("pain", "en", "7/10", {"value": 7, "unit": "/10"}),
    ("pain", "es", "siete", {"value": 7, "unit": "/10"}),
]


@pytest.mark.parametrize(("kind", "locale", "text", "saved"), COMPLETE)
def test_complete_reading(kind: str, locale: str, text: str, saved: dict[str, object]) -> None:
    heard = hear(kind, text, locale)
    assert heard.complete, heard
    assert heard.saved() == saved


def test_glucose_in_mmol_kept_in_mmol_when_the_flow_says_so() -> None:
    assert hear("glucose", "130 mg/dl", "en", unit="mmol/L").saved() == {"value": 7, "unit": "mmol/L"}


@pytest.mark.parametrize(("text", "partial", "missing", "values"), [
    ("184", None, ("diastolic",), {"systolic": 184}),
    ("it was really high, 190 something", None, ("diastolic",), {"systolic": 190}),
    ("bottom one was 95", None, ("systolic",), {"diastolic": 95}),
])
def test_a_part_asks_for_the_rest(text: str, partial: dict[str, float] | None,
                                  missing: tuple[str, ...], values: dict[str, float]) -> None:
    heard = hear(BP, text, "en", partial=partial)
    assert not heard.complete and heard.missing == missing and dict(heard.values) == values


def test_the_rest_completes_a_part() -> None:
    heard = hear(BP, "96", "en", partial={"systolic": 184})
    assert heard.complete and heard.saved() == {"systolic": 184, "diastolic": 96}


@pytest.mark.parametrize(("kind", "text", "doubtful", "suggestion"), [
    (BP, "1840/96", 1840, "184/96"),
    (BP, "130/855", 855, "130/85"),
    ("temperature", "986", 986, "98.6"),
    ("pulse", "720", 720, "72"),
    (BP, "900/9000", 900, None),
])
def test_out_of_range_is_asked_back(kind: str, text: str, doubtful: float, suggestion: str | None) -> None:
    heard = hear(kind, text, "en")
    assert not heard.complete
    assert heard.doubtful == doubtful and heard.suggestion == suggestion


@pytest.mark.parametrize("text", ["took it 3 times: 190, 195, 200", "96/184", "hello", ""])
def test_no_reading_is_guessed(text: str) -> None:
    heard = hear(BP, text, "en")
    assert not heard.complete and not heard.values


def test_every_number_is_kept_for_the_alert_check() -> None:
    assert hear(BP, "took it 3 times: 190, 195, 200", "en").numbers == (3, 190, 195, 200)


@pytest.mark.parametrize("locale", LOCALES)
def test_numbers_in_words_leave_other_words_alone(locale: str) -> None:
    assert spell_out("184/96", locale) == "184 / 96"
    assert "hello" in spell_out("hello", locale)


def test_describe_names_the_reading() -> None:
    assert describe(BP, {"systolic": 184, "diastolic": 96}) == "184/96"
    assert describe("glucose", {"value": 130, "unit": "mg/dL", "timing": "fasting"}) == "130 mg/dL fasting"
    assert describe("temperature", {"value": 101.2, "unit": "°F"}) == "101.2°F"


@pytest.mark.parametrize(("locale", "text", "value"), [
    ("en", "184", 184), ("en", "one hundred eighty four", 184), ("es", "ciento ochenta y cuatro", 184),
    ("en", "2", 2), ("en", "option 2", 2), ("zh_Hans", "一百二十", 120), ("en", "300!", 300),
    ("en", "I ran out 2 days ago", None), ("en", "184 96", None),
])
def test_a_whole_number_of_any_size(locale: str, text: str, value: int | None) -> None:
    from bot.understanding.reply_numbers import whole_number

    assert whole_number(text, locale) == value
