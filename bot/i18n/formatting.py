"""Formatting in the patient's locale and time zone: `render` a message with typed placeholders.

Time: a naive datetime (or ISO string without offset) is taken as UTC, then shown in the
patient's time zone. A plain `date` is a calendar date and is never shifted.

Haitian Creole: CLDR has no Kreyòl calendar names (older Babel releases inherited French,
"dimanche 8 mars"; newer ones fall back to "Sun 8 M03"). For the locales in
`CATALOG_DATE_LOCALES` the day and month names come from our own catalog (msgctxt "weekday" /
"month") and the date text is built from them.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from datetime import timezone as dt_timezone
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time, get_timezone_name
from babel.numbers import format_decimal

from bot.i18n.catalogs import (
    CATALOG_DATE_LOCALES,
    MONTH_NAMES,
    PLACEHOLDER,
    SHIPPED_LOCALES,
    WEEKDAY_NAMES,
    babel_locale,
    gettext,
    negotiate,
    npgettext,
    pgettext,
)
from bot.i18n.particles import attach_korean

#: Short-time patterns where CLDR's default reads poorly in a text message (ko: "PM 4:30" ->
#: "오후 4:30", the wide day period Koreans write).
TIME_PATTERNS = {"ko": "aaaa h:mm"}
#: Spaces CLDR puts in formatted values (U+202F before "AM", NBSP in French numbers) that would
#: push an SMS out of GSM-7; plain spaces read the same.
_ODD_SPACES = str.maketrans({"\u202f": " ", "\u00a0": " ", "\u2009": " "})

def _as_datetime(value: Any) -> datetime:
    """An aware datetime; naive values (and ISO strings without an offset) are UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt_timezone.utc)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=dt_timezone.utc)
    raise TypeError(f"not a datetime: {type(value).__name__}")


def _local_date(value: Any, tz: ZoneInfo) -> date:
    """The calendar date the patient sees: datetimes move to their zone, dates stay put."""
    if isinstance(value, str) and "T" not in value and " " not in value.strip():
        return date.fromisoformat(value)
    if isinstance(value, (datetime, str)):
        return _as_datetime(value).astimezone(tz).date()
    if isinstance(value, date):
        return value
    raise TypeError(f"not a date: {type(value).__name__}")


def _catalog_date(day: date, locale: str, with_weekday: bool = False) -> str:
    """Date text from catalog names, day-month-year ("8 mas 2026"), for CATALOG_DATE_LOCALES."""
    month = pgettext("month", MONTH_NAMES[day.month - 1], locale)
    text = f"{day.day} {month} {day.year}"
    if with_weekday:
        text = f"{pgettext('weekday', WEEKDAY_NAMES[day.weekday()], locale)} {text}"
    return text


def _date_text(day: date, locale: str, loc: Locale) -> str:
    if locale in CATALOG_DATE_LOCALES:
        return _catalog_date(day, locale)
    return format_date(day, "long", locale=loc)


def _weekday_text(day: date, locale: str, loc: Locale) -> str:
    if locale in CATALOG_DATE_LOCALES:
        return pgettext("weekday", WEEKDAY_NAMES[day.weekday()], locale)
    return format_date(day, "EEEE", locale=loc)


def _time_text(moment: datetime, locale: str, loc: Locale, tz: ZoneInfo,
               spoken: bool = False) -> str:
    """A time of day in the patient's zone; `spoken` adds the zone's name where the locale's
    full time format puts it ("3:00 PM Eastern Time", "北美东部时间 15:00"): a caller cannot
    see which zone a time is in, and a relative in another state may take the call."""
    text = format_time(moment, TIME_PATTERNS.get(locale, "short"), tzinfo=tz, locale=loc)
    if not spoken:
        return text
    local = moment.astimezone(tz)
    zone = get_timezone_name(local, "long", locale=loc, zone_variant="generic")
    if zone.startswith(("GMT", "UTC")):  # no generic name: "Hawaii-Aleutian Standard Time"
        zone = get_timezone_name(local, "long", locale=loc)
    full = str(loc.time_formats["full"].pattern).strip()
    return f"{zone} {text}" if full.startswith("zzzz") else f"{text} {zone}"


