"""Where one text stands in one language, for the pages and checks that show it.

The records are `bot.i18n.reviews` (locales/<locale>/reviews.csv: who signed off which exact
translation, and when). This module answers the questions authors and staff ask of them: is
this flow text translated into Arabic (`missing`, `fuzzy` — changed since it was translated,
never sent — or `translated`), and has a qualified medical translator approved the wording the
patient will read (`reviewed`), approved an earlier wording (`stale`), or never (`drafted`)?
Only a reviewed message is approved patient material; everything else is a draft.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

from bot.i18n import reviews
from bot.i18n.catalogs import (
    LOCALES_DIR,
    SHIPPED_LOCALES,
    SOURCE_LOCALE,
    babel_locale,
    catalog_paths,
)

SOURCE, REVIEWED, STALE, DRAFTED = reviews.SOURCE, reviews.REVIEWED, reviews.STALE, reviews.DRAFTED
MISSING, FUZZY, TRANSLATED = "missing", "fuzzy", "translated"
#: How the staff pages describe a catalog's state.
STATE_WORDS = {
    SOURCE: "Source text",
    DRAFTED: "Machine draft, not yet reviewed by a medical translator",
    REVIEWED: "Reviewed by a medical translator",
}


def _stamp(path: Path) -> float:
    return path.stat().st_mtime if path.exists() else 0.0


@lru_cache(maxsize=64)
def _catalog(locale: str, directory: str, stamp: float) -> dict[str, tuple[str, bool]]:
    """msgid -> (translation, fuzzy) for a locale's .po; cached until the file changes."""
    po_path, _ = catalog_paths(locale, Path(directory))
    out: dict[str, tuple[str, bool]] = {}
    with po_path.open("rb") as fp:
        for m in read_po(fp, locale=locale):
            if m.id and isinstance(m.id, str) and not m.context:
                out[m.id] = (reviews.message_text(m), m.fuzzy)
    return out


@lru_cache(maxsize=64)
def _records(locale: str, directory: str, stamp: float) -> dict[reviews.Key, reviews.Review]:
    return reviews.load_reviews(locale, Path(directory))


@lru_cache(maxsize=64)
def _summary(locale: str, directory: str, po_stamp: float, csv_stamp: float) -> reviews.LocaleReview:
    return reviews.summary(locale, Path(directory))


def catalog_summary(locale: str, directory: Path | None = None) -> reviews.LocaleReview:
    """A catalog's review counts, re-read only when its catalog or its records change."""
    base = directory or LOCALES_DIR
    po_path, _ = catalog_paths(locale, base)
    return _summary(locale, str(base), _stamp(po_path), _stamp(reviews.reviews_path(locale, base)))


def review_states(directory: Path | None = None) -> dict[str, dict[str, str]]:
    """locale -> {language (its own name), state}: source, reviewed, drafted or "in review (n/m)"."""
    out: dict[str, dict[str, str]] = {}
    for code in SHIPPED_LOCALES:
        name = babel_locale(code).display_name or code
        state = SOURCE if code == SOURCE_LOCALE else catalog_summary(code, directory).state
        out[code] = {"language": name, "state": state}
    return out


def describe(locale: str, directory: Path | None = None) -> str:
    """The review state of `locale`'s catalog in words, with the last reviewer when there is one."""
    if locale == SOURCE_LOCALE:
        return STATE_WORDS[SOURCE]
    if locale not in SHIPPED_LOCALES:
        return "Review state unknown: treat as an unreviewed draft"
    s = catalog_summary(locale, directory)
    if s.state == REVIEWED:
        return f"{STATE_WORDS[REVIEWED]} ({s.last_reviewer}, {s.last_date})"
    if s.state == DRAFTED:
        return STATE_WORDS[DRAFTED]
    return (f"In review: {s.reviewed} of {s.total} messages approved by a medical translator; "
            "the rest are machine drafts")


@dataclass(frozen=True)
class MessageReview:
    """One msgid in one locale: its translation (or None) and where it stands."""

    locale: str
    text: str | None
    status: str  # missing | fuzzy | translated
    #: The sign-off of this exact wording: reviewed | stale | drafted (source for English).
    record: str

    @property
    def reviewed(self) -> bool:
        return self.record in (SOURCE, REVIEWED)

    def describe(self) -> str:
        """"reviewed", "machine-drafted, not reviewed", "changed, needs review", "no translation"."""
        if self.record == SOURCE:
            return "source text"
        if self.status == MISSING:
            return "no translation"
        if self.status == FUZZY or self.record == STALE:
            return "changed since reviewed: needs review"
        return "reviewed" if self.record == REVIEWED else "machine-drafted, not reviewed"


def message_review(msgid: str, locale: str, directory: Path | None = None) -> MessageReview:
    """Where `msgid` stands in `locale`'s catalog (read from the .po, so fuzzy shows)."""
    if locale == SOURCE_LOCALE:
        return MessageReview(locale, msgid, TRANSLATED, SOURCE)
    base = directory or LOCALES_DIR
    po_path, _ = catalog_paths(locale, base)
    if not po_path.exists():
        return MessageReview(locale, None, MISSING, DRAFTED)
    text, fuzzy = _catalog(locale, str(base), _stamp(po_path)).get(msgid, ("", False))
    if not text.strip():
        return MessageReview(locale, None, MISSING, DRAFTED)
    record = _records(locale, str(base), _stamp(reviews.reviews_path(locale, base))).get(("", msgid))
    if record is None:
        state = DRAFTED
    else:
        state = REVIEWED if record.translation == text and not fuzzy else STALE
    return MessageReview(locale, text, FUZZY if fuzzy else TRANSLATED, state)


__all__ = ["DRAFTED", "FUZZY", "MISSING", "REVIEWED", "SOURCE", "STALE", "STATE_WORDS",
           "TRANSLATED", "MessageReview", "catalog_summary", "describe", "message_review",
           "review_states"]
