"""Voice wording: answers labelled with `say:` become the call's keypad menu (checked, sent)."""

from __future__ import annotations

import textwrap
from datetime import datetime, timezone

from bot.core import effects as fx
from bot.core.conversation import Conversation, Reply, Start
from bot.core.engine import prompt, step
from bot.flows.loader import load_text

MENU = textwrap.dedent("""\
    format: 1
    flow: demo
    version: 1
    channels: [sms, voice]
    context: [first_name, clinic]
    start: ask
    states:
      ask:
        say:
          sms: "Hi {first_name}, reply 1 or 2."
          voice: "Hi {first_name}, how can we help?"
        expect:
          - keywords: ["1", "ride"]
            say: "a ride to {clinic}"
            goto: done
          - intent: yes
            keywords: ["2"]
            say: "yes"
            goto: done
        no_reply: {after: 24h, goto: done}
        not_understood: {reprompt: 1, then: done}
      done:
        say: "Thanks."
        end: confirmed
    """)
NOW = datetime(2026, 3, 2, 15, tzinfo=timezone.utc)


def messages(text: str) -> list[str]:
    _, issues = load_text(text, "demo.yaml")
    return [str(i) for i in issues]


def test_labelled_answers_become_choices_in_key_order_with_their_params() -> None:
    flow, _ = load_text(MENU, "demo.yaml")
    assert flow is not None
    conv = Conversation(id="c", patient_id="p", flow="demo", version=1, state="",
                        context={"first_name": "Ana", "clinic": "Main St"})
    conv, effects = step(flow, conv, Start(), NOW)
    send = effects[0]
    assert isinstance(send, fx.SendMessage)
    assert send.choices == ("a ride to {clinic}", "yes")
    assert send.voice_msgid == "Hi {first_name}, how can we help?"
    assert send.params == {"first_name": "Ana", "clinic": "Main St"}
    # A re-prompt repeats the menu; the host's replay helper gives the same message.
    _, again = step(flow, conv, Reply(text="what?"), NOW)
    assert [e.choices for e in again if isinstance(e, fx.SendMessage)][-1] == send.choices
    assert prompt(flow, "ask", conv.context) == fx.SendMessage(
        msgid=send.msgid, params=send.params, kind=fx.REPLY, state="ask",
        voice_msgid=send.voice_msgid, choices=send.choices)


def test_choice_without_a_digit_is_rejected_with_its_line() -> None:
    text = MENU.replace('keywords: ["1", "ride"]', 'keywords: ["ride"]')
    assert ('demo.yaml:14:14: expected reply 1 of state "ask" has say: (spoken on calls as '
            '"Press N for ...") but no single keypad digit 1-9 among its keywords; add one, '
            'like keywords: ["1"]') in messages(text)


def test_menu_keys_must_run_from_one_without_gaps() -> None:
    text = MENU.replace('keywords: ["2"]', 'keywords: ["3"]')
    assert ('demo.yaml:8:3: voice choices of state "ask" use keys [1, 3]; calls number the menu '
            "1 to 2, so label the answers with keys 1 to 2") in messages(text)


def test_sms_wording_on_a_voice_flow_is_flagged() -> None:
    text = MENU.replace('say:\n      sms: "Hi {first_name}, reply 1 or 2."\n'
                        '      voice: "Hi {first_name}, how can we help?"\n',
                        'say: "Hi {first_name}, reply 1 or 2."\n')
    assert ('demo.yaml:9:10: warning: say in state "ask" tells the patient to "reply", which does '
            'not suit a phone call; write say: {sms: "...", voice: "..."}') in messages(text)
