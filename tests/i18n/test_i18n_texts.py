"""Texts a medical translator would send back: the 988 line by its prevention name, texting it
only where that exists, the same severity as the English, dates and lists that read right, and
no character that needlessly makes an SMS cost more."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest
from babel.messages.catalog import Catalog

from bot import i18n
from bot.core.call_messages import CRISIS_NOT_CONNECTED
from bot.core.messages import CRISIS_REPLY, LANGUAGE_MENU
from bot.i18n.gate import check_catalog, read_catalog
from bot.i18n.sms_segments import segments

#: How each language names the 988 line: by what it prevents, never "the suicide line".
LINE_NAMES = {
    "en": "Suicide & Crisis Lifeline", "es": "988 Línea de Prevención del Suicidio y Crisis",
    "zh_Hans": "988预防自杀与危机求助热线", "zh_Hant": "988預防自殺與危機求助熱線",
    "vi": "988 Phòng chống Tự tử và Khủng hoảng", "ko": "자살 예방 및 위기 상담 전화",
    "tl": "pag-iwas sa pagpapakamatay", "ru": "по предотвращению самоубийств",
    "ar": "للوقاية من الانتحار", "ht": "Prevansyon Swisid", "pt_BR": "Prevenção do Suicídio",
}
LINE_NAMES_SPOKEN = {**LINE_NAMES, "en": "Suicide and Crisis Lifeline",
                     "ko": "자살 예방 및 위기 상담 전화", "pt_BR": "Prevenção do Suicídio"}
#: How each language would offer a text message: 988 takes texts in English and Spanish only.
TEXTING = {
    "en": "text", "es": "texto", "zh_Hans": "短信", "zh_Hant": "簡訊", "vi": "nhắn tin",
    "ko": "문자", "tl": "text", "ru": "напишите", "ar": "رسالة", "ht": "tèks", "pt_BR": "mensagem",
}
TEXT_988 = {"en", "es"}
#: Where texting is not offered, the call is: with an interpreter in the patient's language.
INTERPRETER = {
    "zh_Hans": "中文翻译", "zh_Hant": "中文翻譯", "vi": "thông dịch viên tiếng Việt",
    "ko": "한국어 통역", "tl": "interpreter sa Tagalog", "ru": "переводчика с русского",
    "ar": "مترجمًا للغة العربية", "ht": "entèprèt kreyòl", "pt_BR": "intérprete de português",
}


def test_the_tables_cover_every_language() -> None:
    assert set(LINE_NAMES) == set(TEXTING) == set(i18n.SHIPPED_LOCALES)
    assert set(INTERPRETER) == set(i18n.SHIPPED_LOCALES) - TEXT_988


@pytest.mark.parametrize("locale", i18n.SHIPPED_LOCALES)
def test_988_is_named_for_prevention_and_texting_offered_only_where_it_exists(locale: str) -> None:
    for msgid, name in ((CRISIS_REPLY, LINE_NAMES[locale]),
                        (CRISIS_NOT_CONNECTED, LINE_NAMES_SPOKEN[locale])):
        text = i18n.gettext(msgid, locale)
        assert name in text, (locale, text)
        assert (TEXTING[locale] in text) == (locale in TEXT_988), (locale, text)
        if locale not in TEXT_988:
            assert INTERPRETER[locale] in text, (locale, text)


@pytest.mark.parametrize(("locale", "words", "not_words"), [
    ("vi", "rất không khỏe", "rất mệt"),
    ("ar", "مريض جدًا", "تعب شديد"),
    ("tl", "masamang-masama", "Kung masama ang"),
])
def test_very_sick_stays_very_sick(locale: str, words: str, not_words: str) -> None:
    text = i18n.gettext("Thank you. A pharmacist will contact you soon. If you feel very sick, "
                        "call 911.", locale)
    assert words in text and not_words not in text


MISSED = ("Hi {first_name}, we missed you at your visit on {missed_date:date}. Would you like a "
          "new time? Reply 1 for yes, 2 if you want us to call you, or 3 if you are not interested.")


@pytest.mark.parametrize(("locale", "missed"), [("zh_Hans", "您错过了"), ("zh_Hant", "您錯過了")])
def test_the_chinese_missed_visit_says_the_patient_missed_it(locale: str, missed: str) -> None:
    text = i18n.gettext(MISSED, locale)
    assert missed in text and "没有来" not in text and "沒有來" not in text


def test_traditional_chinese_keeps_to_one_set_of_terms() -> None:
    catalog = read_catalog(i18n.catalog_paths("zh_Hant")[0], "zh_Hant")
    texts = " ".join(str(m.string) for m in catalog if m.id and m.context is None)
    for term in ("醫護團隊", "數據費用", "給您回電", "給您打電話", "短訊", "的士"):
        assert term not in texts, term


def test_the_language_menu_offers_both_chinese_scripts() -> None:
    for locale in i18n.SHIPPED_LOCALES:
        text = i18n.gettext(LANGUAGE_MENU, locale)
        assert "简体中文" in text and "繁體中文" in text, locale


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant", "ko"])
def test_symptom_questions_ask_for_1_or_2(locale: str) -> None:
    text = i18n.gettext("Thank you. Do you have any new symptoms or health problems? Reply YES "
                        "or NO.", locale)
    assert "1" in text and "2" in text


NOW = datetime(2026, 3, 2, 15, 0, tzinfo=timezone.utc)


def test_a_russian_date_at_the_end_of_a_sentence_has_one_period() -> None:
    text = i18n.render(MISSED, {"first_name": "Ana", "missed_date": date(2026, 11, 20)}, "ru",
                       "America/New_York", now=NOW)
    assert "20 ноября 2026 г. Хотите" in text and ".." not in text


OFFER = ("These times are open: 1) {slots_1:datetime} 2) {slots_2:datetime} 3) {slots_3:datetime}. "
         "Reply 1, 2 or 3 to pick one, or 4 if none of these work.")
SLOTS = {"slots_1": datetime(2026, 3, 5, 14, 0, tzinfo=timezone.utc),
         "slots_2": datetime(2026, 3, 6, 15, 30, tzinfo=timezone.utc),
         "slots_3": datetime(2026, 3, 9, 13, 0, tzinfo=timezone.utc)}


@pytest.mark.parametrize("locale", ["vi", "ar", "ru"])
def test_slot_lists_keep_each_time_apart(locale: str) -> None:
    text = i18n.render(OFFER, SLOTS, locale, "America/New_York", now=NOW)
    # A year, then the next number: "2026 2)" reads as one number run together.
    assert not re.search(r"\d \d\)", text), text
    assert re.search(r"[;؛] 2\)", text) and re.search(r"[;؛] 3\)", text), text


REFILL_ASK = ("Hi {first_name}, this is your care team. Your refill is due on {due_date:date}. Will "
              "you pick it up? Reply YES or 1 if you will, NO or 2 if something is in the way.")


@pytest.mark.parametrize(("msgid", "most"), [(REFILL_ASK, 2), (CRISIS_REPLY, 2)])
def test_haitian_texts_stay_gsm_7(msgid: str, most: int) -> None:
    text = i18n.render(msgid, {"first_name": "Ana", "due_date": date(2026, 3, 5)}, "ht",
                       "America/New_York", now=NOW)
    encoding, count = segments(text)
    assert encoding == "GSM-7" and count <= most, (encoding, count, text)


def test_the_gate_refuses_a_capital_e_grave_in_haitian_only() -> None:
    def problems(locale: str) -> list[str]:
        catalog = Catalog(locale=locale)
        catalog.add("Do you need help?", "Èske ou bezwen èd?")
        return [p.kind for p in check_catalog(catalog, locale)]

    assert problems("ht") == ["non_gsm"]
    assert problems("ru") == []
