"""Who reviewed which translation, and when: the records a catalog's review state comes from.

Each translated locale keeps `locales/<locale>/reviews.csv`, one row per message a qualified
medical translator signed off: context, msgid, the exact translation they approved, reviewer
and date. A file in the repository (not a database table) because it must survive deploys and
every environment, and because a sign-off should be read in a pull request like the catalog it
approves. Rows are sorted, so a review shows in git as the lines it added.

A message is `reviewed` while its catalog translation is still the one approved; a later edit
makes it `stale` (approved once, changed since) until it is reviewed again; anything else is
`drafted` (machine-drafted or never signed off). English is the source and needs no review.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from bot.i18n.catalogs import LOCALES_DIR, SOURCE_LOCALE, catalog_paths

REVIEWS_FILE = "reviews.csv"
COLUMNS = ("context", "msgid", "translation", "reviewer", "reviewed_on")
REVIEWED, STALE, DRAFTED, SOURCE = "reviewed", "stale", "drafted", "source"

Key = tuple[str, str]  # (context or "", msgid)


@dataclass(frozen=True)
class Review:
    context: str
    msgid: str
    translation: str
    reviewer: str
    reviewed_on: date

    @property
    def key(self) -> Key:
        return self.context, self.msgid


@dataclass(frozen=True)
class LocaleReview:
    """A catalog's review state, counted from its records."""

    locale: str
    total: int
    reviewed: int
    stale: int
    last_reviewer: str | None = None
    last_date: date | None = None

    @property
    def state(self) -> str:
        if self.locale == SOURCE_LOCALE:
            return SOURCE
        if self.total and self.reviewed == self.total:
            return REVIEWED
        if self.reviewed or self.stale:
            return f"in review ({self.reviewed}/{self.total})"
        return DRAFTED


def reviews_path(locale: str, directory: Path | None = None) -> Path:
    return (directory or LOCALES_DIR) / locale / REVIEWS_FILE


def message_key(message: Message) -> Key:
    msgid = message.id[0] if isinstance(message.id, (tuple, list)) else message.id
    return message.context or "", str(msgid)


def message_text(message: Message) -> str:
    """The translation as reviewed: plural forms joined by a line break."""
    if isinstance(message.string, (tuple, list)):
        return "\n".join(str(s) for s in message.string)
    return str(message.string or "")


def load_reviews(locale: str, directory: Path | None = None) -> dict[Key, Review]:
    path = reviews_path(locale, directory)
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as fp:
        rows = list(csv.DictReader(fp))
    return {(r["context"], r["msgid"]): Review(r["context"], r["msgid"], r["translation"],
                                               r["reviewer"], date.fromisoformat(r["reviewed_on"]))
            for r in rows}


def save_reviews(locale: str, reviews: Iterable[Review], directory: Path | None = None) -> Path:
    path = reviews_path(locale, directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fp:
        writer = csv.writer(fp, lineterminator="\n")
        writer.writerow(COLUMNS)
        for r in sorted(reviews, key=lambda r: r.key):
            writer.writerow((r.context, r.msgid, r.translation, r.reviewer, r.reviewed_on.isoformat()))
    return path


def read_locale_catalog(locale: str, directory: Path | None = None) -> Catalog:
    po_path, _ = catalog_paths(locale, directory or LOCALES_DIR)
    with po_path.open("rb") as fp:
        return read_po(fp, locale=locale)


def message_state(message: Message, review: Review | None) -> str:
    if review is None or message.fuzzy:
        return STALE if review is not None else DRAFTED
    return REVIEWED if review.translation == message_text(message) else STALE


def states(locale: str, directory: Path | None = None) -> dict[Key, str]:
    """Each message of the catalog -> reviewed | stale | drafted."""
    reviews = load_reviews(locale, directory)
    return {message_key(m): message_state(m, reviews.get(message_key(m)))
            for m in read_locale_catalog(locale, directory) if m.id}


def summary(locale: str, directory: Path | None = None) -> LocaleReview:
    found: Mapping[Key, str] = states(locale, directory)
    reviews = load_reviews(locale, directory)
    current = [reviews[k] for k, s in found.items() if s == REVIEWED]
    last = max(current, key=lambda r: r.reviewed_on, default=None)
    return LocaleReview(locale, len(found), sum(s == REVIEWED for s in found.values()),
                        sum(s == STALE for s in found.values()),
                        last.reviewer if last else None, last.reviewed_on if last else None)
