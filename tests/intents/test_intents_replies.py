"""Yes/no/help/number/choice understanding in every shipped locale (table-driven)."""

from __future__ import annotations

import pytest

from bot.understanding.intents import (
    BUILTIN_INTENTS,
    Match,
    UnknownIntent,
    match,
    match_keywords,
    normalize,
)
from bot.understanding.lexicon import LOCALES

YES = {
    "en": ["yes", "Yes!!", "YES", "yep", "y", "ok sure", "👍", "yesss", "Sure thing", "no problem",
           "yes I will", "Hi, yes", "✅", "ok", "Of course", "Sounds good"],
    "es": ["sí", "si", "Sí, claro", "claro que sí", "ok", "está bien", "sin problema", "👍", "dale",
           "yes"],
    "zh_Hans": ["是", "是的", "好", "好的", "对", "可以", "没问题", "嗯", "好的，谢谢", "yes"],
    "zh_Hant": ["是", "是的", "好", "對", "可以", "沒問題", "係", "ok"],
    "vi": ["có", "co", "vâng", "dạ", "Dạ vâng", "ừ", "ok", "được", "đúng rồi", "không sao"],
    "ko": ["네", "예", "넵", "응", "네 알겠습니다", "좋아요", "그래요", "맞아요", "yes"],
    "tl": ["oo", "opo", "Oo po", "sige", "sige po", "tama", "ok", "oo naman", "yes"],
    "ru": ["да", "Да!", "ага", "угу", "хорошо", "конечно", "ок", "без проблем", "yes"],
    "ar": ["نعم", "أجل", "نَعَم", "ايوه", "تمام", "طيب", "لا مشكلة", "yes"],
    "ht": ["wi", "Wi!", "dakò", "oke", "pa gen pwoblèm", "wi mèsi", "yes"],
    "pt_BR": ["sim", "Sim!", "claro", "tá bom", "beleza", "com certeza", "ok", "sem problema", "yes"],
}
NO = {
    "en": ["no", "No.", "nope", "nah", "n", "👎", "noooo", "not yet", "No thanks", "I can't",
           "I won't", "never", "I am not", "❌"],
    "es": ["no", "No gracias", "nunca", "no puedo", "todavía no", "👎", "nel"],
    "zh_Hans": ["不", "不是", "不要", "不行", "没有", "不用了", "不可能", "不好"],
    "zh_Hant": ["不", "不是", "沒有", "不要", "唔要", "冇"],
    "vi": ["không", "khong", "ko", "k", "chưa", "không được", "dạ không"],
    "ko": ["아니요", "아니오", "아뇨", "아니에요", "싫어요", "안 돼요", "못 가요", "아직이요"],
    "tl": ["hindi", "hindi po", "di", "ayoko", "wala", "huwag", "hindi pa"],
    "ru": ["нет", "Нет.", "неа", "не могу", "никогда", "пока нет", "не буду"],
    "ar": ["لا", "لأ", "كلا", "لا شكرا", "مش", "مستحيل", "لا أستطيع"],
    "ht": ["non", "Non mèsi", "pa", "m pa kapab", "poko", "m pa vle"],
    "pt_BR": ["não", "nao", "Não obrigado", "nunca", "não posso", "ainda não", "👎"],
}
NEITHER = {
    "en": ["I don't know", "idk", "not sure", "maybe", "what?", "who is this", "I dont remember",
           "I have a question about the bill", ""],
    "es": ["no sé", "no lo sé", "tal vez", "no estoy segura", "quizás"],
    "zh_Hans": ["不知道", "不确定", "也许", "可能吧", "什么"],
    "zh_Hant": ["不知道", "唔知", "不確定", "也許"],
    "vi": ["không biết", "ko biết", "có lẽ", "không nhớ"],
    "ko": ["모르겠어요", "잘 모르겠어요", "글쎄요", "아마도"],
    "tl": ["hindi ko alam", "ewan", "siguro", "baka"],
    "ru": ["не знаю", "не уверен", "может быть", "возможно"],
    "ar": ["لا أعرف", "مش عارف", "ربما", "يمكن", "إن شاء الله"],
    "ht": ["m pa konnen", "mwen pa konnen", "petèt", "pa sèten"],
    "pt_BR": ["não sei", "sei lá", "talvez", "não tenho certeza"],
}


