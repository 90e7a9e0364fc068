"""Helpers for tests: write small catalogs (good or deliberately broken) into a directory."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

#: (msgid | (singular, plural), msgstr | tuple of forms[, {"fuzzy": bool, "context": str}])
Entry = tuple


def write_catalog(directory: Path, locale: str, entries: list[Entry],
                  plural_forms: str | None = None) -> Path:
    catalog = Catalog(locale=locale, fuzzy=False)
    for entry in entries:
        msgid, msgstr = entry[0], entry[1]
        options = entry[2] if len(entry) > 2 else {}
        flags = ["fuzzy"] if options.get("fuzzy") else []
        catalog.add(msgid, msgstr, flags=flags, context=options.get("context"))
    path = directory / locale / "LC_MESSAGES" / "messages.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fp:
        write_po(fp, catalog)
    if plural_forms:  # a deliberately wrong header, e.g. "nplurals=2; plural=(n != 1);"
        text = re.sub(r'"Plural-Forms: .*?\\n"\n(?:"[^"]*\\n"\n)*?(?="MIME)',
                      lambda _: f'"Plural-Forms: {plural_forms}\\n"\n',
                      path.read_text(encoding="utf-8"),
                      flags=re.S)
        path.write_text(text, encoding="utf-8")
    return path


def write_template(directory: Path, msgids: list[str | tuple[str, str]]) -> Path:
    template = Catalog(fuzzy=False)
    for msgid in msgids:
        template.add(msgid)
    path = directory / "messages.pot"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fp:
        write_po(fp, template)
    return path
