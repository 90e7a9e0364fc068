"""The translator's round trip: a review sheet out (`outreach i18n export --for-review LANG`),
the signed-off sheet back in (`outreach i18n import FILE`).

The sheet is CSV in UTF-8 with a byte-order mark, so Excel, LibreOffice and Google Sheets open
it with every script intact. One row per message, with what a medical translator needs to judge
it without reading code: the English source, the translation, its context, where it is shown
(flow and state, or the system message), how it travels (SMS encoding and segments, or spoken on
a call, or reply words that are never sent) and the message as a patient would read it with
sample values. The reviewer fills the last columns: `approved` (yes), or a `corrected`
translation, their name and the date.

Import is all or nothing: every row is checked first (known message, the translation still the
one exported, placeholders kept, a reviewer and a date), and one bad row stops the import with
its row and reason, so a half-applied sheet never leaves a catalog in a state nobody reviewed.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

from bot.i18n.catalogs import DOMAIN, LOCALES_DIR, PLACEHOLDER, catalog_paths, placeholder_tokens
from bot.i18n.formatting import format_value
from bot.i18n.reply_words import REPLY_WORDS_CONTEXT
from bot.i18n.reviews import (
    Review,
    load_reviews,
    message_key,
    message_state,
    message_text,
    read_locale_catalog,
    save_reviews,
)
from bot.i18n.sms_segments import segments

#: Columns of the sheet; the reviewer fills the last five.
COLUMNS = ("context", "source", "translation", "state", "where shown", "sent as", "example",
           "approved", "corrected", "reviewer", "reviewed_on", "notes")
YES = frozenset({"yes", "y", "x", "ok", "approved", "true", "1"})
#: Values placeholders take in the rendered example.
SAMPLE_TIMEZONE = "America/New_York"
SAMPLE_NOW = datetime(2026, 3, 2, 15, 0, tzinfo=timezone.utc)
SAMPLE_VALUES: dict[str, Any] = {
    "first_name": "Ana", "program": "Care Outreach", "contact": "555-0100",
    "due_date": date(2026, 3, 5), "missed_date": date(2026, 2, 27), "date": date(2026, 3, 5),
    "slots_1": datetime(2026, 3, 5, 14, 0, tzinfo=timezone.utc),
    "slots_2": datetime(2026, 3, 6, 15, 30, tzinfo=timezone.utc),
    "slots_3": datetime(2026, 3, 9, 13, 0, tzinfo=timezone.utc),
    "chosen_slot": datetime(2026, 3, 6, 15, 30, tzinfo=timezone.utc),
    "start": "8:00", "end": "20:00", "count": 3, "digit": 1, "choice": "yes",
}
VOICE_SOURCES = ("call_messages.py", "voice_messages.py")


class SheetError(ValueError):
    """A review sheet that cannot be imported; the message names the line and the reason."""


@dataclass
class ImportResult:
    locale: str
    approved: int = 0
    corrected: int = 0
    problems: list[str] = field(default_factory=list)


def _template(directory: Path) -> Catalog:
    with (directory / f"{DOMAIN}.pot").open("rb") as fp:
        return read_po(fp)


def _where(message: Message | None) -> str:
    if message is None:
        return ""
    flows = [c for c in message.auto_comments if c.startswith("flow ")]
    return "; ".join(flows or dict.fromkeys(path for path, _ in message.locations))


def _spoken(message: Message | None) -> bool:
    if message is None:
        return False
    if any(c.endswith(", voice") for c in message.auto_comments):
        return True
    return any(path.endswith(VOICE_SOURCES) for path, _ in message.locations)


def example(text: str, locale: str) -> str:
    """`text` with sample values, as the patient would read it."""
    def fill(m: Any) -> str:
        name, kind = m.group(1), m.group(2)
        if name not in SAMPLE_VALUES:
            return str(m.group(0))
        return format_value(SAMPLE_VALUES[name], kind, locale, SAMPLE_TIMEZONE, now=SAMPLE_NOW)
    return PLACEHOLDER.sub(fill, text)


def _sent_as(message: Message, template_message: Message | None, rendered: str) -> str:
    if message.context == REPLY_WORDS_CONTEXT:
        return "reply words (never sent: what patients may write)"
    if _spoken(template_message):
        return "spoken on a call"
    encoding, count = segments(rendered)
    return f"SMS {encoding}, {count} segment{'s' if count != 1 else ''}"


def export_rows(locale: str, directory: Path | None = None) -> list[dict[str, str]]:
    """One row per message of the catalog, source order."""
    directory = directory or LOCALES_DIR
    template = {message_key(m): m for m in _template(directory) if m.id}
    reviews = load_reviews(locale, directory)
    rows = []
    for message in read_locale_catalog(locale, directory):
        if not message.id:
            continue
        key = message_key(message)
        source = message.id if isinstance(message.id, str) else "\n".join(message.id)
        text = message_text(message)
        last = text.split("\n")[-1]
        rendered = example(last, locale)
        rows.append({
            "context": key[0], "source": source, "translation": text,
            "state": message_state(message, reviews.get(key)),
            "where shown": _where(template.get(key)),
            "sent as": _sent_as(message, template.get(key), rendered),
            "example": rendered, "approved": "", "corrected": "", "reviewer": "",
            "reviewed_on": "", "notes": "",
        })
    return rows


def write_sheet(path: Path, rows: Iterable[dict[str, str]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as fp:
        writer = csv.DictWriter(fp, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def locale_of(path: Path) -> str:
    """The locale a sheet is for: `<locale>-review...csv`, as export names it."""
    return path.name.split("-review")[0]


def _check_row(line: int, row: dict[str, str], message: Message | None) -> str | None:
    """Why the row cannot be imported, or None."""
    corrected = (row.get("corrected") or "").strip()
    if message is None:
        return f"row {line}: no message {row.get('source')!r} in this catalog (was it re-extracted?)"
    if message_text(message) != (row.get("translation") or ""):
        return (f"row {line}: the catalog's translation changed since this sheet was exported; "
                "export again and review the current text")
    if not (row.get("reviewer") or "").strip():
        return f"row {line}: approved or corrected but no reviewer named"
    try:
        date.fromisoformat((row.get("reviewed_on") or "").strip())
    except ValueError:
        return f"row {line}: reviewed_on {row.get('reviewed_on')!r} is not a date (YYYY-MM-DD)"
    if corrected:
        expected = placeholder_tokens(row.get("source") or "")
        forms = corrected.split("\n")
        if isinstance(message.string, (tuple, list)) and len(forms) != len(message.string):
            return f"row {line}: the correction has {len(forms)} plural forms, the language has " \
                   f"{len(message.string)} (one per line)"
        if placeholder_tokens(forms[-1]) != expected:
            return (f"row {line}: the correction has placeholders "
                    f"{sorted(placeholder_tokens(forms[-1]))}, the source has {sorted(expected)}")
    return None


def import_sheet(path: Path, directory: Path | None = None, locale: str | None = None) -> ImportResult:
    """Record the sheet's sign-offs (and apply its corrections) for its locale; all or nothing."""
    directory = directory or LOCALES_DIR
    locale = locale or locale_of(path)
    po_path, _ = catalog_paths(locale, directory)
    if not po_path.exists():
        raise SheetError(f"{path.name}: no catalog for locale {locale!r} (name the sheet "
                         "<locale>-review.csv as export does, or pass --locale)")
    with po_path.open("rb") as fp:
        catalog = read_po(fp, locale=locale)
    by_key = {message_key(m): m for m in catalog if m.id}
    with path.open(encoding="utf-8-sig", newline="") as fp:
        reader = csv.DictReader(fp)
        missing = [c for c in ("context", "source", "translation", "approved", "corrected",
                               "reviewer", "reviewed_on") if c not in (reader.fieldnames or [])]
        if missing:
            raise SheetError(f"{path.name}: not a review sheet (missing columns: {', '.join(missing)})")
        rows = list(enumerate(reader, start=2))  # spreadsheet row numbers: the header is row 1
    result = ImportResult(locale)
    signed = []
    for line, row in rows:
        approved = (row.get("approved") or "").strip().lower() in YES
        corrected = (row.get("corrected") or "").strip()
        if not approved and not corrected:
            continue
        key = (row.get("context") or "", row.get("source") or "")
        message = by_key.get(key)
        problem = _check_row(line, row, message)
        if problem:
            result.problems.append(f"{path.name}: {problem}")
            continue
        signed.append((row, message, corrected))
    if result.problems:
        return result
    reviews = load_reviews(locale, directory)
    for row, message, corrected in signed:
        assert message is not None
        if corrected and corrected != message_text(message):
            forms = corrected.split("\n")
            message.string = tuple(forms) if isinstance(message.string, (tuple, list)) else forms[0]
            result.corrected += 1
        else:
            result.approved += 1
        message.flags.discard("fuzzy")
        review = Review(message_key(message)[0], message_key(message)[1], message_text(message),
                        row["reviewer"].strip(), date.fromisoformat(row["reviewed_on"].strip()))
        reviews[review.key] = review
    if result.corrected:
        with po_path.open("wb") as fp:
            write_po(fp, catalog, width=79, ignore_obsolete=True, include_previous=False)
    save_reviews(locale, reviews.values(), directory)
    return result