def _cases(table: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(locale, text) for locale, texts in table.items() for text in texts]


def test_every_shipped_locale_has_cases() -> None:
    for table in (YES, NO, NEITHER):
        assert set(table) == set(LOCALES)


@pytest.mark.parametrize(("locale", "text"), _cases(YES))
def test_yes(locale: str, text: str) -> None:
    assert match("yes", text, locale) == Match("yes", True)
    assert match("no", text, locale) is None


@pytest.mark.parametrize(("locale", "text"), _cases(NO))
def test_no(locale: str, text: str) -> None:
    assert match("no", text, locale) == Match("no", False)
    assert match("yes", text, locale) is None


@pytest.mark.parametrize(("locale", "text"), _cases(NEITHER))
def test_neither_yes_nor_no(locale: str, text: str) -> None:
    assert match("yes", text, locale) is None
    assert match("no", text, locale) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Yes!!", "yes"), ("Sí 👍", "si yes"), ("DON'T", "dont"), ("yesss", "yes"),
     ("نَعَمـــ", "نعم"), ("２", "2"), ("٢", "2"), ("Tiếng Việt", "tieng viet"),
     ("  Ёлка\n", "елка"), ("中文！", "中文"), ("한국어?", "한국어"), ("#2", "#2"), ("# 2", "2"),
     ("ПОМОЩЬ", "помощь"), ("Kreyòl", "kreyol"), ("أنا", "انا")],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


@pytest.mark.parametrize(
    ("locale", "text"),
    [("en", "help"), ("en", "I need help"), ("es", "ayuda"), ("zh_Hans", "帮助"), ("vi", "giúp tôi"),
     ("ko", "도와주세요"), ("tl", "tulong"), ("ru", "помощь"), ("ar", "مساعدة"), ("ht", "èd"),
     ("pt_BR", "ajuda"), ("es", "help")],
)
def test_help(locale: str, text: str) -> None:
    assert match("help", text, locale) == Match("help")


def test_help_negative() -> None:
    assert match("help", "yes", "en") is None
    assert match("help", "sí", "es") is None


NUMBERS = [
    ("en", "2"), ("en", "#2"), ("en", "option 2"), ("en", "two"), ("en", "the second one"),
    ("en", "Number 2 please"), ("es", "dos"), ("es", "opción 2"), ("es", "la segunda"),
    ("zh_Hans", "二"), ("zh_Hans", "两"), ("zh_Hans", "第二个"), ("zh_Hant", "兩"),
    ("zh_Hans", "2号"), ("vi", "hai"), ("vi", "số 2"), ("ko", "둘"), ("ko", "이"),
    ("ko", "2번"), ("ko", "두 번째"), ("tl", "dalawa"), ("ru", "два"), ("ru", "второй"),
    ("ar", "اثنان"), ("ar", "٢"), ("ar", "اثنين"), ("ht", "de"), ("pt_BR", "dois"),
    ("pt_BR", "duas"), ("en", "２"),
]


@pytest.mark.parametrize(("locale", "text"), NUMBERS)
def test_number_two(locale: str, text: str) -> None:
    assert match("number", text, locale, params={"min": 1, "max": 5}) == Match("number", 2)


@pytest.mark.parametrize("text", ["1 or 2", "9", "3:30", "12/3", "none", "", "yes"])
def test_number_rejects(text: str) -> None:
    assert match("number", text, "en", params={"min": 1, "max": 5}) is None


OPTIONS = [
    {"value": "morning", "keywords": ["morning", "am", "mañana temprano", "上午"], "number": 1},
    {"value": "afternoon", "keywords": ["afternoon", "pm", "tarde", "下午"], "number": 2},
]


@pytest.mark.parametrize(
    ("locale", "text", "value"),
    [("en", "1", "morning"), ("en", "afternoon please", "afternoon"), ("en", "Aftrenoon", "afternoon"),
     ("es", "por la tarde", "afternoon"), ("es", "dos", "afternoon"), ("zh_Hans", "下午吧", "afternoon"),
     ("zh_Hans", "上午", "morning"), ("en", "option 2", "afternoon")],
)
def test_choice(locale: str, text: str, value: str) -> None:
    assert match("choice", text, locale, params={"options": OPTIONS}) == Match("choice", value)


