"""Choosing the catalog: every reasonable way of naming a language, and the fallback chains."""

from __future__ import annotations

import pytest
from babel import Locale

from bot import i18n


@pytest.mark.parametrize(
    ("preference", "expected"),
    [
        ("es", "es"), ("es-MX", "es"), ("es_419", "es"), ("Spanish", "es"), ("español", "es"),
        ("ESPAÑOL", "es"), ("espanol", "es"),
        ("zh-TW", "zh_Hant"), ("zh-HK", "zh_Hant"), ("zh-Hant", "zh_Hant"),
        ("zh_Hant_TW", "zh_Hant"), ("繁體中文", "zh_Hant"), ("Traditional Chinese", "zh_Hant"),
        ("Cantonese", "zh_Hant"), ("yue", "zh_Hant"),
        ("zh", "zh_Hans"), ("zh-CN", "zh_Hans"), ("Chinese", "zh_Hans"), ("中文", "zh_Hans"),
        ("简体中文", "zh_Hans"), ("Mandarin", "zh_Hans"),
        ("Tagalog", "tl"), ("Filipino", "tl"), ("fil", "tl"), ("tl", "tl"), ("fil-PH", "tl"),
        ("pt", "pt_BR"), ("Portuguese", "pt_BR"), ("pt-PT", "pt_BR"), ("português", "pt_BR"),
        ("Kreyòl", "ht"), ("KREYOL", "ht"), ("ht", "ht"), ("Haitian Creole", "ht"),
        ("ar-EG", "ar"), ("Arabic", "ar"), ("العربية", "ar"),
        ("Tiếng Việt", "vi"), ("TIẾNG VIỆT", "vi"), ("vi-VN", "vi"), ("Vietnamese", "vi"),
        ("한국어", "ko"), ("ko-KR", "ko"), ("Korean", "ko"),
        ("Русский", "ru"), ("ru-RU", "ru"), ("Russian", "ru"),
        ("en-US", "en"), ("English", "en"),
        ("vi;q=0.9, en;q=0.8", "vi"), ("fr-CA, es;q=0.5", "es"),
        ("fr", "en"), ("Klingon", "en"), ("", "en"), (None, "en"), ("  ", "en"),
    ],
)
def test_negotiate_maps_any_reasonable_form(preference: str | None, expected: str) -> None:
    assert i18n.negotiate(preference) == expected


def test_babel_negotiate_misses_scripts_and_ours_does_not() -> None:
    # The trap: Locale.negotiate gives nothing for zh_TW against script-tagged catalogs.
    assert Locale.negotiate(["zh_TW"], ["zh_Hans", "zh_Hant"]) is None
    assert Locale.negotiate(["zh_CN"], ["zh_Hans", "zh_Hant"]) is None
    assert i18n.negotiate("zh_TW") == "zh_Hant"
    assert i18n.negotiate("zh_CN") == "zh_Hans"


def test_every_language_menu_name_switches_to_its_catalog() -> None:
    from bot.core.messages import LANGUAGE_MENU

    names = LANGUAGE_MENU.split(":", 1)[1].split(",")
    got = {i18n.negotiate(name) for name in names}
    assert got == set(i18n.SHIPPED_LOCALES)  # 简体中文 and 繁體中文 both offered


@pytest.mark.parametrize("locale", i18n.SHIPPED_LOCALES)
def test_every_chain_starts_with_the_locale_and_ends_in_english(locale: str) -> None:
    chain = i18n.fallback_chain(locale)
    assert chain[0] == locale
    assert chain[-1] == "en"
    assert len(set(chain)) == len(chain)


def test_documented_chains() -> None:
    assert i18n.fallback_chain("zh_Hant") == ("zh_Hant", "zh_Hans", "en")
    assert i18n.fallback_chain("ht") == ("ht", "en")
    assert i18n.fallback_chain("es-MX") == ("es", "en")
    assert i18n.fallback_chain("en") == ("en",)
