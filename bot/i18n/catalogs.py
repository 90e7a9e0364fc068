"""Catalogs and locale choice: which shipped language a patient gets, and its translations.

Workers have no Flask app context, so Flask-Babel would silently return English there; this
module uses `babel.support.Translations` directly, one chain per locale, cached.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

log = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"
DOMAIN = "messages"
SOURCE_LOCALE = "en"
#: Catalog directory names under locales/. Order is the order menus and reports use.
SHIPPED_LOCALES: tuple[str, ...] = (
    "en", "es", "zh_Hans", "zh_Hant", "vi", "ko", "tl", "ru", "ar", "ht", "pt_BR",
)
#: Where a message missing from a catalog is looked up next. Every chain ends in English.
#: Chinese falls back across scripts: a reader of one script reads most of the other, which
#: serves a patient with limited English better than English does. Haitian Creole goes straight
#: to English (we ship no French, and many Kreyòl speakers do not read French).
FALLBACKS: dict[str, tuple[str, ...]] = {
    "zh_Hans": ("zh_Hant",),
    "zh_Hant": ("zh_Hans",),
}
#: Locales whose CLDR calendar names are not in the language itself (ht: French or placeholders).
CATALOG_DATE_LOCALES = frozenset({"ht"})
#: Language codes treated as another shipped language (Cantonese and Mandarin are written Chinese).
LANGUAGE_EQUIVALENTS = {"yue": "zh", "cmn": "zh", "tl": "fil"}

#: `{name}`, `{name:kind}`, and `{answer.part}` for a part of a saved answer (a reading's
#: `{bp.systolic}`).
PLACEHOLDER = re.compile(r"\{(\w+(?:\.\w+)?)(?::(\w+))?\}")
#: Typed placeholder kinds `render` understands.
PLACEHOLDER_KINDS = frozenset({"date", "datetime", "time", "weekday", "number", "day", "days"})


def NC_(context: str, msgid: str) -> str:  # noqa: N802 - gettext marker naming convention
    """Mark a msgid with a context for extraction (keyword `NC_:1c,2`); returns it unchanged."""
    return msgid


#: Day and month names for CATALOG_DATE_LOCALES, Monday first (Python's weekday()).
WEEKDAY_NAMES: tuple[str, ...] = (
    NC_("weekday", "Monday"), NC_("weekday", "Tuesday"), NC_("weekday", "Wednesday"),
    NC_("weekday", "Thursday"), NC_("weekday", "Friday"), NC_("weekday", "Saturday"),
    NC_("weekday", "Sunday"),
)
MONTH_NAMES: tuple[str, ...] = (
    NC_("month", "January"), NC_("month", "February"), NC_("month", "March"),
    NC_("month", "April"), NC_("month", "May"), NC_("month", "June"), NC_("month", "July"),
    NC_("month", "August"), NC_("month", "September"), NC_("month", "October"),
    NC_("month", "November"), NC_("month", "December"),
)


# --- choosing the locale -------------------------------------------------------------------

def _fold(text: str) -> str:
    """Case-, accent-, space- and punctuation-insensitive key for language names."""
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in text if ch.isalnum() and not unicodedata.combining(ch))


@lru_cache(maxsize=256)
def babel_locale(code: str) -> Locale:
    """The Babel `Locale` for a catalog code, parsed once (tl -> fil_PH, zh_Hant -> zh-Hant)."""
    return Locale.parse(code)


def _lang_script(loc: Locale) -> tuple[str, str | None]:
    """(language, script) with the script filled from CLDR likely subtags (zh -> Hans)."""
    language = loc.language
    script = loc.script
    if script is None:
        likely = get_global("likely_subtags").get(language)
        if likely:
            parts = likely.split("_")
            script = next((p for p in parts[1:] if len(p) == 4), None)
    return LANGUAGE_EQUIVALENTS.get(language, language), script


@lru_cache(maxsize=1)
def _shipped_keys() -> tuple[tuple[tuple[str, str | None], str], ...]:
    return tuple((_lang_script(babel_locale(code)), code) for code in SHIPPED_LOCALES)


@lru_cache(maxsize=1)
def language_aliases() -> dict[str, str]:
    """Folded language name -> shipped code, from CLDR names in every shipped language.

    So "Spanish", "español", "ESPAÑOL", "Tiếng Việt", "中文 (繁體)", "Traditional Chinese" all
    resolve. Names are taken from CLDR rather than typed in, plus a few everyday names CLDR
    lacks (Filipino/Tagalog, Kreyòl, Cantonese, Mandarin, Farsi-style spellings).
    """
    aliases: dict[str, str] = {}
    viewers = [babel_locale(c) for c in SHIPPED_LOCALES] + [Locale.parse("fr")]
    for code in reversed(SHIPPED_LOCALES):  # earlier codes win (zh -> zh_Hans)
        loc = babel_locale(code)
        language = loc.language
        for viewer in viewers:
            name = viewer.languages.get(language)
            if name:
                aliases[_fold(name)] = code
            display = loc.get_display_name(viewer)
            if display:
                aliases[_fold(display)] = code
            if loc.script:
                script_name = viewer.scripts.get(loc.script, "")
                lang_name = viewer.languages.get(language, "")
                if script_name and lang_name:
                    aliases[_fold(script_name + lang_name)] = code
                    aliases[_fold(lang_name + script_name)] = code
    extra = {
        "en": ["english", "inglés"],
        "es": ["espanol", "castellano"],
        "zh_Hans": ["chinese", "mandarin", "中文", "汉语", "普通话", "简体", "simplified"],
        "zh_Hant": ["cantonese", "taiwanese", "繁體", "繁体中文", "廣東話", "粵語", "traditional"],
        "tl": ["tagalog", "filipino", "pilipino", "wikang tagalog"],
        "ht": ["kreyol", "kreyòl", "kreyol ayisyen", "creole", "haitian", "haitian creole",
               "kreyòl ayisyen", "ayisyen"],
        "pt_BR": ["portuguese", "português", "brazilian", "brazilian portuguese"],
        "ar": ["arabic", "عربي", "العربية"],
        "vi": ["vietnamese", "tiếng việt", "tieng viet"],
        "ko": ["korean", "한국어", "한국말", "조선말"],
        "ru": ["russian", "русский", "по-русски"],
    }
    for code, names in extra.items():
        for name in names:
            aliases[_fold(name)] = code
    return aliases


def _match_one(candidate: str) -> str | None:
    candidate = candidate.strip()
    if not candidate:
        return None
    alias = language_aliases().get(_fold(candidate))
    if alias:
        return alias
    tag = candidate.replace("-", "_")
    try:
        loc = Locale.parse(tag)
    except (ValueError, TypeError, UnknownLocaleError):
        # Unknown region or variant: retry with the bare language subtag.
        try:
            loc = Locale.parse(tag.split("_")[0])
        except (ValueError, TypeError, UnknownLocaleError):
            return None
    language, script = _lang_script(loc)
    same_language = [code for (lang, scr), code in _shipped_keys() if lang == language]
    for (lang, scr), code in _shipped_keys():
        if lang == language and scr == script:
            return code
    return same_language[0] if same_language else None


@lru_cache(maxsize=1024)
def negotiate(preference: str | None) -> str:
    """Map a stated language preference to the nearest shipped catalog, else English.

    Accepts codes ("es-MX", "zh_TW", "fil", "pt-PT"), names in English or the language itself
    ("Spanish", "español", "繁體中文") and Accept-Language style lists ("vi;q=0.9, en").
    Compares (language, script) after `Locale.parse`, because `Locale.negotiate` does not match
    scripts (zh-TW against zh_Hant gives nothing).
    """
    if not preference:
        return SOURCE_LOCALE
    for part in preference.split(","):
        found = _match_one(part.split(";")[0])
        if found:
            return found
    return SOURCE_LOCALE


def fallback_chain(locale: str) -> tuple[str, ...]:
    """The catalogs consulted for `locale`, in order; always ends with English."""
    code = locale if locale in SHIPPED_LOCALES else negotiate(locale)
    chain = [code, *FALLBACKS.get(code, ())]
    if SOURCE_LOCALE not in chain:
        chain.append(SOURCE_LOCALE)
    return tuple(chain)


# --- catalogs ------------------------------------------------------------------------------

def catalog_paths(locale: str, directory: Path | None = None) -> tuple[Path, Path]:
    """(.po, .mo) paths of one catalog."""
    base = (directory or LOCALES_DIR) / locale / "LC_MESSAGES"
    return base / f"{DOMAIN}.po", base / f"{DOMAIN}.mo"


def _load_single(locale: str, directory: Path) -> NullTranslations:
    """One catalog: the compiled .mo when it is current, else the .po compiled in memory.

    Compiling in memory keeps a fresh checkout (no `outreach i18n compile` yet) correct; fuzzy
    entries are left out either way, as `pybabel compile` does.
    """
    po_path, mo_path = catalog_paths(locale, directory)
    if mo_path.exists() and (not po_path.exists()
                             or mo_path.stat().st_mtime >= po_path.stat().st_mtime):
        with mo_path.open("rb") as fp:
            return Translations(fp, domain=DOMAIN)
    if po_path.exists():
        with po_path.open("rb") as fp:
            catalog = read_po(fp, locale=locale)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        buffer.seek(0)
        log.debug("catalog %s compiled in memory (no current .mo)", locale)
        return Translations(buffer, domain=DOMAIN)
    log.warning("no catalog for locale %s", locale)
    return NullTranslations()


@lru_cache(maxsize=64)
def _chain(locale: str, directory: str) -> NullTranslations:
    codes = fallback_chain(locale)
    first = _load_single(codes[0], Path(directory))
    for code in codes[1:]:
        first.add_fallback(_load_single(code, Path(directory)))
    return first


def translations(locale: str, directory: Path | None = None) -> NullTranslations:
    """The cached translation chain for `locale` (fallbacks added, English last)."""
    return _chain(locale, str(directory or LOCALES_DIR))


def clear_caches() -> None:
    """Forget loaded catalogs (after `outreach i18n compile`, or between tests)."""
    _chain.cache_clear()


def gettext(msgid: str, locale: str) -> str:
    return translations(locale).gettext(msgid)


def pgettext(context: str, msgid: str, locale: str) -> str:
    return str(translations(locale).pgettext(context, msgid))


def ngettext(singular: str, plural: str, n: int, locale: str) -> str:
    """The plural form for `n` chosen by the catalog's own Plural-Forms header."""
    return translations(locale).ngettext(singular, plural, n)


def npgettext(context: str, singular: str, plural: str, n: int, locale: str) -> str:
    return translations(locale).npgettext(context, singular, plural, n)


def placeholders(msgid: str) -> set[str]:
    return {m.group(1) for m in PLACEHOLDER.finditer(msgid)}


def placeholder_tokens(text: str) -> set[str]:
    """Placeholders with their kind ("due_date:date"): what a translation must keep exactly."""
    return {m.group(0)[1:-1] for m in PLACEHOLDER.finditer(text)}
