"""A machine-translation gloss of the patient's words for staff, when an operator configures one.

Staff who do not read the patient's language see what the product understood; some programs
also want a rough translation of the words themselves. That means sending patient text to a
translation service, so it is off unless an operator sets `TRANSLATION_GLOSS_URL` (a service
they host or one covered by their business associate agreement). The page marks the result as
machine translation, never as the patient's words, and shows nothing when the service fails.

The service receives ``{"text": ..., "source": "es", "target": "en"}`` and answers
``{"translation": "..."}``; anything else counts as no gloss. The text is never logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

import requests

from bot.settings import Settings

log = logging.getLogger(__name__)

#: Longest gloss shown (characters); a service answering with more is not believed.
MAX_GLOSS = 2000


class Glosser(Protocol):
    """Anything that translates a patient's text for staff, or None when it cannot."""

    def gloss(self, text: str, source: str, target: str) -> str | None: ...


@dataclass(frozen=True)
class HttpGlosser:
    """The operator's translation service over HTTP(S), with a hard per-request time limit."""

    url: str
    timeout_seconds: float = 2.0

    def gloss(self, text: str, source: str, target: str) -> str | None:
        try:
            response = requests.post(self.url, json={"text": text, "source": source,
                                                     "target": target},
                                     timeout=(self.timeout_seconds, self.timeout_seconds))
            response.raise_for_status()
            answer = response.json()
        except (requests.RequestException, ValueError) as exc:
            log.warning("translation gloss unavailable: %s", type(exc).__name__)
            return None
        translation = answer.get("translation") if isinstance(answer, dict) else None
        if not isinstance(translation, str) or not translation.strip() \
                or len(translation) > MAX_GLOSS:
            log.warning("translation gloss answered in an unexpected shape")
            return None
        return translation.strip()


def from_settings(settings: Settings) -> Glosser | None:
    """The configured glosser, or None (the default: no patient text leaves the program)."""
    if not settings.TRANSLATION_GLOSS_URL:
        return None
    return HttpGlosser(settings.TRANSLATION_GLOSS_URL,
                       settings.TRANSLATION_GLOSS_TIMEOUT_MS / 1000)
