"""A loop of states that never wait is rejected (it would spin until MAX_STEPS_PER_TURN)."""

from __future__ import annotations

import textwrap

from bot.defaults import MAX_STEPS_PER_TURN
from bot.flows.loader import load_text
from bot.flows.loop_checks import non_waiting_cycles

FLOW = textwrap.dedent("""\
    format: 1
    flow: demo
    version: 1
    context: [score]
    start: first
    states:
      first:
        say: "Hello."
        goto: check
      again:
        goto: check
      check:
        branch:
          - when: {score: {max: 2}}
            goto: again
        else: ask
      ask:
        say: "Reply 1."
        expect:
          - keywords: ["1"]
            goto: first
        no_reply: {after: 24h, goto: done}
        not_understood: {reprompt: 1, then: done}
      done:
        end: completed
    """)
TAIL = (f"move on without waiting for the patient: a conversation that reaches them would loop "
        f"until it is stopped after {MAX_STEPS_PER_TURN} states; give one of them expect: or end:")


def errors(text: str) -> list[str]:
    _, issues = load_text(text, "demo.yaml")
    return [str(i) for i in issues if i.severity == "error"]


def test_branch_loop_is_reported_in_order_with_its_line() -> None:
    assert errors(FLOW) == [f"demo.yaml:10:3: states again -> check -> again {TAIL}"]


def test_self_loop_is_reported() -> None:
    text = FLOW.replace("  again:\n    goto: check", "  again:\n    goto: again")
    assert f"demo.yaml:10:3: states again -> again {TAIL}" in errors(text)


def test_a_loop_through_a_waiting_state_is_fine() -> None:
    # first -> check -> ask waits -> first: the patient's reply separates the turns.
    text = FLOW.replace("goto: again\n", "goto: ask\n").replace(
        "  again:\n    goto: check\n", "")
    assert errors(text) == []
    flow, _ = load_text(text, "demo.yaml")
    assert flow is not None and non_waiting_cycles(flow) == []
