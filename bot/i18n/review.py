"""Translation review state: which catalogs a qualified translator has signed off, and the state
of one message in one catalog.

A catalog's review state is the table in locales/README.md (`outreach i18n status` prints it):
`source` (English), `drafted` (machine-drafted, not reviewed) or `reviewed`. A message within a
catalog is `missing` (no translation), `fuzzy` (changed since it was translated; never sent) or
`translated`. A message counts as reviewed only when it is translated, not fuzzy, in a catalog
whose state is `reviewed`; everything else is a draft no program should treat as approved
patient material.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from bot.i18n.catalogs import LOCALES_DIR, SHIPPED_LOCALES, SOURCE_LOCALE, catalog_paths

README = LOCALES_DIR / "README.md"
SOURCE, REVIEWED, DRAFTED = "source", "reviewed", "drafted"
#: How the staff pages describe a catalog's state.
STATE_WORDS = {
    SOURCE: "Source text",
    DRAFTED: "Machine draft, not yet reviewed by a medical translator",
    REVIEWED: "Reviewed by a medical translator",
}
MISSING, FUZZY, TRANSLATED = "missing", "fuzzy", "translated"


def review_states(readme: Path = README) -> dict[str, dict[str, str]]:
    """The review-state table of locales/README.md: locale -> {language, state, reviewer, date}."""
    rows: dict[str, dict[str, str]] = {}
    if not readme.exists():
        return rows
    text = readme.read_text(encoding="utf-8")
    block = text.split("<!-- review-state:start -->")[-1].split("<!-- review-state:end -->")[0]
    for line in block.splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) >= 5 and cells[0] in SHIPPED_LOCALES:
            rows[cells[0]] = dict(zip(("language", "state", "reviewer", "date"), cells[1:5], strict=True))
    return rows


def describe(locale: str, readme: Path = README) -> str:
    """The review state of `locale`'s catalog in words, with the reviewer when there is one."""
    row = review_states(readme).get(locale)
    if row is None:
        return "Review state unknown: treat as an unreviewed draft"
    words = STATE_WORDS.get(row["state"], row["state"])
    if row["state"] == REVIEWED and row.get("reviewer") not in (None, "", "-"):
        words += f" ({row['reviewer']}, {row['date']})"
    return words


@dataclass(frozen=True)
class MessageReview:
    """One msgid in one locale: its translation (or None) and where it stands."""

    locale: str
    text: str | None
    status: str  # missing | fuzzy | translated
    catalog_state: str  # source | reviewed | drafted | unknown

    @property
    def reviewed(self) -> bool:
        return self.catalog_state == SOURCE or (self.status == TRANSLATED and self.catalog_state == REVIEWED)

    def describe(self) -> str:
        """"reviewed", "machine-drafted, not reviewed", "changed, needs review", "no translation"."""
        if self.catalog_state == SOURCE:
            return "source text"
        if self.status == MISSING:
            return "no translation"
        if self.status == FUZZY:
            return "changed since translated: needs review"
        return "reviewed" if self.catalog_state == REVIEWED else "machine-drafted, not reviewed"


def _read(path: Path, locale: str) -> Catalog:
    with path.open("rb") as fp:
        return read_po(fp, locale=locale)


@lru_cache(maxsize=32)
def _catalog(locale: str, directory: str, stamp: float) -> dict[str, tuple[str, bool]]:
    """msgid -> (translation, fuzzy) for a locale's .po; cached until the file changes."""
    po_path, _ = catalog_paths(locale, Path(directory))
    out: dict[str, tuple[str, bool]] = {}
    for m in _read(po_path, locale):
        if m.id and isinstance(m.id, str) and not m.context and isinstance(m.string, str):
            out[m.id] = (m.string, m.fuzzy)
    return out


def message_review(msgid: str, locale: str, directory: Path | None = None,
                   states: dict[str, dict[str, str]] | None = None) -> MessageReview:
    """Where `msgid` stands in `locale`'s catalog (read from the .po, so fuzzy shows)."""
    base = directory or LOCALES_DIR
    states = review_states(base / "README.md") if states is None else states
    catalog_state = SOURCE if locale == SOURCE_LOCALE else states.get(locale, {}).get("state", "unknown")
    if locale == SOURCE_LOCALE:
        return MessageReview(locale, msgid, TRANSLATED, SOURCE)
    po_path, _ = catalog_paths(locale, base)
    if not po_path.exists():
        return MessageReview(locale, None, MISSING, catalog_state)
    entries = _catalog(locale, str(base), po_path.stat().st_mtime)
    text, fuzzy = entries.get(msgid, ("", False))
    if not text.strip():
        return MessageReview(locale, None, MISSING, catalog_state)
    return MessageReview(locale, text, FUZZY if fuzzy else TRANSLATED, catalog_state)


__all__ = ["DRAFTED", "FUZZY", "MISSING", "REVIEWED", "SOURCE", "STATE_WORDS", "TRANSLATED",
           "MessageReview", "describe", "message_review", "review_states"]
