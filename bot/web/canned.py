"""The reply box's approved templates: listed in the staff member's language, sent in the
patient's, each with the review state of the patient's catalog beside it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import canned_replies, negotiate, review
from bot.web import languages


@dataclass(frozen=True)
class CannedOption:
    key: str
    #: What the template says, in the staff member's language.
    label: str
    #: What the patient will receive, in theirs.
    patient_text: str


@dataclass(frozen=True)
class CannedMenu:
    options: list[CannedOption]
    #: The catalog the patient's text comes from, and its review state in words.
    patient_locale: str
    review: str

    def text_for(self, key: str) -> str | None:
        return next((o.patient_text for o in self.options if o.key == key), None)


def menu(patient_language: str | None) -> CannedMenu:
    staff = languages.staff_locale()
    patient_catalog = negotiate(patient_language)
    options = [CannedOption(c.key, canned_replies.text(c.key, staff),
                            canned_replies.text(c.key, patient_catalog))
               for c in canned_replies.CANNED_REPLIES]
    return CannedMenu(options, patient_catalog, review.describe(patient_catalog))