@pytest.mark.parametrize("text", ["3", "evening", "morning or afternoon", ""])
def test_choice_rejects(text: str) -> None:
    assert match("choice", text, "en", params={"options": OPTIONS}) is None


def test_match_keywords_whole_words_only() -> None:
    assert match_keywords("I can pick it up", ["pick up", "pick it up"], "en")
    assert not match_keywords("pickup truck", ["pick"], "en")
    assert match_keywords("Farmácia", ["farmacia"], "pt_BR")
    assert match_keywords("我想要下午", ["下午"], "zh_Hans")
    assert not match_keywords("", ["x"], "en")


def test_unknown_intent_is_a_caller_error() -> None:
    assert "stop" not in BUILTIN_INTENTS
    with pytest.raises(UnknownIntent):
        match("stop", "stop", "en")


def test_dates_are_relative_to_the_patients_own_day() -> None:
    from datetime import date, datetime, timezone

    # 2026-03-11 06:30 UTC is still the evening of 2026-03-10 in Honolulu.
    now = datetime(2026, 3, 11, 6, 30, tzinfo=timezone.utc)
    assert match("date", "tomorrow", "en", now=now, timezone="Pacific/Honolulu") == Match(
        "date", date(2026, 3, 11))
    assert match("date", "bukas", "tl", now=now, timezone="Asia/Manila") == Match(
        "date", date(2026, 3, 12))


@pytest.mark.parametrize(
    ("locale", "text", "expected"),
    [("en", "tomorrow", "2026-03-11"), ("en", "today", "2026-03-10"),
     ("en", "Friday", "2026-03-13"), ("en", "tuesday", "2026-03-17"), ("en", "12/3", "2026-12-03"),
     ("en", "3/1", "2027-03-01"), ("en", "2026-04-01", "2026-04-01"), ("en", "next week", "2026-03-16"),
     ("en", "March 12", "2026-03-12"), ("en", "day after tomorrow", "2026-03-12"),
     ("en", "not today, tomorrow", "2026-03-11"), ("es", "mañana", "2026-03-11"),
     ("es", "pasado mañana", "2026-03-12"), ("es", "el viernes", "2026-03-13"),
     ("es", "12 de marzo", "2026-03-12"), ("es", "hoy en la mañana", "2026-03-10"),
     ("zh_Hans", "明天", "2026-03-11"), ("zh_Hans", "星期五", "2026-03-13"),
     ("zh_Hant", "週五", "2026-03-13"), ("zh_Hans", "3月12日", "2026-03-12"),
     ("zh_Hans", "后天", "2026-03-12"), ("ko", "내일", "2026-03-11"), ("ko", "금요일", "2026-03-13"),
     ("ko", "3월 12일", "2026-03-12"), ("vi", "ngày mai", "2026-03-11"), ("vi", "thứ sáu", "2026-03-13"),
     ("vi", "12 tháng 3", "2026-03-12"), ("tl", "bukas", "2026-03-11"), ("tl", "Biyernes", "2026-03-13"),
     ("tl", "sa susunod na linggo", "2026-03-16"), ("ru", "завтра", "2026-03-11"),
     ("ru", "в пятницу", "2026-03-13"), ("ar", "غداً", "2026-03-11"), ("ar", "الجمعة", "2026-03-13"),
     ("ht", "demen", "2026-03-11"), ("ht", "vandredi", "2026-03-13"), ("pt_BR", "amanhã", "2026-03-11"),
     ("pt_BR", "sexta", "2026-03-13")],
)
def test_dates(locale: str, text: str, expected: str) -> None:
    from datetime import date, datetime, timezone

    now = datetime(2026, 3, 10, 15, 0, tzinfo=timezone.utc)  # a Tuesday
    got = match("date", text, locale, now=now, timezone="America/New_York")
    assert got == Match("date", date.fromisoformat(expected))


@pytest.mark.parametrize("text", ["yes", "13/45", "whenever", ""])
def test_date_rejects(text: str) -> None:
    assert match("date", text, "en", timezone="America/New_York") is None
