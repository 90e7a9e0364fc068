"""Dates in replies: "tomorrow", "Friday", "12/3", "2026-03-12", "12 de marzo", "3月12日".

Everything is relative to the patient's own calendar day (`now` seen in their time zone), since
"tomorrow" at 11 pm in Honolulu is not tomorrow in UTC. Numeric dates are read in US order
(month/day), as the product serves US programs; a date without a year is the next one on or
after today. A bare weekday means its next occurrence after today ("Friday" said on a Friday
is a week away), which is how scheduling staff read it.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import get_day_names, get_month_names

from bot import defaults
from bot.understanding import lexicon
from bot.understanding.lexicon.normalize import has_han, normalize
from bot.understanding.lexicon.patterns import Hit

_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_US = re.compile(r"(?<![\d/.-])(\d{1,2})[/-](\d{1,2})(?:[/-](\d{4}|\d{2}))?(?![\d/-])")
_CJK = re.compile(r"(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日号號일]?")
_VI = re.compile(r"(?:ngay\s+)?(\d{1,2})\s+thang\s+(\d{1,2})")
#: Locales whose CLDR names are wrong for our patients (Babel gives French names for ht).
_NO_CLDR = {"ht"}


def local_today(now: datetime | None, timezone: str | None) -> date:
    """The patient's calendar date at `now` (a naive `now` is taken as UTC)."""
    now = now or datetime.now(dt_timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt_timezone.utc)
    return now.astimezone(ZoneInfo(timezone or defaults.DEFAULT_TIMEZONE)).date()


def _babel_names(locale: str, getter, ranges) -> dict[str, int]:  # type: ignore[no-untyped-def]
    names: dict[str, int] = {}
    if locale in _NO_CLDR:
        return names
    loc = Locale.parse(locale)
    for width in ("wide", "abbreviated"):
        for context in ("format", "stand-alone"):
            for key, name in getter(width, context, loc).items():
                norm = normalize(name)
                # One-letter abbreviations ("월") and ones with digits ("th 2") are ambiguous.
                if len(norm) > 1 and not any(c.isdigit() for c in norm) and key in ranges:
                    names.setdefault(norm, key)
    return names


@cache
def weekday_names(locale: str) -> dict[str, int]:
    """Normalised weekday name -> 0 (Monday) .. 6, from CLDR plus the lexicon's extras."""
    names = {}
    for lex in lexicon.chain(locale):
        names.update(_babel_names(lex.locale, get_day_names, range(7)))
        for day, extra in enumerate(lex.weekdays):
            names.update({name: day for name in extra})
    return names


@cache
def month_names(locale: str) -> dict[str, int]:
    names = {}
    for lex in lexicon.chain(locale):
        names.update(_babel_names(lex.locale, get_month_names, range(1, 13)))
    return names


def _future(month: int, day: int, year: int | None, today: date) -> date | None:
    try:
        if year is not None:
            return date(year + 2000 if year < 100 else year, month, day)
        found = date(today.year, month, day)
        return found if found >= today else date(today.year + 1, month, day)
    except ValueError:
        return None


def _numeric(text: str, norm: str, today: date) -> date | None:
    m = _ISO.search(text)
    if m:
        return _future(int(m.group(2)), int(m.group(3)), int(m.group(1)), today)
    m = _US.search(text)
    if m:
        year = int(m.group(3)) if m.group(3) else None
        return _future(int(m.group(1)), int(m.group(2)), year, today)
    m = _CJK.search(text) or _CJK.search(norm)
    if m:
        return _future(int(m.group(1)), int(m.group(2)), None, today)
    m = _VI.search(norm)
    if m:
        return _future(int(m.group(2)), int(m.group(1)), None, today)
    return None


def _month_name(norm: str, locale: str, today: date) -> date | None:
    months = month_names(locale)
    tokens = norm.split()
    for i, token in enumerate(tokens):
        month = months.get(token)
        if month is None:
            continue
        # "March 12", "12 March", "12 de marzo", "12 марта"
        for j in (i + 1, i - 1, i - 2):
            if 0 <= j < len(tokens) and tokens[j].isdigit() and 1 <= int(tokens[j]) <= 31:
                if j == i - 2 and tokens[i - 1] not in ("de", "di", "of"):
                    continue
                return _future(month, int(tokens[j]), None, today)
    return None


def _negated(norm: str, hit: Hit, substring: bool, negators: tuple[str, ...]) -> bool:
    if substring:
        before = norm.replace(" ", "")[:hit.start]
        return any(before.endswith(n) for n in ("不是", "不", "没", "沒"))
    tokens = norm.split()
    return hit.start > 0 and tokens[hit.start - 1] in negators


def _relative(norm: str, locale: str, today: date) -> date | None:
    offsets = {"today": 0, "tomorrow": 1, "day_after_tomorrow": 2}
    candidates: list[tuple[int, int, date]] = []
    for lex in lexicon.chain(locale):
        substring = lex.substring
        if substring and not has_han(norm):
            continue
        for name, days in offsets.items():
            for hit in lexicon.patterns(lex.locale, name).finditer(norm):
                if not _negated(norm, hit, substring, lex.negators):
                    candidates.append((hit.start, -len(hit.text), today + timedelta(days)))
        if candidates:
            break
    next_week = False
    rest = norm
    for lex in lexicon.chain(locale):
        for hit in lexicon.patterns(lex.locale, "next_week").finditer(norm):
            next_week = True
            rest = rest.replace(hit.text, " ")  # Tagalog "linggo" is both week and Sunday
    weekday = _weekday(rest, locale)
    if next_week:
        monday = today + timedelta(days=7 - today.weekday())
        return monday + timedelta(days=weekday[1] if weekday else 0)
    if weekday:
        ahead = (weekday[1] - today.weekday()) % 7 or 7
        candidates.append((weekday[0], 0, today + timedelta(days=ahead)))
    return min(candidates)[2] if candidates else None


def _weekday(norm: str, locale: str) -> tuple[int, int] | None:
    """(position, weekday) of the first weekday name in the reply."""
    names = weekday_names(locale)
    if has_han(norm):
        compact = norm.replace(" ", "")
        found = [(compact.find(n), -len(n), d) for n, d in names.items() if has_han(n) and n in compact]
        return (min(found)[0], min(found)[2]) if found else None
    tokens = norm.split()
    for size in (3, 2, 1):
        for i in range(len(tokens) - size + 1):
            phrase = " ".join(tokens[i:i + size])
            if phrase in names:
                return (i, names[phrase])
    return None


def parse_date(text: str, locale: str, *, now: datetime | None = None,
               timezone: str | None = None) -> date | None:
    """The date a reply names, or None. See the module docstring for how it is read."""
    today = local_today(now, timezone)
    norm = normalize(text)
    return (_numeric(text, norm, today) or _month_name(norm, locale, today)
            or _relative(norm, locale, today))
