"""What calls say outside any flow, as gettext msgids (extracted like bot/core/messages.py).

The flow's own wording comes from its `say:` (with a `voice:` variant where it differs); these
are the few sentences a phone call needs around it: the keypad menu, what to say when nobody
answers a question, and goodbyes. The voicemail itself is `bot.core.messages.VOICEMAIL`, which
carries no health details on purpose: anyone in the household may play it back.
"""

from __future__ import annotations

from bot.core.messages import N_

#: One line of the keypad menu, said once per choice: "Press 1 for Yes, I will pick it up."
PRESS_FOR = N_("Press {digit} for {choice}.")
#: Said before re-asking a question the patient did not answer (silence on the line).
NO_INPUT = N_("Sorry, we did not hear your answer.")
#: Said when the patient stays silent after the question was repeated; the call then ends.
NO_INPUT_GOODBYE = N_(
    "We did not hear an answer. To reach your care team, call {contact}. Goodbye."
)
#: Said after the flow's last message, before hanging up.
GOODBYE = N_("Goodbye.")
#: Said when the call cannot go on (the system is busy or failed); nothing about the patient.
CANNOT_CONTINUE = N_(
    "We are sorry, we cannot continue this call right now. To reach your care team, call "
    "{contact}. Goodbye."
)
#: Said while the app waits a moment for a busy patient record (rare; keeps the line alive).
ONE_MOMENT = N_("One moment, please.")

ALL: tuple[str, ...] = (PRESS_FOR, NO_INPUT, NO_INPUT_GOODBYE, GOODBYE, CANNOT_CONTINUE, ONE_MOMENT)
