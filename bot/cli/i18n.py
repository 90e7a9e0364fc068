"""`outreach i18n extract|update|compile|check|status`.

The same work as `pybabel extract -F pyproject.toml` / `update` / `compile`, done through Babel's
API so it needs no installed entry point, keeps msgids stable across runs (no rewrite when only
the creation date would change), fills the English catalog from its source text, and never
compiles a fuzzy entry.
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po

from bot import i18n as core
from bot.i18n import review_sheet, reviews
from bot.i18n.gate import check_catalogs, read_catalog

ROOT = core.LOCALES_DIR.parent
#: Where messages are extracted from, relative to the project root, and with which method.
METHOD_MAP = [
    ("bot/**.py", "python"),
    ("workers/**.py", "python"),
    ("conversation_flows/*.yaml", "bot.i18n.extract:extract_flows"),
    # Older versions still run: a conversation finishes on the version it started with.
    ("conversation_flows/versions/*.yaml", "bot.i18n.extract:extract_flows"),
]
#: Python markers: N_ (bot/core/messages.py), NC_ (context, bot/i18n/catalogs.py) and the gettext family.
KEYWORDS = {
    "N_": None,
    "NC_": ((1, "c"), 2),
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
}
COMMENT_TAGS = ("TRANSLATORS:",)
_VOLATILE = re.compile(rb'^"(POT-Creation-Date|PO-Revision-Date): .*\\n"$', re.M)


def _write_if_changed(path: Path, data: bytes) -> bool:
    """Write unless only the volatile date headers differ (keeps git history quiet)."""
    if path.exists() and _VOLATILE.sub(b"", path.read_bytes()) == _VOLATILE.sub(b"", data):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def _po_bytes(catalog: Catalog, **options: object) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=79, ignore_obsolete=True, include_previous=False,
             **options)  # type: ignore[arg-type]
    return buffer.getvalue()


def extract_template(root: Path = ROOT) -> Catalog:
    """Every patient-facing msgid in the code and the flows, as a template catalog."""
    template = Catalog(project="care-outreach", version="1",
                       msgid_bugs_address="care-outreach translators", charset="utf-8",
                       copyright_holder="care-outreach", fuzzy=False)
    method_map = [(pattern, method) for pattern, method in METHOD_MAP
                  if (root / pattern.split("/")[0]).exists()]
    for filename, lineno, message, comments, context in extract_from_dir(
        str(root), method_map, {}, KEYWORDS, COMMENT_TAGS, strip_comment_tags=True
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments,
                     context=context)
    return template


def write_template(template: Catalog, directory: Path = core.LOCALES_DIR) -> bool:
    return _write_if_changed(directory / f"{core.DOMAIN}.pot",
                             _po_bytes(template, sort_by_file=True))


def _fill_source(catalog: Catalog) -> None:
    """English is the source language: its catalog repeats the msgid (and is never fuzzy)."""
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, (tuple, list)):
            message.string = (message.id[0],) + (message.id[1],) * (catalog.num_plurals - 1)
        else:
            message.string = message.id
        message.flags.discard("fuzzy")


def update_catalogs(directory: Path = core.LOCALES_DIR,
                    locales: Iterable[str] = core.SHIPPED_LOCALES) -> list[str]:
    """Merge the template into each locale's .po (creating it if absent); returns changed codes.

    Changed msgids come back fuzzy with the old translation as a hint, which the gate rejects
    until a translator reviews them.
    """
    changed = []
    for locale in locales:
        # A fresh template per locale: Catalog.update shares message objects with it.
        template = read_catalog(directory / f"{core.DOMAIN}.pot")
        po_path, _ = core.catalog_paths(locale, directory)
        if po_path.exists():
            catalog = read_catalog(po_path, locale)
            catalog.update(template, update_header_comment=False, update_creation_date=False)
        else:
            catalog = Catalog(locale=locale, domain=core.DOMAIN, project="care-outreach",
                              version="1", copyright_holder="care-outreach",
                              msgid_bugs_address="care-outreach translators", fuzzy=False,
                              language_team=f"{locale} (care-outreach)")
            catalog.update(template, update_header_comment=False)
        if locale == core.SOURCE_LOCALE:
            _fill_source(catalog)
        if _write_if_changed(po_path, _po_bytes(catalog)):
            changed.append(locale)
    core.clear_caches()
    return changed


@dataclass(frozen=True)
class Completeness:
    locale: str
    total: int
    translated: int
    fuzzy: int

    @property
    def missing(self) -> int:
        return self.total - self.translated - self.fuzzy


def completeness(locale: str, directory: Path = core.LOCALES_DIR) -> Completeness:
    template = read_catalog(directory / f"{core.DOMAIN}.pot")
    wanted = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in template if m.id}
    po_path, _ = core.catalog_paths(locale, directory)
    if not po_path.exists():
        return Completeness(locale, len(wanted), 0, 0)
    translated = fuzzy = 0
    for m in read_catalog(po_path, locale):
        key = (m.id if isinstance(m.id, str) else m.id[0], m.context)
        if not m.id or key not in wanted:
            continue
        forms = m.string if isinstance(m.string, (tuple, list)) else [m.string]
        if all(f and f.strip() for f in forms):
            if m.fuzzy:
                fuzzy += 1
            else:
                translated += 1
    return Completeness(locale, len(wanted), translated, fuzzy)


def compile_catalogs(directory: Path = core.LOCALES_DIR,
                     locales: Iterable[str] = core.SHIPPED_LOCALES) -> list[tuple[str, int, int]]:
    """Write each .mo from its .po, leaving fuzzy entries out; returns (locale, kept, skipped)."""
    results = []
    for locale in locales:
        po_path, mo_path = core.catalog_paths(locale, directory)
        if not po_path.exists():
            continue
        catalog = read_catalog(po_path, locale)
        entries = [m for m in catalog if m.id]
        skipped = sum(1 for m in entries if m.fuzzy)
        with mo_path.open("wb") as fp:
            write_mo(fp, catalog, use_fuzzy=False)
        results.append((locale, len(entries) - skipped, skipped))
    core.clear_caches()
    return results


@click.group()
def i18n() -> None:
    """Translation catalogs."""


@i18n.command()
def extract() -> None:
    """Collect every msgid from the code and the flows into locales/messages.pot."""
    template = extract_template()
    changed = write_template(template)
    click.echo(f"{len(template)} messages; messages.pot {'updated' if changed else 'unchanged'}")


@i18n.command()
def update() -> None:
    """Merge messages.pot into every shipped catalog (new or changed msgids need translating)."""
    changed = update_catalogs()
    click.echo(f"updated: {', '.join(changed) if changed else 'nothing changed'}")


@i18n.command(name="compile")
def compile_() -> None:
    """Build the .mo files (fuzzy entries are left out)."""
    for locale, kept, skipped in compile_catalogs():
        note = f", {skipped} fuzzy left out" if skipped else ""
        click.echo(f"{locale}: {kept} messages{note}")


@i18n.command()
@click.option("--segments", "show_segments", is_flag=True,
              help="Also print each message's SMS encoding and segment count per locale.")
def check(show_segments: bool) -> None:
    """Fail on missing, empty or fuzzy translations, placeholder or plural errors, needless
    non-GSM characters in English/Spanish, and a template that no longer matches the sources."""
    problems = [str(p) for p in check_catalogs()]
    template_path = core.LOCALES_DIR / f"{core.DOMAIN}.pot"
    if template_path.exists():
        current = {(m.id if isinstance(m.id, str) else m.id[0], m.context)
                   for m in extract_template() if m.id}
        stored = {(m.id if isinstance(m.id, str) else m.id[0], m.context)
                  for m in read_catalog(template_path) if m.id}
        for msgid, _ in sorted(current - stored, key=str):
            problems.append(f"messages.pot: {msgid!r}: stale template: not extracted yet "
                            "(run `outreach i18n extract` then `update`)")
        for msgid, _ in sorted(stored - current, key=str):
            problems.append(f"messages.pot: {msgid!r}: stale template: no longer in the sources")
    if show_segments:
        from bot.i18n.gate import segment_report

        msgids = [m.id for m in read_catalog(template_path) if m.id and isinstance(m.id, str)
                  and not m.context]
        for row in segment_report(msgids):
            click.echo(f"{row.locale:8} {row.encoding:6} {row.segments:2} seg "
                       f"{row.chars:4} ch  {row.msgid[:60]!r}")
    for line in problems:
        click.echo(line, err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s)", err=True)
        sys.exit(1)
    click.echo(f"all {len(core.SHIPPED_LOCALES)} catalogs complete")


@i18n.command()
def status() -> None:
    """Each catalog's review state (from locales/<locale>/reviews.csv) and completeness."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Catalogs")
    for heading in ("Locale", "Language", "Review state", "Reviewed", "Stale", "Last review",
                    "Translated", "Fuzzy", "Missing"):
        table.add_column(heading)
    for locale in core.SHIPPED_LOCALES:
        done = completeness(locale)
        review = reviews.summary(locale)
        last = f"{review.last_reviewer}, {review.last_date}" if review.last_reviewer else "-"
        table.add_row(locale, core.babel_locale(locale).get_display_name("en") or locale,
                      review.state,
                      "-" if locale == core.SOURCE_LOCALE else f"{review.reviewed}/{review.total}",
                      str(review.stale), last,
                      f"{done.translated}/{done.total}", str(done.fuzzy), str(done.missing))
    Console(width=160).print(table)


