"""Language on the staff pages: names in the reader's language, tags and direction for text.

Patients' languages are stored as codes in several spellings (vi, es-MX, pt_BR, zh_Hant);
staff read them as names in their own language ("Spanish (Mexico)", Babel's CLDR display
names), never as codes. Every piece of patient or message text carries `lang` (so a screen
reader speaks Korean with a Korean voice) and `dir="auto"`; a reply box for a right-to-left
patient is right-to-left.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError
from flask import Blueprint, current_app, has_request_context, request

from bot.i18n.catalogs import SHIPPED_LOCALES

#: The staff pages' own language when the browser asks for none we ship.
DEFAULT_STAFF_LOCALE = "en"


@lru_cache(maxsize=512)
def _parse(code: str) -> Locale | None:
    cleaned = code.strip().replace("-", "_")
    if not cleaned:
        return None
    try:
        return Locale.parse(cleaned)
    except (UnknownLocaleError, ValueError):
        return None


def staff_locale() -> str:
    """The reader's language: STAFF_LOCALE if configured, else the browser's best match."""
    configured = current_app.config.get("STAFF_LOCALE")
    if configured:
        return str(configured)
    if has_request_context():
        offered = [code.replace("_", "-") for code in SHIPPED_LOCALES]
        best = request.accept_languages.best_match(offered)
        if best:
            return best.replace("-", "_")
    return DEFAULT_STAFF_LOCALE


@lru_cache(maxsize=1024)
def _display(code: str, reader: str) -> str:
    locale = _parse(code)
    if locale is None:
        return code
    name = locale.get_display_name(_parse(reader) or Locale.parse(DEFAULT_STAFF_LOCALE))
    return (name[:1].upper() + name[1:]) if name else code


def language_name(code: str | None, reader: str | None = None) -> str:
    """'Vietnamese', 'Spanish (Mexico)', 'Portuguese (Brazil)' in the reader's language;
    an unknown code is shown as given, an empty one as 'Not recorded'."""
    if not code:
        return "Not recorded"
    return _display(code, reader or staff_locale())


def lang_tag(code: str | None) -> str:
    """The BCP 47 tag for an HTML `lang` attribute ('pt-BR', 'zh-Hant'); '' when unknown."""
    locale = _parse(code or "")
    if locale is None:
        return ""
    return "-".join(p for p in (locale.language, locale.script, locale.territory) if p)


def text_direction(code: str | None) -> str:
    """'rtl' for right-to-left languages (Arabic, Farsi, Hebrew, Urdu...), otherwise 'ltr'."""
    locale = _parse(code or "")
    return "rtl" if locale is not None and locale.text_direction == "rtl" else "ltr"


def register(bp: Blueprint) -> None:
    bp.add_app_template_filter(language_name, "language_name")
    bp.add_app_template_filter(lang_tag, "lang_tag")
    bp.add_app_template_filter(text_direction, "text_direction")
