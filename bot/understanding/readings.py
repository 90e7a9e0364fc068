"""Readings as patients send them: "184/96", "184 over 96", "7.2 mmol", "98.6F", "pain 7".

`hear(kind, text, locale)` reads one reply for one kind of reading and says what it holds: the
complete reading (saved as a mapping, so a task can say `{bp.systolic}/{bp.diastolic}`), a part
of it (only the missing part is asked for), a number outside what a person can have ("did you
mean 130?"), or nothing it can use. Every number in the reply is kept too, so that a reply
holding a dangerous number is never read as "not understood" (bot.understanding.reading_alerts).

Numbers written in words are spelled out first (bot.understanding.lexicon.number_words); a
call's keypad sends `184*96`, a recogniser "one eighty four over ninety six": both read here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from bot.understanding.lexicon.normalize import fold_digits
from bot.understanding.lexicon.number_words import spell_out


@dataclass(frozen=True)
class Part:
    """One number of a reading and the range a living person's value can take (in `unit`)."""

    name: str
    low: float
    high: float


@dataclass(frozen=True)
class Kind:
    name: str
    parts: tuple[Part, ...]
    #: Units a flow may choose (`unit:`); the first is the default. Values are saved in it.
    units: tuple[str, ...] = ()
    decimals: int = 0


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("blood_pressure", (Part("systolic", 60, 300), Part("diastolic", 30, 200)), ("mmHg",)),
    Kind("glucose", (Part("value", 20, 700),), ("mg/dL", "mmol/L")),
    Kind("weight", (Part("value", 50, 800),), ("lb", "kg"), decimals=1),
    Kind("temperature", (Part("value", 90, 110),), ("°F", "°C"), decimals=1),
    Kind("pulse", (Part("value", 25, 250),), ("bpm",)),
    Kind("oxygen", (Part("value", 50, 100),), ("%",)),
    Kind("pain", (Part("value", 0, 10),), ("/10",)),
)}
READING_KINDS = tuple(KINDS)

MMOL_TO_MGDL = 18.0
LB_PER_KG = 2.20462

