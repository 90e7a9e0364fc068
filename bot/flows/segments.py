"""What each text of a flow costs: encoding and SMS segment count in every shipped language.

A carrier bills (and may split or reorder) every 153-character GSM-7 or 67-character UCS-2
part separately, and one curly quote or accented letter outside GSM-7 halves the room. Program
staff see the cost per message and language in `outreach flows check --segments` before a
campaign goes out. Counting is `bot.i18n.sms_segments.segments` over the catalog translation
(`bot.i18n.gate.segment_report`), placeholders counted as written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot import i18n
from bot.flows.schema import Flow
from bot.i18n.gate import segment_report
from bot.i18n.review import MISSING, message_review

#: From this many segments a message is highlighted: long texts cost more and read worse.
LONG_SEGMENTS = 3


@dataclass(frozen=True)
class MessageCost:
    """One SMS text of a flow and its (encoding, segments) per locale."""

    state: str
    where: str  # "say" or "not_understood"
    msgid: str
    cost: dict[str, tuple[str, int]]


def sms_texts(flow: Flow) -> list[tuple[str, str, str]]:
    """(state, where, msgid) of every text the flow can send by SMS, in file order."""
    out = []
    for name, st in flow.states.items():
        if st.say:
            out.append((name, "say", st.say.sms))
        if st.not_understood and st.not_understood.say:
            out.append((name, "not_understood", st.not_understood.say.sms))
        out.extend((name, f"variant {label}", say.sms) for label, say in st.variants)
    return out


def flow_costs(flow: Flow, locales: Sequence[str] = i18n.SHIPPED_LOCALES) -> list[MessageCost]:
    texts = sms_texts(flow)
    rows = segment_report([msgid for _, _, msgid in texts], locales)
    by_key = {(r.msgid, r.locale): (r.encoding, r.segments) for r in rows}
    return [MessageCost(state, where, msgid, {loc: by_key[(msgid, loc)] for loc in locales})
            for state, where, msgid in texts]


def report_lines(flows: Iterable[Flow], locales: Sequence[str] = i18n.SHIPPED_LOCALES) -> list[str]:
    """One line per message and locale: `info: FLOW vN STATE[/not_understood] LOCALE ENCODING N segment(s)`,
    saying so when a language has no translation (the count is then the English text's)."""
    lines = []
    for flow in flows:
        for cost in flow_costs(flow, locales):
            where = cost.state if cost.where == "say" else f"{cost.state}/{cost.where}"
            for locale, (encoding, count) in cost.cost.items():
                long = "  (long)" if count >= LONG_SEGMENTS else ""
                if locale != i18n.SOURCE_LOCALE and message_review(cost.msgid, locale).status == MISSING:
                    long += "  (not translated: the English text is counted)"
                lines.append(f"info: {flow.name} v{flow.version} {where} {locale} {encoding} "
                             f"{count} segment{'s' if count != 1 else ''}{long}")
    return lines
