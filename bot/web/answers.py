"""The patient's structured answers (what a flow saved with `save_as`) as labelled fields.

A chosen appointment slot, the barrier to a refill or a rating otherwise exists only inside a
message in the patient's language; staff read it here as a field in their own words.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask import Blueprint

from bot.web import timefmt

#: `save_as` names the flows use, and how staff read them. Others are shown by their name.
ANSWER_LABELS: dict[str, str] = {
    "chosen_slot": "Chosen appointment time",
    "barrier": "What is in the way",
    "decline_reason": "Reason for declining",
    "need": "What the patient needs",
    "score": "Rating",
}
#: Naive times in a conversation's context are UTC (as in bot.i18n.formatting).


def _value(value: Any) -> str:
    if isinstance(value, str):
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            return value.replace("_", " ")
        if "T" in value or " " in value:
            return timefmt.localtime(when if when.tzinfo else when.replace(tzinfo=timezone.utc))
        return value
    if isinstance(value, (list, tuple)):
        return ", ".join(_value(v) for v in value)
    return str(value)


def register(bp: Blueprint) -> None:
    bp.add_app_template_filter(structured_answers, "structured_answers")


def structured_answers(context: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(label, value) for each answer the conversation saved, in the labels' order."""
    if not context:
        return []
    return [(label, _value(context[key])) for key, label in ANSWER_LABELS.items()
            if context.get(key) not in (None, "", [])]
