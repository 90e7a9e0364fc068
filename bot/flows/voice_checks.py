"""Checks for how a flow sounds on a phone call.

A waiting state's answers may carry a `say:` label; on a call the engine sends those labels as
`SendMessage.choices` and the voice channel speaks them as "Press 1 for <label>." The digit is
the answer's own single-digit keyword, so the menu can never promise a key the state does not
understand. SMS wording that tells the patient to "Reply" or "Text" reads badly when spoken;
a flow offered by voice should give such states a `voice:` variant.
"""

from __future__ import annotations

import re

from bot.flows.issues import WARNING, IssueList
from bot.flows.marked import MarkedDict
from bot.flows.schema import Flow
from bot.flows.where import reply_marks, say_mark, state_mark
from bot.i18n import PLACEHOLDER

#: SMS-only instructions: fine in a text, wrong when read out on a call.
SMS_ONLY_WORDING = re.compile(r"\b(reply|text us|texting|send us a text)\b", re.IGNORECASE)


def check_choices(flow: Flow, doc: MarkedDict, issues: IssueList) -> None:
    """Labelled answers must each own one keypad digit, numbered 1..n without gaps."""
    provided = flow.provided_fields()
    for name, st in flow.states.items():
        digits: list[int] = []
        for n, (exp, edoc) in enumerate(zip(st.expect, reply_marks(doc, name), strict=False), 1):
            if not exp.say:
                continue
            mark = edoc.value_mark("say")
            digit = exp.digit()
            if digit is None:
                issues.add(mark, f'expected reply {n} of state "{name}" has say: (spoken on calls as '
                                 f'"Press N for ...") but no single keypad digit 1-9 among its keywords; '
                                 'add one, like keywords: ["1"]')
                continue
            if digit in digits:
                issues.add(mark, f'two voice choices of state "{name}" use key {digit}')
            digits.append(digit)
            for m in PLACEHOLDER.finditer(exp.say):
                if m.group(1) not in provided:
                    issues.add(mark, f'placeholder "{{{m.group(1)}}}" in a choice of state "{name}" is not '
                                     "in the flow's context:")
        if digits and sorted(digits) != list(range(1, len(digits) + 1)):
            issues.add(state_mark(doc, name),
                       f'voice choices of state "{name}" use keys {sorted(digits)}; calls number the menu '
                       f"1 to {len(digits)}, so label the answers with keys 1 to {len(digits)}")


def check_voice_wording(flow: Flow, doc: MarkedDict, issues: IssueList) -> None:
    """On a flow offered by voice, SMS-only instructions need a `voice:` wording."""
    if "voice" not in flow.channels:
        return
    for name, st in flow.states.items():
        variants = [("say", st.say)]
        if st.not_understood:
            variants.append(("not_understood", st.not_understood.say))
        for key, say in variants:
            if say is None or say.voice:
                continue
            m = SMS_ONLY_WORDING.search(say.sms)
            if m:
                issues.add(say_mark(doc, name, key),
                           f'say in state "{name}" tells the patient to "{m.group(0)}", which does not '
                           'suit a phone call; write say: {sms: "...", voice: "..."}', WARNING)


CHECKS = (check_choices, check_voice_wording)
