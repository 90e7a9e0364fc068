"""How to reach a FHIR patient: which number, by SMS or by call, in which time zone.

SMS goes to a mobile number (`telecom.system` sms, or phone with use mobile), best `rank` first;
a patient with only landlines (home/work phones) is called instead, with the same flow. FHIR
Patient has no time-zone field, so the zone comes from the address's US state when there is
one, else the program default.
"""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers

from bot.panel.records import PatientRecord, Phone

SMS = "sms"
VOICE = "voice"

#: The zone most of each US state, district or territory lives in (postal code -> IANA name).
STATE_ZONES: dict[str, str] = {
    **dict.fromkeys(("CT", "DE", "DC", "FL", "GA", "IN", "ME", "MD", "MA", "MI", "NH", "NJ",
                     "NY", "NC", "OH", "PA", "RI", "SC", "VT", "VA", "WV"), "America/New_York"),
    **dict.fromkeys(("AL", "AR", "IL", "IA", "KS", "KY", "LA", "MN", "MS", "MO", "NE", "ND",
                     "OK", "SD", "TN", "TX", "WI"), "America/Chicago"),
    **dict.fromkeys(("CO", "ID", "MT", "NM", "UT", "WY"), "America/Denver"),
    "AZ": "America/Phoenix",
    **dict.fromkeys(("CA", "NV", "OR", "WA"), "America/Los_Angeles"),
    "AK": "America/Anchorage", "HI": "Pacific/Honolulu", "PR": "America/Puerto_Rico",
    "VI": "America/St_Thomas", "GU": "Pacific/Guam", "AS": "Pacific/Pago_Pago",
    "MP": "Pacific/Saipan",
}


@dataclass(frozen=True)
class Reach:
    """The number to use (E.164) and the channel; `phone` None when none is usable."""

    phone: str | None
    channel: str
    why: str = ""


def e164(raw: str, region: str = "US") -> str | None:
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _texts(phone: Phone) -> bool:
    return phone.system == "sms" or phone.use == "mobile"


def reach(patient: PatientRecord) -> Reach:
    """Mobile numbers by rank for SMS; else landlines by rank for calls."""
    usable = [p for p in patient.phones if p.use != "old"]
    ordered = sorted(usable, key=lambda p: (p.rank is None, p.rank or 0))
    for want_text in (True, False):
        for phone in ordered:
            if _texts(phone) != want_text:
                continue
            number = e164(phone.value)
            if number is not None:
                return Reach(number, SMS if want_text else VOICE)
    if patient.phones:
        return Reach(None, SMS, "no valid phone number")
    return Reach(None, SMS, "no phone number on file")


def timezone_for(patient: PatientRecord, default: str) -> str:
    return STATE_ZONES.get((patient.state or "").strip().upper(), default)
