"""What a call says for a global intent, as gettext msgids: written for the ear.

The text answers (`bot.core.messages`) speak of replying, texts and message rates; on a call
they would be wrong ("Reply START") or meaningless ("Msg & data rates may apply"). These are
their spoken counterparts, chosen by `bot.core.global_intents.reaction(..., channel="voice")`,
plus the lines only a call needs: who is calling before any detail, asking back a one-word
"stop", and connecting a caller in crisis to a person.
"""

from __future__ import annotations

from bot.core.messages import N_

#: The first words of every call: who calls, for whom, and how to answer. No health detail.
IDENTITY = N_(
    "Hello, this is {program} calling for {first_name}. If this is {first_name}, press 1 or "
    "say yes. If {first_name} is not available, press 2. If this is the wrong number, press 3."
)
#: Said when the person who answered is not the patient, or does not confirm.
IDENTITY_NOT_CONFIRMED = N_(
    "Thank you. We will call again another time. {first_name} can reach us at {contact}. "
    "Goodbye."
)
#: The keypad opt-out, offered on every call.
OPT_OUT_OFFER = N_("To stop these calls, press 9.")
STOP_CONFIRMATION = N_(
    "You will get no more calls from {program}. If you change your mind, call us at {contact}."
)
START_CONFIRMATION = N_("Thank you. {program} can call you again.")
HELP = N_(
    "This is {program}, calling for your care team. To reach a person, press 0 or call "
    "{contact}. To stop these calls, press 9. Here is the question again."
)
#: A lone "stop" or "cancel" might answer the question: ask instead of unsubscribing.
CONFIRM_STOP = N_(
    "Do you want us to stop calling you? To stop these calls, press 9. Otherwise, here is the "
    "question again."
)
#: A caller asked for a person (key 0, "operator").
PERSON = N_("Thank you. A member of your care team will call you back soon.")
#: The number was wrong: apologise, say nothing about the patient.
WRONG_NUMBER = N_(
    "We are sorry for the call. We will not call this number again. Goodbye."
)
#: After the crisis message, before connecting the caller to a person.
CRISIS_CONNECT = N_("Please stay on the line. We are connecting you to someone who can help now.")
#: When nobody answered the crisis line transfer: the numbers again, slowly.
CRISIS_NOT_CONNECTED = N_(
    "We could not connect you. Please call or text 9 8 8 now, the Suicide and Crisis Lifeline. "
    "If you are in danger, call 9 1 1. Your care team has been told."
)
#: A speech answer the recogniser was unsure of: asked back instead of acted on.
NOT_SURE = N_("Sorry, I am not sure I understood.")

ALL: tuple[str, ...] = (
    IDENTITY, IDENTITY_NOT_CONFIRMED, OPT_OUT_OFFER, STOP_CONFIRMATION, START_CONFIRMATION, HELP,
    CONFIRM_STOP, PERSON, WRONG_NUMBER, CRISIS_CONNECT, CRISIS_NOT_CONNECTED, NOT_SURE,
)
