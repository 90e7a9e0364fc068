"""Each catalog's review state, from the table in locales/README.md.

A machine-drafted translation is not approved patient material until a qualified medical
translator signs it off; the table says which catalogs are which, and both `outreach i18n
status` and the staff pages (canned replies) show it.
"""

from __future__ import annotations

from pathlib import Path

from bot.i18n.catalogs import LOCALES_DIR, SHIPPED_LOCALES

README = LOCALES_DIR / "README.md"
#: How the staff pages describe each state.
STATE_WORDS = {
    "source": "Source text",
    "drafted": "Machine draft, not yet reviewed by a medical translator",
    "reviewed": "Reviewed by a medical translator",
}


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
    if row["state"] == "reviewed" and row.get("reviewer") not in (None, "", "-"):
        words += f" ({row['reviewer']}, {row['date']})"
    return words
