"""Start, help and language keywords; carrier agreement; the minimum-necessary check."""

from __future__ import annotations

import pytest

from bot.understanding.safety import GlobalIntent, classify_global, is_minimum_necessary


@pytest.mark.parametrize("text", ["START", "start", "UNSTOP", " Start "])
def test_carrier_start(text: str) -> None:
    assert classify_global(text, "en") == GlobalIntent(
        "start", keyword=text.strip().upper(), locale="en", carrier_keyword=True)


def test_yes_is_start_only_for_an_opted_out_patient() -> None:
    assert classify_global("YES", "en") is None
    got = classify_global("YES", "en", opted_out=True)
    assert got is not None and got.kind == "start" and got.carrier_keyword
    # Twilio lifts its block only on the bare word: "yes please" stays a flow answer.
    assert classify_global("yes please", "en", opted_out=True) is None


@pytest.mark.parametrize(
    ("text", "locale"),
    [("COMENZAR", "es"), ("开始", "zh_Hans"), ("bắt đầu", "vi"), ("시작", "ko"), ("simula", "tl"),
     ("СТАРТ", "ru"), ("بدء", "ar"), ("kòmanse", "ht"), ("começar", "pt_BR"), ("resubscribe", "en")],
)
def test_start_equivalents(text: str, locale: str) -> None:
    got = classify_global(text, locale)
    assert got is not None and got.kind == "start" and not got.carrier_keyword


@pytest.mark.parametrize("text", ["HELP", "help", "INFO", "Info"])
def test_carrier_help(text: str) -> None:
    got = classify_global(text, "en")
    assert got is not None and got.kind == "help" and got.carrier_keyword


@pytest.mark.parametrize(
    ("text", "locale"),
    [("AYUDA", "es"), ("帮助", "zh_Hans"), ("幫助", "zh_Hant"), ("trợ giúp", "vi"), ("도움", "ko"),
     ("TULONG", "tl"), ("ПОМОЩЬ", "ru"), ("مساعدة", "ar"), ("ÈD", "ht"), ("AJUDA", "pt_BR"),
     ("help please", "en"), ("HELP?", "en")],
)
def test_help_equivalents(text: str, locale: str) -> None:
    got = classify_global(text, locale)
    assert got is not None and got.kind == "help"


@pytest.mark.parametrize("text", ["I need help paying for it", "can you help me find a ride"])
def test_help_inside_an_answer_is_for_the_flow(text: str) -> None:
    assert classify_global(text, "en") is None


@pytest.mark.parametrize(
    ("text", "code"),
    [("ESPAÑOL", "es"), ("español", "es"), ("Spanish", "es"), ("中文", "zh_Hans"),
     ("繁體中文", "zh_Hant"), ("Tiếng Việt", "vi"), ("tieng viet", "vi"), ("한국어", "ko"),
     ("Tagalog", "tl"), ("Filipino", "tl"), ("Русский", "ru"), ("العربية", "ar"), ("عربي", "ar"),
     ("Kreyòl", "ht"), ("Português", "pt_BR"), ("English", "en"), ("ENGLISH please", "en")],
)
def test_language_names(text: str, code: str) -> None:
    got = classify_global(text, "en")
    assert got is not None and (got.kind, got.locale) == ("language", code)


def test_chinese_keeps_traditional_for_a_traditional_reader() -> None:
    got = classify_global("中文", "zh_Hant")
    assert got is not None and got.locale == "zh_Hant"


@pytest.mark.parametrize("text", ["", "   ", "yes", "tomorrow", "2", "I speak Spanish at home sometimes"])
def test_ordinary_messages_are_not_global(text: str) -> None:
    assert classify_global(text, "en") is None


def test_minimum_necessary_flags_drug_and_condition_names() -> None:
    text = "Hi {first_name}, your Metformin refill for diabetes is ready. Reply YES."
    assert is_minimum_necessary(text) == ["metformin", "diabetes"]
    assert is_minimum_necessary("Hi {first_name}, your refill is ready on {due_date:date}.") == []
    assert is_minimum_necessary("Reply about your high blood pressure") == ["high blood pressure"]
    assert is_minimum_necessary("Your hearing aids and a prep list") == []
