"""Small pieces of patient data as staff read them: phone numbers and consent in words."""

from __future__ import annotations

import phonenumbers
from flask import Blueprint

from bot.store.models import CONSENT_GRANTED, CONSENT_REVOKED

#: Numbers in this region are shown in national form ("(617) 555-0999"), others in
#: international form; the `tel:` link always carries the stored E.164 number.
HOME_REGION = "US"
#: Consent states in words (the registry's filter offers these).
CONSENT_WORDS: dict[str, str] = {
    str(CONSENT_GRANTED): "Texts allowed",
    str(CONSENT_REVOKED): "Opted out (STOP)",
}


def phone_display(number: str | None) -> str:
    """A stored E.164 number as people write it; unparseable text is shown unchanged."""
    if not number:
        return "—"
    try:
        parsed = phonenumbers.parse(number, HOME_REGION)
    except phonenumbers.NumberParseException:
        return number
    region = phonenumbers.region_code_for_number(parsed)
    style = (phonenumbers.PhoneNumberFormat.NATIONAL if region == HOME_REGION
             else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(parsed, style)


def register(bp: Blueprint) -> None:
    bp.add_app_template_filter(phone_display, "phone_display")
    bp.app_context_processor(lambda: {"consent_words": CONSENT_WORDS})
