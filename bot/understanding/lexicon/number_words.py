"""Numbers written in words, up to the hundreds, in every shipped language.

A reading is often spoken ("one hundred eighty four over ninety six", "ciento ochenta y cuatro",
"một trăm tám mươi tư", "一百八十四", "백팔십사") and a call's recogniser writes it down as words.
The one-word answers ("two", "số hai") live in each lexicon's `numbers`; this module adds the
words that *build* a number (tens, hundreds, joiners) and composes them. No library reads
numbers in Vietnamese, Chinese, Korean, Arabic, Haitian Creole and Tagalog together, so the
tables are here, one small block per language.

Tokens have a role: a unit (0-19), a ten (20, 30 ... 90), a hundred value ("doscientos" 200),
a multiplier (x10 "mươi"/"十"/"십", x100 "hundred"/"trăm"/"百"/"백"), a joiner ("and", "y",
"و") or a decimal point. `spell_out` turns every run of number words into digits and leaves
every other word alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.understanding import lexicon
from bot.understanding.lexicon.normalize import normalize

UNIT, TEN, HUNDREDS, TIMES10, TIMES100, JOIN, POINT = "unit", "ten", "hundreds", "x10", "x100", "join", "point"


def _words(text: str, role: str, start: int = 0, step: int = 1) -> dict[str, tuple[str, int]]:
    return {w: (role, start + i * step) for i, w in enumerate(text.split()) if w != "-"}


_TABLES: dict[str, dict[str, tuple[str, int]]] = {
    "en": {
        **_words("zero one two three four five six seven eight nine ten eleven twelve thirteen "
                 "fourteen fifteen sixteen seventeen eighteen nineteen", UNIT),
        **_words("twenty thirty forty fifty sixty seventy eighty ninety", TEN, 20, 10),
        "oh": (UNIT, 0), "fourty": (TEN, 40), "hundred": (TIMES100, 100), "and": (JOIN, 0),
        "point": (POINT, 0), "dot": (POINT, 0),
    },
    "es": {
        **_words("cero uno dos tres cuatro cinco seis siete ocho nueve diez once doce trece "
                 "catorce quince dieciseis diecisiete dieciocho diecinueve", UNIT),
        **_words("veinte treinta cuarenta cincuenta sesenta setenta ochenta noventa", TEN, 20, 10),
        **_words("veintiuno veintidos veintitres veinticuatro veinticinco veintiseis veintisiete "
                 "veintiocho veintinueve", TEN, 21),
        **_words("cien doscientos trescientos cuatrocientos quinientos seiscientos setecientos "
                 "ochocientos novecientos", HUNDREDS, 100, 100),
        "un": (UNIT, 1), "una": (UNIT, 1), "ciento": (HUNDREDS, 100), "y": (JOIN, 0),
        "punto": (POINT, 0), "coma": (POINT, 0),
    },
    "pt_BR": {
        **_words("zero um dois tres quatro cinco seis sete oito nove dez onze doze treze "
                 "catorze quinze dezesseis dezessete dezoito dezenove", UNIT),
        **_words("vinte trinta quarenta cinquenta sessenta setenta oitenta noventa", TEN, 20, 10),
        **_words("cem duzentos trezentos quatrocentos quinhentos seiscentos setecentos "
                 "oitocentos novecentos", HUNDREDS, 100, 100),
        "uma": (UNIT, 1), "duas": (UNIT, 2), "quatorze": (UNIT, 14), "cento": (HUNDREDS, 100),
        "e": (JOIN, 0), "virgula": (POINT, 0), "ponto": (POINT, 0),
    },
    "ru": {
        **_words("ноль один два три четыре пять шесть семь восемь девять десять одиннадцать "
                 "двенадцать тринадцать четырнадцать пятнадцать шестнадцать семнадцать "
                 "восемнадцать девятнадцать", UNIT),
        **_words("двадцать тридцать сорок пятьдесят шестьдесят семьдесят восемьдесят девяносто",
                 TEN, 20, 10),
        **_words("сто двести триста четыреста пятьсот шестьсот семьсот восемьсот девятьсот",
                 HUNDREDS, 100, 100),
        "одна": (UNIT, 1), "две": (UNIT, 2), "и": (JOIN, 0), "запятая": (POINT, 0),
        "точка": (POINT, 0), "целых": (POINT, 0),
    },
    "vi": {
        **_words("khong mot hai ba bon nam sau bay tam chin", UNIT),
        "muoi": (TIMES10, 10), "tram": (TIMES100, 100), "mot": (UNIT, 1), "mốt": (UNIT, 1),
        "tu": (UNIT, 4), "lam": (UNIT, 5), "linh": (JOIN, 0), "le": (JOIN, 0), "phay": (POINT, 0),
        "cham": (POINT, 0),
    },
    "ar": {
        **_words("صفر واحد اثنان ثلاثه اربعه خمسه سته سبعه ثمانيه تسعه عشره", UNIT),
        **_words("عشرون ثلاثون اربعون خمسون ستون سبعون ثمانون تسعون", TEN, 20, 10),
        **_words("عشرين ثلاثين اربعين خمسين ستين سبعين ثمانين تسعين", TEN, 20, 10),
        "اثنين": (UNIT, 2), "ثلاث": (UNIT, 3), "اربع": (UNIT, 4), "خمس": (UNIT, 5),
        "ست": (UNIT, 6), "سبع": (UNIT, 7), "ثماني": (UNIT, 8), "ثمان": (UNIT, 8), "تسع": (UNIT, 9),
        "عشر": (UNIT, 10), "مائه": (HUNDREDS, 100), "ميه": (HUNDREDS, 100), "مئه": (HUNDREDS, 100),
        "مئتان": (HUNDREDS, 200), "مائتان": (HUNDREDS, 200), "مئتين": (HUNDREDS, 200),
        "مائتين": (HUNDREDS, 200), "ميتين": (HUNDREDS, 200), "و": (JOIN, 0), "فاصله": (POINT, 0),
    },
    "ht": {
        **_words("zewo en de twa kat senk sis set uit nef dis onz douz trez katoz kenz sez "
                 "diset dizuit diznef", UNIT),
        **_words("ven trant karant senkant swasant", TEN, 20, 10),
        "youn": (UNIT, 1), "swasanndis": (TEN, 70), "katreven": (TEN, 80),
        "katrevendis": (TEN, 90), "san": (TIMES100, 100), "desan": (HUNDREDS, 200),
        "twasan": (HUNDREDS, 300), "e": (JOIN, 0), "vigil": (POINT, 0), "pwen": (POINT, 0),
    },
    "tl": {
        **_words("isa dalawa tatlo apat lima anim pito walo siyam sampu", UNIT, 1),
        **_words("dalawampu tatlumpu apatnapu limampu animnapu pitumpu walumpu siyamnapu",
                 TEN, 20, 10),
        "wala": (UNIT, 0), "daan": (TIMES100, 100), "raan": (TIMES100, 100), "at": (JOIN, 0),
        "punto": (POINT, 0),
    },
}
#: Chinese and Korean numerals are characters inside a word; x10 and x100 compose them.
_HAN = {"零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5,
        "六": 6, "七": 7, "八": 8, "九": 9}
_HANGUL = {"영": 0, "공": 0, "일": 1, "이": 2, "삼": 3, "사": 4, "오": 5, "육": 6, "칠": 7,
           "팔": 8, "구": 9}
_CHAR_ROLES: dict[str, tuple[str, int]] = {
    **{c: (UNIT, v) for c, v in {**_HAN, **_HANGUL}.items()},
    "十": (TIMES10, 10), "拾": (TIMES10, 10), "십": (TIMES10, 10),
    "百": (TIMES100, 100), "佰": (TIMES100, 100), "백": (TIMES100, 100),
    "点": (POINT, 0), "點": (POINT, 0), "점": (POINT, 0),
}
#: Tagalog links words with a glued "ng" or "'t" ("isang daan", "walumpu't apat").
_TL_LINKERS = ("ng", "t")
#: "the bottom one", "that one": English "one" after these words is not a number.
_ONE_AS_WORD = frozenset({"bottom", "top", "the", "this", "that", "last", "first", "other", "lower",
                          "upper", "second", "every", "no", "which", "any", "each", "little", "big"})
_TOKEN = re.compile(r"\d+(?:[.,]\d+)?|[^\W\d_]+|\S", re.UNICODE)


@dataclass
class _Number:
    value: float = 0
    last: str | None = None
    decimals: str | None = None
    joined: bool = False  # a joiner ("and", "y", "و") came right before the next word

    def take(self, role: str, value: int) -> bool:
        """Add one word; False when it cannot continue this number (it starts the next)."""
        joined, self.joined = self.joined, False
        if self.decimals is not None:
            if role != UNIT or value > 9:
                return False
            self.decimals += str(value)
            return True
        if role == POINT:
            self.decimals = ""
            return True
        if role == UNIT and value == 0 and self.last == TIMES100:
            return True  # "一百零五", "ciento cero cinco": a zero that holds a place
        if role == UNIT:
            if self.last == UNIT or (self.last in (TEN, TIMES10) and value >= 10) \
                    or (self.value % 100 >= 10 and self.last not in (TEN, TIMES10)):
                return False
            self.value += value
        elif role == TEN:
            if self.last == UNIT and 1 <= self.value <= 9 and not joined:  # "one eighty four"
                self.value = self.value * 100
            elif self.last == UNIT and joined and self.value % 100 < 10:
                pass  # Arabic: units before tens ("أربعة وثمانون" 84)
            elif self.value % 100:
                return False
            self.value += value
        elif role == HUNDREDS:
            if self.value:
                return False
            self.value += value
        elif role == TIMES10:
            if self.last == TIMES10 or self.value % 100 >= 10:
                return False
            ones = self.value % 10 if self.last == UNIT else 0
            self.value += ones * 9 if ones else 10
        elif role == TIMES100:
            if self.value >= 100:
                return False
            self.value = (self.value or 1) * 100
        self.last = role
        return True

    def text(self) -> str:
        if self.decimals:
            return f"{int(self.value)}.{self.decimals}"
        return str(int(self.value))


@lru_cache(maxsize=32)
def table(locale: str) -> dict[str, tuple[str, int]]:
    """The number words of `locale`, then English (patients mix), keyed by normalized word."""
    out: dict[str, tuple[str, int]] = {}
    for code in dict.fromkeys((lexicon.canonical(locale), lexicon.FALLBACK)):
        for lex in lexicon.chain(code):
            for word, value in lex.numbers.items():
                if value <= 19 and " " not in word:
                    out.setdefault(word, (UNIT, value))
        for word, role in _TABLES.get(code, {}).items():
            out[normalize(word)] = role
    return out


def _roles(token: str, words: dict[str, tuple[str, int]], locale: str) -> list[tuple[str, int]] | None:
    """One token as number roles: a word, a Tagalog word with its linker, or numeral characters."""
    if token in words:
        return [words[token]]
    if lexicon.canonical(locale) == "ar" and token.startswith("و") and token[1:] in words:
        return [(JOIN, 0), words[token[1:]]]
    if lexicon.canonical(locale) == "tl":
        for linker in _TL_LINKERS:
            if token.endswith(linker) and token[: -len(linker)] in words:
                return [words[token[: -len(linker)]]]
    if all(ch in _CHAR_ROLES for ch in token):
        if any("\uac00" <= ch <= "\ud7a3" for ch in token) and not any(ch in "십백" for ch in token):
            return None  # lone Korean syllables are ordinary words ("이" is a particle)
        return [_CHAR_ROLES[ch] for ch in token]
    return None


_NUMERAL_RUN = re.compile(f"[{''.join(_CHAR_ROLES)}]+|[^{''.join(_CHAR_ROLES)}]+")


def _split_chars(token: str) -> list[str]:
    """Cut a Chinese or Korean word into numeral runs and the rest ("血压一百八十" -> 血压,
    一百八十). A Korean run counts only with 십 or 백 in it: lone syllables are words ("이")."""
    if token.isascii():
        return [token]
    parts = [m.group(0) for m in _NUMERAL_RUN.finditer(token)]
    if len(parts) == 1:
        return parts
    out: list[str] = []
    numeral_before = False
    for part in parts:
        numeral = part[0] in _CHAR_ROLES and not (_korean(part) and not any(ch in "십백" for ch in part))
        if out and not numeral and not numeral_before:
            out[-1] += part
        else:
            out.append(part)
        numeral_before = numeral
    return out


def _korean(text: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" for ch in text)


def spell_out(text: str, locale: str) -> str:
    """`text` with every number written in words replaced by its digits; digits, punctuation
    ("/", "-", "*", ".") and other words are kept, separated by single spaces."""
    words = table(locale)
    out: list[str] = []
    current: _Number | None = None
    pending: str | None = None  # a joiner after a number, kept if no number word follows

    def flush() -> None:
        nonlocal current, pending
        if current is not None and current.last is not None:
            out.append(current.text())
        if pending is not None:
            out.append(pending)
        current, pending = None, None

    for apostrophe in "'\u2019\u2018\u02bc":
        text = text.replace(apostrophe, "")
    for raw in _TOKEN.findall(text):
        for piece in _split_chars(raw):
            token = piece if piece[0].isdigit() else normalize(piece)
            roles = _roles(token, words, locale) if token and not token[0].isdigit() else None
            if token == "one" and current is None and out and out[-1] in _ONE_AS_WORD:
                roles = None
            if roles is None:
                flush()
                out.append(token or piece)
                continue
            for role, value in roles:
                if role == JOIN:
                    if current is None:
                        out.append(token)
                    else:
                        current.joined, pending = True, token
                    continue
                pending = None
                if current is None or not current.take(role, value):
                    flush()
                    current = _Number()
                    if not current.take(role, value) or role == POINT:
                        current = None
                        out.append(token)
    flush()
    return " ".join(out)
