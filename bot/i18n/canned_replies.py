"""Approved reply templates ("canned replies") the care team can send in the patient's language.

An English-speaking nurse answering a Spanish- or Arabic-speaking patient picks a template by
its meaning in her own language, and the patient receives the catalog's translation in theirs:
translated and reviewed like flow texts (msgctxt "canned reply" in locales/), never typed
through a web translator. Free text stays possible for everything these do not cover.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n.catalogs import NC_, negotiate, pgettext

CONTEXT = "canned reply"


@dataclass(frozen=True)
class CannedReply:
    key: str
    msgid: str


#: The approved templates, in the order the reply box lists them.
CANNED_REPLIES: tuple[CannedReply, ...] = (
    CannedReply("got_it", NC_(
        "canned reply",
        "We got your message. Someone from your care team will answer you today.")),
    CannedReply("call_soon", NC_(
        "canned reply",
        "This is your care team. We will call you at this number within the hour.")),
    CannedReply("refill_ready", NC_(
        "canned reply",
        "Your refill is ready. You can pick it up at the pharmacy today.")),
    CannedReply("call_back", NC_(
        "canned reply",
        "We tried to reach you. Please call us back when you can.")),
    CannedReply("emergency", NC_(
        "canned reply",
        "If this is an emergency, call 911 now. For a mental health crisis, call or text 988.")),
)
BY_KEY = {c.key: c for c in CANNED_REPLIES}


def text(key: str, language: str | None) -> str:
    """The template `key` in the catalog nearest to `language` (KeyError for an unknown key)."""
    return pgettext(CONTEXT, BY_KEY[key].msgid, negotiate(language))
