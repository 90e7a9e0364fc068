"""System messages: what the product says outside any flow, as gettext msgids.

Every one of these is extracted into locales/messages.pot and must be translated in every
shipped language (`outreach i18n check`). `{program}` and `{contact}` come from settings.
"""

from __future__ import annotations


def N_(msgid: str) -> str:
    """Mark a msgid for extraction without translating it here."""
    return msgid


STOP_CONFIRMATION = N_(
    "You are unsubscribed from {program} messages and will get no more texts. "
    "Reply START to subscribe again. For help call {contact}."
)
START_CONFIRMATION = N_(
    "You are subscribed again to {program} messages. Reply HELP for help or STOP to unsubscribe."
)
HELP_REPLY = N_(
    "{program}: messages from your care team. For help call {contact}. "
    "Msg & data rates may apply. Reply STOP to unsubscribe."
)
CRISIS_REPLY = N_(
    "If you are in danger or this is an emergency, call 911 now. If you are thinking about "
    "suicide or self-harm, call or text 988 (Suicide & Crisis Lifeline). A member of your care "
    "team has been told and will contact you soon."
)
URGENT_MEDICAL_REPLY = N_(
    "If this is an emergency, call 911 now. A member of your care team has been told and will "
    "contact you soon."
)
UNKNOWN_NUMBER_REPLY = N_(
    "Thank you for your message. We could not match this number to a patient. "
    "A member of our team will contact you. For help call {contact}."
)
HANDOFF_REPLY = N_("Thank you. A member of your care team will contact you soon.")
LANGUAGE_MENU = N_(
    "Reply with your language: ENGLISH, ESPAÑOL, 简体中文, 繁體中文, TIẾNG VIỆT, 한국어, TAGALOG, РУССКИЙ, "
    "العربية, KREYÒL, PORTUGUÊS"
)
LANGUAGE_CHANGED = N_("OK. We will send your messages in English.")
VOICEMAIL = N_(
    "Hello, this is {program} calling for you. Please call us back at {contact}. Thank you."
)
NOT_UNDERSTOOD = N_("Sorry, we did not understand your reply.")
PREFERENCE_WINDOW = N_(
    "Thank you. We will send your routine messages between {start} and {end}, your time."
)
PREFERENCE_CALL = N_(
    "Thank you. We have noted that you prefer a phone call. Your care team has been told."
)
PREFERENCE_NOTED = N_(
    "Thank you. We have noted your request. Your care team will update how we contact you."
)
WRONG_NUMBER_REPLY = N_(
    "Thank you for letting us know. We will not text this number again."
)
#: Sent before the question again when a reply fits more than one answer.
ASK_BACK = N_("Just to check, your reply could mean more than one answer. Please choose one.")

ALL: tuple[str, ...] = (
    STOP_CONFIRMATION,
    START_CONFIRMATION,
    HELP_REPLY,
    CRISIS_REPLY,
    URGENT_MEDICAL_REPLY,
    UNKNOWN_NUMBER_REPLY,
    HANDOFF_REPLY,
    LANGUAGE_MENU,
    LANGUAGE_CHANGED,
    VOICEMAIL,
    NOT_UNDERSTOOD,
    PREFERENCE_WINDOW,
    PREFERENCE_CALL,
    PREFERENCE_NOTED,
    WRONG_NUMBER_REPLY,
    ASK_BACK,
)
READING_ASK_BOTTOM = N_("Thank you. What was the bottom number?")
READING_ASK_TOP = N_("Thank you. What was the top number?")
READING_CHECK = N_(
    "Please check that number: did you mean {suggestion}? Send the reading again as numbers."
)
READING_OUT_OF_RANGE = N_(
    "That number looks out of range. Please check it and send the reading again as numbers."
)
READING_SEEN_BY_NURSE = N_(
    "Thank you. A nurse will look at this reading soon. Please send it again as numbers, "
    "like {example}."
)
NUMBER_OUT_OF_RANGE = N_("Please check that number: it should be from {min} to {max}.")