_TIME = re.compile(r"\b\d{1,2}\s*[:h]\s*\d{2}\b|\b\d{1,2}\s*(?:am|pm|a\.m\.|p\.m\.)", re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
#: What may stand between the two numbers of a blood pressure: a slash, a dash, the keypad's
#: star, a space, or "over" in the patient's words.
_OVER = ("over", "sobre", "por", "con", "на", "tren", "trên", "比", "에", "على", "علي", "sou", "sa",
         "x", "and", "y", "e", "и", "va", "và")
_OVER_WORDS = "|".join(re.escape(w) for w in _OVER)
_NUM = r"(\d{1,4}(?:[.,]\d+)?)"
_PAIR = re.compile(rf"(?=(?<![\d.,]){_NUM}\s*(?:[/\\*\-–—:|]|\s)\s*(?:(?:{_OVER_WORDS})\s+)?{_NUM})",
                   re.IGNORECASE)
_SCALE = re.compile(r"\s*(?:/|out of|de|из|trên|sur|sa)\s*10\b", re.IGNORECASE)

_UNIT_WORDS: dict[str, tuple[str, ...]] = {
    "mmol/L": ("mmol", "ммоль", "毫摩尔"),
    "mg/dL": ("mg", "мг", "毫克"),
    "kg": ("kg", "kgs", "kilo", "kilos", "kilogram", "kilograms", "quilos", "кг", "公斤", "千克",
           "킬로", "킬로그램", "كيلو", "كجم", "ky", "kilo"),
    "lb": ("lb", "lbs", "pound", "pounds", "libras", "libra", "фунт", "фунтов", "磅", "파운드",
           "رطل", "liv"),
    "°C": ("°c", "c", "celsius", "độ c", "摄氏", "攝氏", "섭씨", "цельсия", "مئوية"),
    "°F": ("°f", "f", "fahrenheit", "华氏", "華氏", "화씨", "фаренгейт", "فهرنهايت"),
}
_TIMING: dict[str, tuple[str, ...]] = {
    "fasting": ("fasting", "fasted", "before breakfast", "empty stomach", "ayunas", "ayuno",
                "jejum", "lúc đói", "luc doi", "trước ăn", "truoc an", "空腹", "공복", "натощак",
                "صائم", "صيام", "على الريق", "ajen", "vant vid", "walang kain", "bago kumain"),
    "after_meal": ("after eating", "after meal", "after a meal", "after lunch", "after dinner",
                   "after breakfast", "después de comer", "despues de comer", "depois de comer",
                   "após comer", "apos comer", "sau ăn", "sau an", "饭后", "飯後", "餐后", "餐後",
                   "식후", "после еды", "بعد الاكل", "بعد الأكل", "apre manje", "pagkatapos kumain"),
}
#: Words that say which part of a blood pressure a lone number is.
_BOTTOM = ("bottom", "lower", "low", "diastolic", "dia", "abajo", "baja", "diastolica", "mínima",
           "minima", "dưới", "duoi", "低压", "低壓", "이완기", "нижнее", "الانبساطي", "anba", "ibaba")


@dataclass(frozen=True)
class Heard:
    """What one reply holds for one kind of reading."""

    kind: str
    values: Mapping[str, float] = field(default_factory=dict)
    #: Parts still to ask for (empty when the reading is complete or nothing was read).
    missing: tuple[str, ...] = ()
    #: Every number in the reply, words spelled out, times of day left out.
    numbers: tuple[float, ...] = ()
    #: A number no living person's reading has, and the nearest that fits (if one does).
    doubtful: float | None = None
    suggestion: str | None = None
    #: The reading as the suggestion reads it (what an alert level is compared with).
    suggested: Mapping[str, float] = field(default_factory=dict)
    unit: str | None = None
    timing: str | None = None

    @property
    def complete(self) -> bool:
        return bool(self.values) and not self.missing and self.doubtful is None

    def saved(self) -> dict[str, Any]:
        """The reading as it is kept: `{systolic: 184, diastolic: 96}`, `{value: 7.2, unit: ...}`."""
        out: dict[str, Any] = {k: _tidy(v) for k, v in self.values.items()}
        if self.unit and self.kind != "blood_pressure":
            out["unit"] = self.unit
        if self.timing:
            out["timing"] = self.timing
        return out


def _tidy(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 1)


def describe(kind: str, saved: Mapping[str, Any]) -> str:
    """A reading as staff read it: "184/96", "7.2 mmol/L fasting" -> used by tasks and exports."""
    if kind == "blood_pressure":
        return f"{_tidy(saved['systolic'])}/{_tidy(saved['diastolic'])}"
    unit = saved.get("unit", "")
    text = f"{_tidy(saved['value'])}{'' if unit in ('%', '/10') or unit.startswith('°') else ' '}{unit}"
    if saved.get("timing"):
        text += " " + str(saved["timing"]).replace("_", " ")
    return text.strip()


def describe_number(value: float) -> str:
    return str(_tidy(value))


def _float(text: str) -> float:
    return float(text.replace(",", "."))


def _prepare(text: str, locale: str) -> str:
    text = fold_digits(text or "").casefold()
    text = _TIME.sub(" ", text)
    return spell_out(text, locale)


def _has_word(text: str, words: tuple[str, ...]) -> bool:
    padded = f" {text} "
    return any((f" {w} " in padded) if w.isascii() and w.isalpha() else (w in text) for w in words)


def _unit(text: str, units: tuple[str, ...]) -> str | None:
    for unit in units:
        if _has_word(text, _UNIT_WORDS.get(unit, ())):
            return unit
    return None


def _suggest(value: float, part: Part, decimals: int = 0) -> float | None:
    """The nearest value in range from one slip of a finger: a decimal point lost ("986" ->
    98.6, for readings that have decimals) or a digit doubled or added ("1300" -> 130)."""
    if decimals and part.low <= value / 10 <= part.high:
        return value / 10
    digits = str(int(value)) if float(value).is_integer() else ""
    if len(digits) < 2:
        return None
    # A key pressed once too often, most often at the end or twice in a row ("1300", "1844").
    order = [len(digits) - 1] + [i for i in range(1, len(digits)) if digits[i] == digits[i - 1]] \
        + list(range(len(digits)))
    for i in order:
        option = float(digits[:i] + digits[i + 1:])
        if part.low <= option <= part.high:
            return option
    return None


def _blood_pressure(text: str, numbers: tuple[float, ...], partial: Mapping[str, Any]) -> Heard:
    kind = KINDS["blood_pressure"]
    sys_part, dia_part = kind.parts
    pairs = [(_float(m.group(1)), _float(m.group(2)), not m.group(0)[len(m.group(1)):].startswith(" ")
              or bool(set(m.group(0)) & set("/\\*-–—:|")))
             for m in _PAIR.finditer(text)]
    fits = [(a, b) for a, b, _ in pairs
            if sys_part.low <= a <= sys_part.high and dia_part.low <= b <= dia_part.high and a > b]
    marked = [(a, b) for a, b, explicit in pairs if explicit]
    if not fits and len(numbers) == 2 and numbers[0] > numbers[1] \
            and sys_part.low <= numbers[0] <= sys_part.high and dia_part.low <= numbers[1] <= dia_part.high:
        fits = [(numbers[0], numbers[1])]  # "高压184，低压96", "top 184 bottom 96"
    pair = fits[0] if fits else marked[0] if marked else None
    if pair:
        top, bottom = pair
        for value, part in ((top, sys_part), (bottom, dia_part)):
            if not part.low <= value <= part.high:
                fixed = _suggest(value, part)
                other = bottom if part is sys_part else top
                other_part = dia_part if part is sys_part else sys_part
                if fixed is None or not other_part.low <= other <= other_part.high:
                    return Heard(kind.name, numbers=numbers, doubtful=value)
                a, b = (fixed, other) if part is sys_part else (other, fixed)
                return Heard(kind.name, numbers=numbers, doubtful=value, suggestion=f"{_tidy(a)}/{_tidy(b)}",
                             suggested={"systolic": a, "diastolic": b})
        if top > bottom:
            return Heard(kind.name, {"systolic": top, "diastolic": bottom}, numbers=numbers)
        return Heard(kind.name, numbers=numbers)
    if len(numbers) != 1:
        return Heard(kind.name, numbers=numbers)
    value = numbers[0]
    if "systolic" in partial and "diastolic" not in partial:
        wanted = dia_part
    elif "diastolic" in partial and "systolic" not in partial:
        wanted = sys_part
    else:
        wanted = dia_part if _has_word(text, _BOTTOM) else sys_part
    if not wanted.low <= value <= wanted.high:
        fixed = _suggest(value, wanted)
        if fixed is None:
            return Heard(kind.name, numbers=numbers, doubtful=value)
        return Heard(kind.name, numbers=numbers, doubtful=value, suggestion=str(_tidy(fixed)),
                     suggested={wanted.name: fixed})
    values = {**{k: float(v) for k, v in partial.items() if k in ("systolic", "diastolic")},
              wanted.name: value}
    if len(values) == 2 and values["systolic"] <= values["diastolic"]:
        return Heard(kind.name, numbers=numbers)
    missing = tuple(p.name for p in kind.parts if p.name not in values)
    return Heard(kind.name, values, missing=missing, numbers=numbers)


def _single(kind: Kind, text: str, numbers: tuple[float, ...], unit: str | None) -> Heard:
    """Glucose, weight, temperature, pulse, oxygen, pain: one number, converted to `unit`."""
    distinct = tuple(dict.fromkeys(numbers))
    timing = next((name for name, words in _TIMING.items() if _has_word(text, words)), None)
    if len(distinct) != 1:
        return Heard(kind.name, numbers=numbers, timing=timing)
    value = distinct[0]
    said = _unit(text, kind.units)
    wanted = unit or kind.units[0]
    if kind.name == "glucose" and said is None and (value < 35 or not value.is_integer()):
        said = "mmol/L"  # "7.2": nobody's glucose is 7 mg/dL
    if kind.name == "temperature" and said is None:
        said = "°C" if 30 <= value <= 45 else "°F"
    value = _convert(kind.name, value, said or wanted, wanted)
    low, high = _range(kind, wanted)
    if not low <= value <= high:
        fixed = _suggest(value, Part("value", low, high), kind.decimals)
        if fixed is None:
            return Heard(kind.name, numbers=numbers, doubtful=value, unit=wanted)
        return Heard(kind.name, numbers=numbers, doubtful=value, suggestion=str(_tidy(fixed)),
                     suggested={"value": fixed}, unit=wanted)
    return Heard(kind.name, {"value": round(value, kind.decimals)}, numbers=numbers,
                 unit=wanted, timing=timing)


def _range(kind: Kind, unit: str) -> tuple[float, float]:
    part = kind.parts[0]
    base = kind.units[0] if kind.units else unit
    return (_convert(kind.name, part.low, base, unit), _convert(kind.name, part.high, base, unit))


def _convert(kind: str, value: float, have: str, want: str) -> float:
    if have == want:
        return value
    if kind == "glucose":
        return value * MMOL_TO_MGDL if want == "mg/dL" else value / MMOL_TO_MGDL
    if kind == "weight":
        return value * LB_PER_KG if want == "lb" else value / LB_PER_KG
    if kind == "temperature":
        return value * 9 / 5 + 32 if want == "°F" else (value - 32) * 5 / 9
    return value


@lru_cache(maxsize=512)
def _numbers(prepared: str) -> tuple[float, ...]:
    return tuple(_float(m.group(0)) for m in _NUMBER.finditer(prepared))


def hear(kind: str, text: str, locale: str, *, unit: str | None = None,
         partial: Mapping[str, Any] | None = None) -> Heard:
    """Read `text` (one reply in `locale`) as a reading of `kind` (see the module docstring).

    `partial`: the part already heard at this question ("184", then "96"); `unit`: the unit
    the flow keeps values in (the kind's first unit by default)."""
    spec = KINDS[kind]
    prepared = _prepare(text, locale)
    if kind == "pain":
        prepared = _SCALE.sub(" ", prepared)
    numbers = _numbers(prepared)
    if kind == "blood_pressure":
        return _blood_pressure(prepared, numbers, partial or {})
    return _single(spec, prepared, numbers, unit)