def _day_phrase(day: date, today: date, locale: str, loc: Locale) -> str:
    delta = (day - today).days
    if delta == 0:
        return pgettext("relative day", "today", locale)
    if delta == 1:
        return pgettext("relative day", "tomorrow", locale)
    if delta == -1:
        return pgettext("relative day", "yesterday", locale)
    if 1 < delta < 7:
        phrase = pgettext("relative day", "on {weekday}", locale)
        return phrase.replace("{weekday}", _weekday_text(day, locale, loc))
    phrase = pgettext("relative day", "on {date}", locale)
    return phrase.replace("{date}", _date_text(day, locale, loc))


def format_value(
    value: Any, kind: str | None, locale: str, timezone: str, *, now: datetime | None = None,
    spoken: bool = False,
) -> str:
    """One placeholder value as the patient should read it (see the module docstring);
    `spoken`: as a call says it (times with their zone)."""
    locale = locale if locale in SHIPPED_LOCALES else negotiate(locale)  # "ht_HT" -> "ht"
    loc = babel_locale(locale)
    tz = ZoneInfo(timezone)
    if kind == "date":
        text = _date_text(_local_date(value, tz), locale, loc)
    elif kind == "weekday":
        text = _weekday_text(_local_date(value, tz), locale, loc)
    elif kind == "time":
        text = _time_text(_as_datetime(value), locale, loc, tz, spoken)
    elif kind == "datetime":
        moment = _as_datetime(value)
        glue = str(loc.datetime_formats["medium"]).replace("'", "")
        day_text = _date_text(moment.astimezone(tz).date(), locale, loc)
        time_text = _time_text(moment, locale, loc, tz, spoken)
        text = glue.replace("{1}", day_text).replace("{0}", time_text)
    elif kind == "day":
        today = _as_datetime(now or datetime.now(dt_timezone.utc)).astimezone(tz).date()
        text = _day_phrase(_local_date(value, tz), today, locale, loc)
    elif kind == "days":
        count = int(value)
        form = npgettext("duration", "{count} day", "{count} days", count, locale)
        text = form.replace("{count}", format_decimal(count, locale=loc))
    elif kind == "number":
        text = format_decimal(value, locale=loc)
    else:
        text = str(value)
    return text.translate(_ODD_SPACES)


def render(
    msgid: str,
    params: dict[str, Any],
    locale: str,
    timezone: str,
    *,
    now: datetime | None = None,
    spoken: bool = False,
) -> str:
    """Translate `msgid` for `locale` and fill its placeholders for the patient's `timezone`.

    A placeholder with no value in `params` is left as written, so a missing value is visible
    in review rather than silently blank. `now` (UTC) anchors `{x:day}`; default: the clock.
    `spoken`: for a call (times carry their zone's name).
    """
    return fill(gettext(msgid, locale), params, locale, timezone, now=now, spoken=spoken)


def fill(
    text: str,
    params: dict[str, Any],
    locale: str,
    timezone: str,
    *,
    now: datetime | None = None,
    spoken: bool = False,
) -> str:
    """Fill the placeholders of `text` as it stands (no translation): for words a flow author
    wrote for staff, such as a task's reason, where only the values need formatting."""

    def one(m: re.Match[str]) -> str:
        name, kind = m.group(1), m.group(2)
        if name not in params:
            return m.group(0)
        value = format_value(params[name], kind, locale, timezone, now=now, spoken=spoken)
        # A value that ends with an abbreviation's period ends the sentence too: Russian
        # "20 ноября 2026 г." before the translation's own "." must not read "г..".
        if value.endswith(".") and text.startswith(".", m.end()):
            value = value[:-1]
        return value

    text = PLACEHOLDER.sub(one, text)
    return attach_korean(text) if negotiate(locale) == "ko" else text


def plural_index_categories(locale: str, sample: range = range(0, 1001)) -> dict[int, set[str]]:
    """Which CLDR plural categories land on each msgstr[index] under Babel's Plural-Forms header.

    Translators fill msgstr[index] by the header, not by CLDR's category names, and the two
    orders have differed between Babel releases (Arabic "many" and "other" swapped places): this
    tells a reviewer which counts each form is shown for.
    """
    from gettext import c2py

    from babel.messages.plurals import get_plural

    select = c2py(get_plural(locale).plural_expr)
    loc = babel_locale(locale)
    mapping: dict[int, set[str]] = {}
    for n in sample:
        mapping.setdefault(select(n), set()).add(loc.plural_form(n))
    return mapping
