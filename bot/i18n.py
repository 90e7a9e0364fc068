"""Catalogs, locale choice and formatting in the patient's locale and time zone.

INTERFACE CONTRACT (used by the engine's hosts, the transcript runner and the channels):
- `SHIPPED_LOCALES`: catalog codes we ship.
- `negotiate(preference: str | None) -> str`: any reasonable language preference -> a shipped code.
- `gettext(msgid, locale) -> str`: the translation (falls back along the chain, then msgid).
- `render(msgid, params, locale, timezone) -> str`: translate, then fill `{name}` and typed
  `{name:date}`, `{name:datetime}`, `{name:time}`, `{name:weekday}`, `{name:number}` placeholders.
- `placeholders(msgid) -> set[str]`: names used by a message.
Minimal version; the multilingual issue completes it behind the same signatures.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from datetime import timezone as dt_timezone
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
SHIPPED_LOCALES: tuple[str, ...] = ("en",)
PLACEHOLDER = re.compile(r"\{(\w+)(?::(\w+))?\}")


def negotiate(preference: str | None) -> str:
    if not preference:
        return "en"
    code = preference.replace("-", "_").split("_")[0].lower()
    return code if code in SHIPPED_LOCALES else "en"


@lru_cache(maxsize=64)
def translations(locale: str) -> NullTranslations:
    t = Translations.load(str(LOCALES_DIR), [locale])
    return t


def gettext(msgid: str, locale: str) -> str:
    return translations(locale).gettext(msgid)


def placeholders(msgid: str) -> set[str]:
    return {m.group(1) for m in PLACEHOLDER.finditer(msgid)}


def _as_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt_timezone.utc)
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt_timezone.utc)
    raise TypeError(f"not a datetime: {type(value).__name__}")


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def format_value(value: Any, kind: str | None, locale: str, timezone: str) -> str:
    loc = Locale.parse(locale)
    tz = ZoneInfo(timezone)
    if kind == "date":
        return format_date(_as_date(value), "long", locale=loc)
    if kind == "datetime":
        return format_datetime(_as_datetime(value), "medium", tzinfo=tz, locale=loc)
    if kind == "time":
        return format_time(_as_datetime(value), "short", tzinfo=tz, locale=loc)
    if kind == "weekday":
        return format_date(_as_date(value), "EEEE", locale=loc)
    if kind == "number":
        return format_decimal(value, locale=loc)
    return str(value)


def render(msgid: str, params: dict[str, Any], locale: str, timezone: str) -> str:
    text = gettext(msgid, locale)

    def fill(m: re.Match[str]) -> str:
        name, kind = m.group(1), m.group(2)
        if name not in params:
            return m.group(0)
        return format_value(params[name], kind, locale, timezone)

    return PLACEHOLDER.sub(fill, text)