@i18n.command(name="export")
@click.option("--for-review", "locale", required=True, type=click.Choice(core.SHIPPED_LOCALES[1:]),
              help="The language a medical translator will review.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the sheet (default: <locale>-review.csv here).")
def export_(locale: str, output: Path | None) -> None:
    """Write a review sheet (CSV) for one language: source, translation, context, where it is
    shown, SMS segments and encoding, a rendered example; the reviewer fills the last columns."""
    path = output or Path(f"{locale}-review.csv")
    count = review_sheet.write_sheet(path, review_sheet.export_rows(locale))
    click.echo(f"{path}: {count} messages for review in {locale}")


@i18n.command(name="import")
@click.argument("sheet", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--locale", default=None, type=click.Choice(core.SHIPPED_LOCALES[1:]),
              help="The sheet's language (default: from its name, <locale>-review.csv).")
def import_(sheet: Path, locale: str | None) -> None:
    """Record a returned review sheet: each approved or corrected row gets its reviewer and
    date in locales/<locale>/reviews.csv; corrections go into the catalog. All or nothing."""
    try:
        result = review_sheet.import_sheet(sheet, locale=locale)
    except review_sheet.SheetError as exc:
        raise click.ClickException(str(exc)) from None
    for problem in result.problems:
        click.echo(problem, err=True)
    if result.problems:
        click.echo(f"{len(result.problems)} problem(s); nothing imported", err=True)
        sys.exit(1)
    click.echo(f"{result.locale}: {result.approved} approved, {result.corrected} corrected "
               f"(recorded in {reviews.reviews_path(result.locale)})")
    if result.corrected:
        compile_catalogs(locales=[result.locale])
