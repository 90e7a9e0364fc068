"""The reminder shorthand: one more ask with the same answers, then give up; checked by line."""

from __future__ import annotations

import textwrap
from pathlib import Path

from bot.flows.compiler import compile_flow
from bot.flows.loader import load_paths, load_text
from bot.services.transcripts import coverage, run_transcript

FLOW = textwrap.dedent("""\
    format: 1
    flow: demo
    version: 1
    start: ask
    states:
      ask:
        say: "Can you come this week? Reply 1 for yes, 2 for no."
        expect:
          - keywords: ["1"]
            intent: yes
            goto: yes_state
          - keywords: ["2"]
            intent: no
            goto: no_state
        no_reply: {after: 3d, remind: "Just checking: can you come? Reply 1 or 2.", then_after: 2d, goto: silent}
        not_understood: {reprompt: 1, then: person}
      yes_state:
        say: "Great."
        end: confirmed
      no_state:
        say: "Okay."
        end: declined
      person:
        task: {team: outreach, priority: routine, reason: "Reply not understood"}
        end: handed_off
      silent:
        end: no_response
    """)


def test_reminder_is_a_state_with_the_same_answers_and_its_own_wait() -> None:
    flow, issues = load_text(FLOW, "demo.yaml")
    assert flow is not None, issues
    ask, reminder = flow.states["ask"], flow.states["ask_reminder"]
    assert ask.no_reply is not None and ask.no_reply.goto == "ask_reminder"
    assert ask.no_reply.after.days == 3
    assert reminder.say is not None and reminder.say.sms.startswith("Just checking")
    assert reminder.expect == ask.expect and reminder.not_understood == ask.not_understood
    assert reminder.no_reply is not None and reminder.no_reply.after.days == 2
    assert reminder.no_reply.goto == "silent" and reminder.task is None
    assert reminder.reminder_of == "ask"
    assert "ask --> ask_reminder : no reply 72h" in compile_flow(flow).mermaid()


TRANSCRIPT = textwrap.dedent("""\
    flow: demo
    now: "2026-03-02T15:00:00Z"
    turns:
      - start:
        bot: ["Can you come this week? Reply 1 for yes, 2 for no."]
      - wait: 3d
        bot: ["Just checking: can you come? Reply 1 or 2."]
        state: ask_reminder
      - patient: "2"
        bot: ["Okay."]
        state: no_state
    outcome: declined
    """)


def test_a_reminder_runs_and_its_answers_count_as_the_states_for_coverage(tmp_path: Path) -> None:
    (tmp_path / "demo.yaml").write_text(FLOW)
    silent = TRANSCRIPT.replace('  - patient: "2"\n    bot: ["Okay."]\n    state: no_state\n',
                                "  - wait: 2d\n    state: silent\n").replace("declined", "no_response")
    (tmp_path / "t1.yaml").write_text(TRANSCRIPT)
    (tmp_path / "t2.yaml").write_text(silent)
    registry = load_paths([tmp_path / "demo.yaml"]).registry
    results = [run_transcript(tmp_path / name, registry) for name in ("t1.yaml", "t2.yaml")]
    assert all(r.ok for r in results), [r.failures for r in results]
    missing = coverage(registry.latest(), results).missing[("demo", 1)]
    # "2" answered the reminder: that covers the answer in both states. "1" and a reply not
    # understood were tested in neither.
    assert not any("reply:ask_reminder:2" in m or "reply:ask:2" in m for m in missing)
    assert [m.split(" ")[0] for m in missing] == ["reply:ask:1", "not_understood:ask", "reply:ask_reminder:1",
                                                  "not_understood:ask_reminder"]


def errors(text: str) -> list[str]:
    _, issues = load_text(text, "demo.yaml")
    return [str(i) for i in issues if i.severity == "error"]


def test_half_written_shorthand_says_what_is_missing() -> None:
    assert errors(FLOW.replace(", then_after: 2d", "")) == [
        'demo.yaml:15:27: no_reply of state "ask" has remind: but no then_after: (how long to wait after '
        "the reminder before going to goto:)"]
    assert errors(FLOW.replace('remind: "Just checking: can you come? Reply 1 or 2.", ', "")) == [
        'demo.yaml:15:27: no_reply of state "ask" has then_after: but no remind: (the reminder to send '
        "when the first wait runs out)"]


def test_a_misspelt_remind_is_suggested() -> None:
    found = errors(FLOW.replace("remind:", "remnd:").replace(", then_after: 2d", ""))
    assert 'demo.yaml:15:27: unknown key "remnd" in no_reply of state "ask" (did you mean "remind"?)' in found


def test_a_problem_in_the_shared_answers_is_reported_once_where_it_is_written() -> None:
    found = errors(FLOW.replace("goto: yes_state", "goto: yes_sate"))
    assert found == ['demo.yaml:11:15: expect goto leads to unknown state "yes_sate" in state "ask" '
                     '(did you mean "yes_state"?)']


def test_reminder_text_is_checked_like_any_text() -> None:
    found = errors(FLOW.replace("Just checking:", "Just checking {nme}:"))
    assert len(found) == 1 and found[0].startswith('demo.yaml:15:35: placeholder "{nme}" in state "ask_reminder"')


def test_a_state_already_named_like_the_reminder_is_refused() -> None:
    text = FLOW + "  ask_reminder:\n    end: declined\n"
    assert ('demo.yaml:15:27: no_reply of state "ask" has remind:, which adds a state "ask_reminder", '
            "but a state of that name is already written: rename one of them") in errors(text)


def test_the_reminder_text_is_extracted_for_translators() -> None:
    import io

    from bot.i18n.extract import extract_flows

    found = [(line, text, comments) for line, _, text, comments in
             extract_flows(io.BytesIO(FLOW.encode()), {}, (), {})]
    assert (15, "Just checking: can you come? Reply 1 or 2.", ["flow demo v1, state ask, no_reply"]) in found


def test_a_reminder_may_have_its_own_phone_wording() -> None:
    text = FLOW.replace('remind: "Just checking: can you come? Reply 1 or 2."',
                        'remind: {sms: "Just checking: reply 1 or 2.", voice: "Just checking: can you come?"}')
    flow, issues = load_text(text, "demo.yaml")
    assert flow is not None, issues
    say = flow.states["ask_reminder"].say
    assert say is not None and (say.sms, say.voice) == ("Just checking: reply 1 or 2.", "Just checking: can you come?")


def test_the_picture_puts_the_reminder_beside_the_answers_it_shares() -> None:
    from bot.web.flow_picture import ranks

    flow, _ = load_text(FLOW, "demo.yaml")
    assert flow is not None
    assert ranks(flow) == [["ask"], ["ask_reminder", "yes_state", "no_state", "person"], ["silent"]]
