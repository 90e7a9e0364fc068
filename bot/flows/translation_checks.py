"""Translation in the authoring loop: warn when a flow text has no reviewed translation.

A flow's texts reach a patient in the patient's language only through the catalogs in
locales/ (`outreach i18n extract`, translators, review, `outreach i18n compile`); until then a
Spanish-speaking patient gets the English text beside Spanish system messages. These warnings
run in `outreach flows check` (not on every load: they read the catalogs) for the languages the
program serves. Texts are found by the catalog extractor itself (bot.i18n.extract), so what is
checked is exactly what translators receive.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

from bot.flows.issues import WARNING, Issue
from bot.flows.schema import Flow
from bot.i18n import SOURCE_LOCALE
from bot.i18n.extract import extract_flows
from bot.i18n.review import MISSING, MessageReview, message_review

GUIDE = 'see "Get your flow translated" in conversation_flows/README.md'


def flow_texts(path: str | Path) -> list[tuple[int, str]]:
    """(line, msgid) of every patient-facing text in a flow file, in file order. Reply words
    (a pgettext pair) are left out: they are what patients type, not what they read."""
    data = Path(path).read_bytes()
    return [(line, text) for line, _, text, _ in extract_flows(io.BytesIO(data), {}, (), {})
            if isinstance(text, str)]


def translation_issues(flows: Iterable[Flow], locales: Iterable[str],
                       directory: Path | None = None) -> list[Issue]:
    """One warning per text missing or changed in some served language, and one per flow naming
    the languages whose translations of it are machine drafts nobody has reviewed yet."""
    served = [loc for loc in dict.fromkeys(locales) if loc != SOURCE_LOCALE]
    if not served:
        return []
    base = directory
    issues: list[Issue] = []
    for flow in flows:
        if not flow.path or not Path(flow.path).is_file():
            continue
        drafted: set[str] = set()
        texts = flow_texts(flow.path)
        for line, msgid in texts:
            reviews = [message_review(msgid, loc, base) for loc in served]
            gaps = [r for r in reviews if r.status != "translated"]
            drafted |= {r.locale for r in reviews if r.status == "translated" and not r.reviewed}
            if gaps:
                issues.append(Issue(flow.path, line, 1, _gap_message(msgid, gaps), WARNING))
        if drafted and texts:
            langs = ", ".join(loc for loc in served if loc in drafted)
            issues.append(Issue(flow.path, 1, 1,
                                f'the texts of flow "{flow.name}" are machine-drafted, not reviewed by a '
                                f"qualified translator, in: {langs} (outreach i18n status; {GUIDE})",
                                WARNING))
    return issues


def _gap_message(msgid: str, gaps: list[MessageReview]) -> str:
    short = msgid if len(msgid) <= 50 else msgid[:47] + "..."
    missing = [r.locale for r in gaps if r.status == MISSING]
    changed = [r.locale for r in gaps if r.status != MISSING]
    parts = []
    if missing:
        parts.append(f"is not translated in {', '.join(missing)}")
    if changed:
        parts.append(f"was changed since it was translated (needs review) in {', '.join(changed)}")
    return (f'"{short}" {" and ".join(parts)}: patients in those languages would not get it in '
            f"their language ({GUIDE})")
