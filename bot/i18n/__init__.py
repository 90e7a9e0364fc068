"""Catalogs, locale choice and formatting in the patient's locale and time zone.

The package's interface (used by the engine's hosts, the transcript runner and the channels);
`catalogs` holds the catalogs and locale choice, `formatting` the rendering:
- `SHIPPED_LOCALES`: catalog codes we ship.
- `negotiate(preference: str | None) -> str`: any reasonable language preference -> a shipped code.
- `fallback_chain(locale) -> tuple[str, ...]`: where a missing message is looked up next.
- `gettext(msgid, locale) -> str`: the translation (falls back along the chain, then msgid).
- `ngettext(singular, plural, n, locale)`, `pgettext(context, msgid, locale)`,
  `npgettext(context, singular, plural, n, locale)`: the usual gettext family.
- `render(msgid, params, locale, timezone, *, now=None, spoken=False) -> str`: translate, then
  fill (`spoken`: for a call, times carry their zone's name) `{name}` and
  typed `{name:date}`, `{name:datetime}`, `{name:time}`, `{name:weekday}`, `{name:number}`,
  `{name:day}` ("today", "tomorrow", "on Monday", "on March 8") and `{name:days}` ("3 days",
  plural-correct) placeholders.
- `fill(text, params, locale, timezone, *, now=None) -> str`: the same filling without
  translation, for staff-facing words a flow author wrote (a task's reason).
- `placeholders(msgid) -> set[str]`: names used by a message.
"""

from __future__ import annotations

from bot.i18n.catalogs import (
    CATALOG_DATE_LOCALES,
    DOMAIN,
    FALLBACKS,
    LANGUAGE_EQUIVALENTS,
    LOCALES_DIR,
    MONTH_NAMES,
    NC_,
    PLACEHOLDER,
    PLACEHOLDER_KINDS,
    SHIPPED_LOCALES,
    SOURCE_LOCALE,
    WEEKDAY_NAMES,
    babel_locale,
    catalog_paths,
    clear_caches,
    fallback_chain,
    gettext,
    language_aliases,
    negotiate,
    ngettext,
    npgettext,
    pgettext,
    placeholder_tokens,
    placeholders,
    translations,
)
from bot.i18n.formatting import TIME_PATTERNS, fill, format_value, plural_index_categories, render

__all__ = [
    "CATALOG_DATE_LOCALES", "DOMAIN", "FALLBACKS", "LANGUAGE_EQUIVALENTS", "LOCALES_DIR",
    "MONTH_NAMES", "NC_", "PLACEHOLDER", "PLACEHOLDER_KINDS", "SHIPPED_LOCALES", "SOURCE_LOCALE",
    "TIME_PATTERNS", "WEEKDAY_NAMES", "babel_locale", "catalog_paths", "clear_caches",
    "fallback_chain", "fill", "format_value", "gettext", "language_aliases", "negotiate", "ngettext",
    "npgettext", "pgettext", "placeholder_tokens", "placeholders", "plural_index_categories",
    "render", "translations",
]
