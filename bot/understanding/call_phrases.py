"""What people say on a phone call that they would not write in a text, in every voiced language.

A text message has carrier keywords (STOP, HELP) and the safety lexicons read them; a caller
speaks in sentences ("please don't call me again", "不要再打了") and asks things only a call
needs ("can you repeat that?", "let me talk to a person", "you have the wrong number"). These
lists are read by `bot.understanding.call_intents`, only for what a caller said or keyed.

Two kinds of entry per category and locale:

- ``within``: a phrase that means the intent wherever it appears in the answer ("stop calling"
  in "please stop calling me"). Matched on word boundaries, or as a substring in languages
  written without spaces (Chinese) or with particles glued to the word (Korean, Arabic).
- ``whole``: a word that means the intent only as the whole answer ("what?", "stop").

Entries are written naturally (accents, capitals, apostrophes) and normalised at load time
with the same `normalize` the speech recogniser's text goes through.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from bot.understanding.lexicon.normalize import normalize

#: Categories a caller's words are sorted into (see `bot.understanding.call_intents`).
STOP_CALLS, WRONG_NUMBER, PERSON, REPEAT, UNCLEAR_STOP, AFFIRM = (
    "stop_calls", "wrong_number", "person", "repeat", "unclear_stop", "affirm")

#: Locales matched as substrings: no spaces between words, or particles glued to them.
SUBSTRING_LOCALES = frozenset({"zh_Hans", "zh_Hant", "ko", "ar"})

_WITHIN: dict[str, dict[str, tuple[str, ...]]] = {
    STOP_CALLS: {
        "en": ("stop calling", "don't call", "do not call", "no more calls", "quit calling",
               "take me off", "remove me", "remove my number", "never call", "stop these calls",
               "stop the calls", "unsubscribe", "opt out", "don't want these calls",
               "don't want any more calls", "stop phoning"),
        "es": ("ya no me llamen", "no me llamen", "no me llame", "no me vuelvan a llamar",
               "dejen de llamar", "deje de llamar", "no quiero mas llamadas", "no llamen mas",
               "quitenme de la lista", "borren mi numero", "ya no me llame"),
        "zh_Hans": ("不要再打", "别再打", "别打了", "别给我打电话", "不要给我打电话", "不要打电话",
                    "别打电话", "不要再来电", "别再来电", "不想再接", "不要再打电话",
                    "别再给我打", "不要再给我打", "别再打电话", "再也不要打"),
        "zh_Hant": ("不要再打", "別再打", "別打了", "別給我打電話", "不要給我打電話", "不要打電話",
                    "別打電話", "唔好再打", "唔好打嚟", "唔好再打嚟", "不要再來電",
                    "別再給我打", "不要再給我打", "別再打電話", "再也不要打"),
        "vi": ("đừng gọi", "ngừng gọi", "không gọi nữa", "thôi gọi", "không muốn nhận cuộc gọi",
               "đừng gọi cho tôi nữa"),
        "ko": ("전화하지 마", "전화하지마", "전화 하지 마", "그만 전화", "전화 그만", "전화하지 말",
               "다시 전화하지", "연락하지 마", "전화 안 받"),
        "tl": ("huwag na kayong tumawag", "wag na kayong tumawag", "huwag nang tumawag",
               "wag nang tumawag", "tigilan ang pagtawag", "tumigil sa pagtawag",
               "huwag mo akong tawagan", "wag nyo na akong tawagan", "huwag ninyo akong tawagan",
               "ayaw ko na ng tawag"),
        "ru": ("больше не звоните", "не звоните", "перестаньте звонить", "хватит звонить",
               "не надо звонить", "удалите мой номер", "прекратите звонить"),
        "ar": ("لا تتصلوا", "لا تتصل بي", "توقفوا عن الاتصال", "لا اريد مكالمات", "ما تتصلوا",
               "بطلوا تتصلوا", "كفى اتصال", "توقف عن الاتصال"),
        "pt_BR": ("não me ligue", "não me liguem", "parem de ligar", "pare de ligar",
                  "não quero mais ligações", "não ligue mais", "não liguem mais",
                  "me tire da lista", "tirem meu número"),
    },
    WRONG_NUMBER: {
        "en": ("wrong number", "not me", "wrong person", "no one here by that name",
               "nobody here by that name", "nobody by that name", "doesn't live here",
               "does not live here", "don't know who that is", "don't know anyone named"),
        "es": ("número equivocado", "numero incorrecto", "se equivocó de número",
               "persona equivocada", "no soy yo", "aquí no vive", "no conozco a nadie"),
        "zh_Hans": ("打错了", "打错电话", "号码错了", "错号", "不是我", "没有这个人"),
        "zh_Hant": ("打錯了", "打錯電話", "號碼錯了", "錯號", "不是我", "沒有這個人", "唔係我",
                    "冇呢個人", "打錯"),
        "vi": ("nhầm số", "sai số", "gọi nhầm", "không phải tôi", "không có ai tên"),
        "ko": ("잘못 거셨", "잘못 걸", "번호 잘못", "그런 사람 없", "저 아닌", "제가 아닌"),
        "tl": ("maling numero", "mali ang numero", "hindi ako yan", "hindi ako iyan",
               "walang ganyang pangalan", "walang ganoong tao"),
        "ru": ("не туда попали", "ошиблись номером", "неправильный номер", "это не я",
               "здесь такой нет", "здесь такого нет", "вы ошиблись"),
        "ar": ("رقم خطأ", "رقم غلط", "الرقم غلط", "الرقم خطأ", "ليس انا", "مش انا",
               "لا يوجد احد بهذا الاسم"),
        "pt_BR": ("número errado", "ligou errado", "ligação errada", "não sou eu",
                  "não mora aqui", "pessoa errada", "foi engano"),
    },
    PERSON: {
        "en": ("operator", "representative", "a person", "real person", "live person",
               "talk to someone", "speak to someone", "speak with someone", "a human",
               "an agent"),
        "es": ("operador", "operadora", "una persona", "hablar con alguien", "representante",
               "un agente"),
        "zh_Hans": ("人工", "接线员", "真人", "找人说话", "跟人说话", "和人说话"),
        "zh_Hant": ("人工", "接線員", "真人", "同人講", "跟人說話", "和人說話"),
        "vi": ("tổng đài viên", "nói chuyện với người", "gặp người thật", "gặp nhân viên"),
        "ko": ("상담원", "교환원", "사람과 통화", "사람하고 통화", "직원과 통화", "직원 바꿔"),
        "tl": ("operator", "makausap ang tao", "kausapin ang tao", "totoong tao", "kinatawan"),
        "ru": ("оператор", "живой человек", "с человеком", "соедините с", "представитель"),
        "ar": ("موظف", "عامل الهاتف", "شخص حقيقي", "مع شخص", "خدمة العملاء"),
        "pt_BR": ("atendente", "operador", "uma pessoa", "falar com alguém", "representante"),
    },
    REPEAT: {
        "en": ("repeat", "say that again", "say it again", "come again", "what did you say",
               "didn't hear", "didn't catch", "one more time", "again please"),
        "es": ("repita", "repetir", "otra vez", "de nuevo", "cómo dijo", "qué dijo",
               "no escuché"),
        "zh_Hans": ("再说一遍", "再说一次", "重复", "没听清", "没听到"),
        "zh_Hant": ("再說一遍", "再講一次", "重複", "沒聽清", "冇聽清", "沒聽到"),
        "vi": ("nhắc lại", "lặp lại", "nói lại", "không nghe rõ"),
        "ko": ("다시 말씀", "다시 한번", "반복", "못 들었", "뭐라고"),
        "tl": ("ulitin", "pakiulit", "ano ulit", "hindi ko narinig"),
        "ru": ("повторите", "повторить", "ещё раз", "не расслышал", "что вы сказали"),
        "ar": ("اعد", "كرر", "لم اسمع", "ماذا قلت"),
        "pt_BR": ("repete", "repita", "de novo", "outra vez", "não ouvi"),
    },
}

_WHOLE: dict[str, dict[str, tuple[str, ...]]] = {
    REPEAT: {
        "en": ("what", "pardon", "sorry", "huh", "again"),
        "es": ("qué", "cómo", "mande", "perdón"),
        "zh_Hans": ("什么", "啊", "再来"), "zh_Hant": ("什麼", "乜嘢", "咩話"),
        "vi": ("gì", "sao"), "ko": ("네에", "뭐"), "tl": ("ano", "ha"),
        "ru": ("что", "как", "простите"), "ar": ("ماذا", "نعم؟"),
        "pt_BR": ("o quê", "como", "quê"),
    },
    # One word that might mean "stop calling" or might answer the question ("cancel" at an
    # appointment question): asked back on a call instead of acted on.
    UNCLEAR_STOP: {
        "en": ("stop", "cancel", "end", "quit", "enough", "stop it"),
        "es": ("para", "pare", "basta", "alto", "cancelar", "ya"),
        "zh_Hans": ("停", "停止", "取消", "够了"), "zh_Hant": ("停", "停止", "取消", "夠了"),
        "vi": ("dừng", "thôi", "hủy"), "ko": ("그만", "중지", "취소"),
        "tl": ("tigil", "tama na", "hinto"), "ru": ("стоп", "хватит", "отмена", "всё"),
        "ar": ("توقف", "كفى", "الغاء"), "pt_BR": ("pare", "para", "chega", "cancelar"),
    },
    # What people say on the phone for "yes" that a text never says.
    AFFIRM: {
        "en": ("uh huh", "uh-huh", "mm hmm", "mhm", "yep", "yup", "speaking", "this is she",
               "this is he", "that's me", "it's me"),
        "es": ("ajá", "sí soy yo", "soy yo", "con ella", "con él"),
        "zh_Hans": ("嗯", "是我", "我就是"), "zh_Hant": ("嗯", "係我", "是我", "我就是"),
        "vi": ("ừ", "dạ", "tôi đây", "vâng tôi đây"), "ko": ("네 저예요", "접니다", "저예요"),
        "tl": ("ako nga", "ako ito", "opo ako"), "ru": ("ага", "угу", "это я", "слушаю"),
        "ar": ("ايوه", "نعم انا"), "pt_BR": ("aham", "sou eu", "é ele", "é ela"),
    },
}


#: Number words 0..10 by locale, for keypad questions answered by voice ("Two", "Dos", "二").
#: Vietnamese zero is left out: "không" is also "no".
_NUMBERS: dict[str, tuple[tuple[str, ...], ...]] = {
    "en": (("zero",), ("one",), ("two",), ("three",), ("four",), ("five",), ("six",),
           ("seven",), ("eight",), ("nine",), ("ten",)),
    "es": (("cero",), ("uno", "una"), ("dos",), ("tres",), ("cuatro",), ("cinco",), ("seis",),
           ("siete",), ("ocho",), ("nueve",), ("diez",)),
    "zh_Hans": (("零",), ("一",), ("二", "两"), ("三",), ("四",), ("五",), ("六",), ("七",),
                ("八",), ("九",), ("十",)),
    "zh_Hant": (("零",), ("一",), ("二", "兩"), ("三",), ("四",), ("五",), ("六",), ("七",),
                ("八",), ("九",), ("十",)),
    "vi": ((), ("một", "mốt"), ("hai",), ("ba",), ("bốn", "tư"), ("năm", "lăm"), ("sáu",),
           ("bảy",), ("tám",), ("chín",), ("mười",)),
    "ko": (("영", "공"), ("일", "하나", "한"), ("이", "둘", "두"), ("삼", "셋", "세"),
           ("사", "넷"), ("오", "다섯"), ("육", "여섯"), ("칠", "일곱"), ("팔", "여덟"),
           ("구", "아홉"), ("십", "열")),
    "tl": (("sero", "zero"), ("isa", "uno"), ("dalawa", "dos"), ("tatlo", "tres"),
           ("apat", "kuwatro", "kwatro"), ("lima", "singko"), ("anim", "sais"),
           ("pito", "siyete"), ("walo", "otso"), ("siyam", "nuwebe"), ("sampu", "diyes")),
    "ru": (("ноль", "нуль"), ("один", "одна", "раз"), ("два", "две"), ("три",), ("четыре",),
           ("пять",), ("шесть",), ("семь",), ("восемь",), ("девять",), ("десять",)),
    "ar": (("صفر",), ("واحد",), ("اثنان", "اثنين", "اتنين"), ("ثلاثة", "تلاتة"),
           ("أربعة",), ("خمسة",), ("ستة",), ("سبعة",), ("ثمانية", "تمانية"), ("تسعة",),
           ("عشرة",)),
    "pt_BR": (("zero",), ("um", "uma"), ("dois", "duas"), ("três",), ("quatro",), ("cinco",),
              ("seis", "meia"), ("sete",), ("oito",), ("nove",), ("dez",)),
}
#: Words around a spoken number that do not change it ("number two", "el dos", "二号", "2번").
NUMBER_FILLER = frozenset({
    "number", "option", "press", "pressing", "the", "choose", "i", "numero", "el", "la",
    "opcion", "o", "a", "opcao", "номер", "رقم", "so", "ang", "yung", "po",
})
NUMBER_AFFIXES = ("号", "號", "第", "번")


#: Words that join or lead into other words and so cannot end an answer, nor come twice in a
#: row, in what a person says: a transcript ending on one ("okay and") or stuttering one ("the
#: the") is the recogniser catching noise around a word, not an answer (`call_intents.garbled`).
#: Languages written without spaces have none here.
_DANGLING: dict[str, tuple[str, ...]] = {
    "en": ("the", "a", "an", "and", "or", "but", "to", "of", "with", "for", "from", "at"),
    "es": ("el", "la", "los", "las", "un", "una", "y", "de", "del", "con", "para", "pero",
           "que", "por"),
    "pt_BR": ("o", "os", "as", "um", "uma", "e", "ou", "de", "do", "da", "com", "para", "mas",
              "que", "por"),
    "vi": ("và", "hoặc", "nhưng", "của", "với", "cho", "những", "các"),
    "tl": ("ang", "ng", "at", "sa", "pero", "mga", "kung"),
    "ru": ("и", "или", "но", "в", "на", "с", "к", "по", "из", "для"),
    "ht": ("ak", "oswa", "men", "pou", "nan", "epi"),
}


@cache
def dangling(locale: str) -> frozenset[str]:
    """The normalised joining words of `locale` (see `_DANGLING`), empty when it has none."""
    return frozenset(w for w in (normalize(x) for x in _DANGLING.get(locale, ())) if w)


@cache
def number_words(locale: str) -> dict[str, int]:
    """Normalised number word -> value, for `locale`."""
    return {normalize(word): n for n, words in enumerate(_NUMBERS.get(locale, ()))
            for word in words if normalize(word)}


@dataclass(frozen=True)
class PhraseSet:
    """One category's phrases for one locale, normalised."""

    within: tuple[str, ...]
    whole: frozenset[str]
    substring: bool

    def matches(self, norm: str) -> str | None:
        """The phrase found in `norm` (an already normalised answer), or None."""
        if norm in self.whole:
            return norm
        if self.substring:
            squeezed = norm.replace(" ", "")
            return next((p for p in self.within if p.replace(" ", "") in squeezed), None)
        padded = f" {norm} "
        return next((p for p in self.within if f" {p} " in padded), None)


@cache
def phrases(category: str, locale: str) -> PhraseSet:
    """The normalised phrases of `category` in `locale` (empty when the locale has none)."""
    within = _WITHIN.get(category, {}).get(locale, ())
    whole = _WHOLE.get(category, {}).get(locale, ())
    return PhraseSet(tuple(dict.fromkeys(normalize(p) for p in within if normalize(p))),
                     frozenset(normalize(w) for w in whole if normalize(w)),
                     locale in SUBSTRING_LOCALES)


def locales() -> tuple[str, ...]:
    """Every locale with call phrases, in a stable order."""
    seen: dict[str, None] = {}
    for table in (_WITHIN, _WHOLE):
        for by_locale in table.values():
            seen.update(dict.fromkeys(by_locale))
    return tuple(seen)


def table(category: str) -> Mapping[str, tuple[str, ...]]:
    """The phrases of `category` as written (for documentation and tests)."""
    return {**_WHOLE.get(category, {}), **_WITHIN.get(category, {})}
