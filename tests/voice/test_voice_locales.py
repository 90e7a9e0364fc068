"""The locale -> Twilio voice map: every shipped locale is either spoken or handed to a human."""

from __future__ import annotations

import pytest

from bot import i18n
from bot.channels import voice_locales as vl
from bot.core.effects import CreateTask


@pytest.mark.parametrize("locale", [c for c in i18n.SHIPPED_LOCALES if c != "ht"])
def test_every_shipped_locale_but_kreyol_has_a_voice(locale: str) -> None:
    profile = vl.voice_profile(locale)
    assert profile is not None
    assert vl.can_call(locale)
    assert "-" in profile.gather_language  # Twilio rejects bare "en" (warning 13512)


@pytest.mark.parametrize(
    ("locale", "say", "voice", "gather"),
    [
        ("en", "en-US", "Polly.Joanna", "en-US"),
        ("es", "es-US", "Polly.Lupe", "es-US"),
        ("vi", "vi-VN", "Google.vi-VN-Standard-A", "vi-VN"),
        ("tl", "fil-PH", "Google.fil-PH-Standard-A", "fil-PH"),
        ("zh_Hans", "cmn-CN", "Polly.Zhiyu", "cmn-Hans-CN"),
        ("zh_Hant", "yue-HK", "Google.yue-HK-Standard-A", "yue-Hant-HK"),
        ("pt_BR", "pt-BR", "Polly.Camila", "pt-BR"),
        ("ar", "arb", "Polly.Zeina", "ar-EG"),
    ],
)
def test_exact_twilio_tags(locale: str, say: str, voice: str, gather: str) -> None:
    profile = vl.voice_profile(locale)
    assert profile is not None
    assert (profile.say_language, profile.voice, profile.gather_language) == (say, voice, gather)


def test_locale_spellings_are_canonicalised() -> None:
    assert vl.voice_profile("pt-BR") == vl.PROFILES["pt_BR"]
    assert vl.voice_profile("zh-Hant-TW") == vl.PROFILES["zh_Hant"]
    assert vl.voice_profile("zh-CN") == vl.PROFILES["zh_Hans"]
    assert vl.voice_profile("fil") == vl.PROFILES["tl"]
    assert vl.voice_profile("es_MX") == vl.PROFILES["es"]


def test_traditional_chinese_mandarin_preference_picks_taiwanese_mandarin() -> None:
    assert vl.voice_profile("zh_Hant", "Mandarin") == vl.MANDARIN_TRADITIONAL
    assert vl.voice_profile("zh_Hant", "zh-TW") == vl.MANDARIN_TRADITIONAL
    assert vl.voice_profile("zh_Hant", "Cantonese") == vl.PROFILES["zh_Hant"]
    assert vl.voice_profile("zh_Hans", "Mandarin") == vl.PROFILES["zh_Hans"]


@pytest.mark.parametrize("locale", ["ht", "ht_HT", "ht-HT"])
def test_kreyol_is_never_called_by_a_robot(locale: str) -> None:
    assert vl.voice_profile(locale) is None
    assert not vl.can_call(locale)
    task = vl.interpreter_task(locale, state="ask")
    assert isinstance(task, CreateTask)
    assert (task.team, task.reason, task.state) == ("outreach", "Kreyol interpreter call-back", "ask")


def test_no_interpreter_task_for_a_spoken_locale() -> None:
    assert vl.interpreter_task("es") is None
