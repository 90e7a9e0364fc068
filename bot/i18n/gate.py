"""The translation gate (`outreach i18n check`) and the per-locale SMS cost report.

A catalog passes when every message of locales/messages.pot is present, non-empty and not fuzzy
in every shipped locale; keeps exactly the msgid's placeholders; has a Plural-Forms header that
means what Babel's plural table says for the language (the same form index for every count from 0
to `PLURAL_SAMPLE_MAX`, however the formula is spelled) and that many forms in every plural entry;
and, in the Latin-script languages that can be GSM-7 (English, Spanish, Tagalog, Haitian Creole),
uses no character that needlessly leaves GSM-7 (a curly quote or an en dash turns a 160-character
SMS into a 70-character one, doubling or tripling the cost of a long message).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from gettext import c2py
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from bot import i18n
from bot.i18n.sms_segments import segments

#: Characters with a GSM-7 equivalent that reads the same, and that equivalent.
NEEDLESS_NON_GSM: dict[str, str] = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2010": "-", "\u2011": "-", "\u2212": "-",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2002": " ", "\u2003": " ",
    "\u200b": "(nothing)", "\u2026": "...", "\u2022": "-", "\u00b4": "'", "\u02bc": "'",
}
#: Locales whose text is written in GSM-7 when nothing forces otherwise.
GSM_LOCALES = ("en", "es", "tl", "ht")
#: Letters a language's own spelling lets go without, which alone would make a text UCS-2:
#: Haitian Creole writes "Eske" as well as "Èske", and capital È is not in GSM-7 (lower-case
#: è is), so one capital turns a 2-segment refill question into 3.
NEEDLESS_BY_LOCALE: dict[str, dict[str, str]] = {
    "ht": {"\u00c8": "E (Eske, not \u00c8ske)"},
}
#: Plural formulas are compared on every count from 0 to this (CLDR's rules reach the millions:
#: Spanish and Portuguese "many" is 1,000,000, 2,000,000 ...).
PLURAL_SAMPLE_MAX = 1_000_000


@dataclass(frozen=True)
class Problem:
    """One defect in one catalog entry (msgid None: the catalog as a whole)."""

    locale: str
    msgid: str | None
    kind: str  # missing | empty | fuzzy | placeholders | plural_forms | plural_header | non_gsm
    detail: str

    def __str__(self) -> str:
        where = f"{self.locale}: {self.msgid!r}" if self.msgid else self.locale
        return f"{where}: {self.kind}: {self.detail}"


@dataclass(frozen=True)
class SegmentRow:
    """Cost of one message in one locale, placeholders counted as written."""

    msgid: str
    locale: str
    encoding: str
    segments: int
    chars: int


def _key(message: Message) -> tuple[str, str | None]:
    msgid = message.id[0] if isinstance(message.id, (tuple, list)) else message.id
    return msgid, message.context


def _forms(message: Message) -> list[str]:
    if isinstance(message.string, (tuple, list)):
        return list(message.string)
    return [message.string or ""]


def _check_placeholders(locale: str, message: Message) -> list[Problem]:
    ids = list(message.id) if isinstance(message.id, (tuple, list)) else [message.id]
    expected = set().union(*(i18n.placeholder_tokens(text) for text in ids))
    forms = _forms(message)
    problems = []
    for index, form in enumerate(forms):
        have = i18n.placeholder_tokens(form)
        # Plural forms other than the last may drop the count ("يوم واحد" = "one day").
        must = expected if (index == len(forms) - 1 or not message.pluralizable) else set()
        if not have <= expected or not must <= have:
            problems.append(Problem(
                locale, ids[0], "placeholders",
                f"form {index} has {sorted(have)}, msgid has {sorted(expected)}"))
    return problems


def _check_gsm(locale: str, message: Message) -> list[Problem]:
    texts = _forms(message)
    if locale == i18n.SOURCE_LOCALE:
        texts += list(message.id) if isinstance(message.id, (tuple, list)) else [message.id]
    needless = {**NEEDLESS_NON_GSM, **NEEDLESS_BY_LOCALE.get(locale, {})}
    bad = sorted({ch for text in texts for ch in text if ch in needless})
    if not bad:
        return []
    fixes = ", ".join(f"U+{ord(ch):04X} -> {needless[ch]}" for ch in bad)
    return [Problem(locale, _key(message)[0], "non_gsm", f"needless non-GSM-7 characters: {fixes}")]


@lru_cache(maxsize=64)
def first_plural_difference(expr: str, other: str,
                            sample_max: int = PLURAL_SAMPLE_MAX) -> int | None:
    """The smallest count whose form index differs between two C plural formulas, or None.

    Headers are compared by meaning, not spelling: translators and tools write the same rule
    with other parentheses or bounds (`n%100<10 || n%100>=20` against `n%100<12 || n%100>14`
    for Russian), and a textual comparison would refuse a correct catalog.
    """
    if expr == other:
        return None
    first, second = c2py(expr), c2py(other)
    return next((n for n in range(sample_max + 1) if first(n) != second(n)), None)


def _check_header(catalog: Catalog, locale: str) -> list[Problem]:
    rule = get_plural(locale)
    if catalog.num_plurals == rule.num_plurals:
        differs = first_plural_difference(catalog.plural_expr, rule.plural_expr)
        if differs is None:
            return []
        why = f"n={differs} takes form {c2py(catalog.plural_expr)(differs)}, CLDR says form " \
              f"{c2py(rule.plural_expr)(differs)}"
    else:
        why = f"{catalog.num_plurals} forms, CLDR has {rule.num_plurals}"
    return [Problem(
        locale, None, "plural_header",
        f"Plural-Forms is nplurals={catalog.num_plurals}; plural={catalog.plural_expr} ({why}); "
        f"the language needs nplurals={rule.num_plurals}; plural={rule.plural_expr}")]


def check_catalog(catalog: Catalog, locale: str,
                  template: Catalog | None = None) -> list[Problem]:
    """All defects of one parsed catalog, against `template` (the .pot) when given."""
    rule = get_plural(locale)
    problems = _check_header(catalog, locale)
    present = {_key(m): m for m in catalog if m.id}
    if template is not None:
        for wanted in template:
            if wanted.id and _key(wanted) not in present:
                problems.append(Problem(locale, _key(wanted)[0], "missing",
                                        "not in the catalog (run `outreach i18n update`)"))
    for message in present.values():
        msgid = _key(message)[0]
        forms = _forms(message)
        filled = [form for form in forms if form.strip()]
        if not filled:
            problems.append(Problem(locale, msgid, "empty", "no translation"))
            continue
        if message.pluralizable and (len(forms) != rule.num_plurals
                                     or len(filled) != len(forms)):
            # read_po pads missing msgstr[n] with "", so a short entry shows up as empty forms.
            problems.append(Problem(
                locale, msgid, "plural_forms",
                f"{len(filled)} of {len(forms)} forms filled, the language has "
                f"{rule.num_plurals}"))
            continue
        if message.fuzzy:
            problems.append(Problem(locale, msgid, "fuzzy",
                                    "marked fuzzy: review it and remove the flag"))
        problems += _check_placeholders(locale, message)
        if locale in GSM_LOCALES:
            problems += _check_gsm(locale, message)
    return problems


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fp:
        return read_po(fp, locale=locale)


def check_catalogs(directory: Path | None = None,
                   locales: Iterable[str] = i18n.SHIPPED_LOCALES) -> list[Problem]:
    """Check every shipped catalog under `directory` (default locales/) against its .pot."""
    directory = directory or i18n.LOCALES_DIR
    template_path = directory / f"{i18n.DOMAIN}.pot"
    template = read_catalog(template_path) if template_path.exists() else None
    problems: list[Problem] = []
    if template is None:
        problems.append(Problem("*", None, "missing", f"no template {template_path}"))
    for locale in locales:
        po_path, _ = i18n.catalog_paths(locale, directory)
        if not po_path.exists():
            problems.append(Problem(locale, None, "missing", f"no catalog {po_path}"))
            continue
        problems += check_catalog(read_catalog(po_path, locale), locale, template)
    return problems


def segment_report(msgids: Sequence[str], locales: Iterable[str] = i18n.SHIPPED_LOCALES,
                   directory: Path | None = None) -> list[SegmentRow]:
    """Encoding and segment count of each message in each locale (for `outreach flows check`).

    Placeholders are counted as written ("{first_name}"), a fair stand-in for a typical value;
    a rendered date or a long name can add a segment.
    """
    rows = []
    for locale in locales:
        chain = i18n.translations(locale, directory)
        for msgid in msgids:
            text = chain.gettext(msgid)
            encoding, count = segments(text)
            rows.append(SegmentRow(msgid, locale, encoding, count, len(text)))
    return rows
