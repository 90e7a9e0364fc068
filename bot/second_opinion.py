"""A second opinion on a patient's reply, from a classifier the operator configures.

Word lists are a floor; crisis language is open-ended. An operator may point
`SAFETY_SECOND_OPINION_URL` at a classifier they host (or one covered by their business
associate agreement). It is asked *after* the word lists have decided and their decision has
been carried out, in its own job, so its failure or slowness never delays that decision; and
its answer can only raise the tier (none -> concern -> urgent), never lower it.

The service receives ``{"text": ..., "locale": ...}`` and answers ``{"tier": "urgent" |
"concern" | "none"}``. Anything else (an error, a timeout, another shape) counts as no
opinion. The text goes to the configured service only; it is never logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

import requests

from bot.settings import Settings

__all__ = ["Classifier", "HttpClassifier", "TIERS", "from_settings", "raised", "tier_of"]

log = logging.getLogger(__name__)
TIERS = ("none", "concern", "urgent")
_RANK = {tier: rank for rank, tier in enumerate(TIERS)}


class Classifier(Protocol):
    """Anything that reads a reply and names its tier, or None when it has no opinion."""

    def tier(self, text: str, locale: str) -> str | None: ...


@dataclass(frozen=True)
class HttpClassifier:
    """The operator's classifier over HTTP(S), with a hard per-request time limit."""

    url: str
    timeout_seconds: float = 3.0

    def tier(self, text: str, locale: str) -> str | None:
        try:
            response = requests.post(self.url, json={"text": text, "locale": locale},
                                     timeout=(self.timeout_seconds, self.timeout_seconds))
            response.raise_for_status()
            answer = response.json()
        except (requests.RequestException, ValueError) as exc:
            log.warning("second opinion unavailable: %s", type(exc).__name__)
            return None
        tier = answer.get("tier") if isinstance(answer, dict) else None
        if tier not in _RANK:
            log.warning("second opinion answered in an unknown shape; ignored")
            return None
        return str(tier)


def from_settings(settings: Settings) -> Classifier | None:
    """The configured classifier, or None (the default: no second opinion)."""
    if not settings.SAFETY_SECOND_OPINION_URL:
        return None
    return HttpClassifier(settings.SAFETY_SECOND_OPINION_URL,
                          settings.SAFETY_SECOND_OPINION_TIMEOUT_MS / 1000)


def tier_of(hit: Any) -> str:
    """The tier the word lists gave a reply (`bot.safety.classify_global`'s answer)."""
    kind = getattr(hit, "kind", None)
    return kind if kind in ("urgent", "concern") else "none"


def raised(lexicon_tier: str, opinion: str | None) -> str | None:
    """The opinion's tier when it is higher than the word lists' one, else None."""
    if opinion is None or _RANK[opinion] <= _RANK.get(lexicon_tier, 0):
        return None
    return opinion
