"""Reply understanding: what did the patient mean?

INTERFACE CONTRACT (used by bot/engine.py; the full multilingual implementation replaces the
minimal one below without changing these signatures):

- `normalize(text) -> str`: lower case, accents folded, punctuation/emoji reduced, spaces squeezed.
- `match(intent, text, locale, *, params=None, now=None, timezone=None) -> Match | None` for the
  built-in intents: yes, no, help, number (params: min, max), choice (params: options = list of
  {value, keywords}), date.
- `match_keywords(text, keywords, locale) -> bool` for flow-defined keyword lists.
- `BUILTIN_INTENTS`: the names `match` accepts.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

BUILTIN_INTENTS = ("yes", "no", "help", "number", "choice", "date")


@dataclass(frozen=True)
class Match:
    intent: str
    value: Any = None


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^\w\s#]", " ", text)
    return " ".join(text.split())


_YES = {"yes", "y", "yeah", "yep", "ok", "okay", "sure", "si"}
_NO = {"no", "n", "nope", "nah"}


def match(
    intent: str,
    text: str,
    locale: str,
    *,
    params: dict[str, Any] | None = None,
    now: datetime | None = None,
    timezone: str | None = None,
) -> Match | None:
    words = normalize(text).split()
    params = params or {}
    if intent == "yes" and words and words[0] in _YES:
        return Match("yes", True)
    if intent == "no" and words and words[0] in _NO:
        return Match("no", False)
    if intent == "help" and "help" in words:
        return Match("help")
    if intent == "number":
        for w in words:
            if w.lstrip("#").isdigit():
                n = int(w.lstrip("#"))
                if params.get("min", n) <= n <= params.get("max", n):
                    return Match("number", n)
    return None


def match_keywords(text: str, keywords: list[str], locale: str) -> bool:
    norm = f" {normalize(text)} "
    return any(f" {normalize(k)} " in norm for k in keywords)
