"""A flow's reply words in the patient's language, kept in the catalogs beside its texts.

An expected answer's `keywords` (the words, not the menu digits) are one catalog entry with
the context `REPLY_WORDS_CONTEXT`: the msgid is the English list joined by `SEPARATOR`
("good | great | fine"), the translation the words patients really write in that language,
as many as the translator knows ("bien | muy bien | excelente | todo bien"). Keeping them in
the catalogs means `outreach i18n extract` finds them, the gate wants them in every language,
and the medical translator reviews them with the texts that ask for them.

A reply is matched against the patient's language's words plus the English ones: patients
mix English into their own language, and an English reply must never stop working because the
catalog for the patient's language is incomplete.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

from bot.i18n.catalogs import LOCALES_DIR, SOURCE_LOCALE, catalog_paths, pgettext

#: msgctxt of every reply-word entry: tells the translator (and the gate) it is a word list.
REPLY_WORDS_CONTEXT = "reply words"
#: Between the words of one answer, in the msgid and in every translation.
SEPARATOR = " | "


def words_only(keywords: Iterable[str]) -> tuple[str, ...]:
    """The keywords that are words: menu digits ("1") are the same in every language."""
    return tuple(k for k in keywords if k.strip() and not k.strip().isdigit())


def msgid_for(keywords: Iterable[str]) -> str | None:
    """The catalog msgid of an answer's words ("good | great"), or None when it has none."""
    words = words_only(keywords)
    return SEPARATOR.join(w.strip() for w in words) if words else None


def split(text: str) -> tuple[str, ...]:
    """The words of one catalog entry: separated by `|`, blanks dropped, order kept."""
    return tuple(dict.fromkeys(w.strip() for w in text.split("|") if w.strip()))


def _translated(msgid: str, locale: str) -> tuple[str, ...]:
    text = pgettext(REPLY_WORDS_CONTEXT, msgid, locale)
    return () if text == msgid else split(text)


def reply_words(keywords: Iterable[str], locale: str) -> tuple[str, ...]:
    """The words that give this answer in `locale`: the translation's words, then English."""
    msgid = msgid_for(keywords)
    if msgid is None:
        return ()
    english = words_only(keywords)
    if locale == SOURCE_LOCALE:
        return english
    return tuple(dict.fromkeys((*_translated(msgid, locale), *english)))


@lru_cache(maxsize=64)
def _own_entries(po_path: str, mtime: float) -> dict[str, str]:
    """Reply-word msgid -> translation of one .po file, fuzzy and empty entries left out."""
    path = Path(po_path)
    if not path.exists():
        return {}
    with path.open("rb") as fp:
        catalog = read_po(fp)
    return {str(m.id): str(m.string) for m in catalog
            if m.context == REPLY_WORDS_CONTEXT and m.id and m.string and not m.fuzzy}


def has_own_words(keywords: Iterable[str], locale: str, directory: Path | None = None) -> bool:
    """The catalog of `locale` itself (not a fallback) gives words of its own for this answer:
    present, not fuzzy, not a copy of the English."""
    msgid = msgid_for(keywords)
    if msgid is None or locale == SOURCE_LOCALE:
        return True
    po_path, _ = catalog_paths(locale, directory or LOCALES_DIR)
    mtime = po_path.stat().st_mtime if po_path.exists() else 0.0
    own = _own_entries(str(po_path), mtime).get(msgid, "")
    return bool(split(own)) and own.strip() != msgid
