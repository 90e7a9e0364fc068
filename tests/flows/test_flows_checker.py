"""Authoring mistakes: each one is rejected with its exact path:line:col message."""

from __future__ import annotations

import textwrap

import pytest

from bot.flows.loader import load_text

GOOD = textwrap.dedent("""\
    format: 1
    flow: demo
    version: 1
    context: [first_name]
    start: ask
    states:
      ask:
        say: "Hi {first_name}, reply YES or NO."
        expect:
          - intent: yes
            goto: done
          - keywords: ["maybe", "2"]
            goto: done
        no_reply: {after: 24h, goto: done}
        not_understood: {reprompt: 2, then: done}
      done:
        say: "Thanks."
        end: confirmed
    """)


def errors(text: str) -> list[str]:
    flow, issues = load_text(text, "demo.yaml")
    return [str(i) for i in issues if i.severity == "error"]


def test_good_flow_loads() -> None:
    flow, issues = load_text(GOOD, "demo.yaml")
    assert flow is not None and not [i for i in issues if i.severity == "error"]


CASES = [
    ("unknown goto",
     ("goto: done\n      - keywords", "goto: dnoe\n      - keywords"),
     'demo.yaml:11:15: expect goto leads to unknown state "dnoe" in state "ask" (did you mean "done"?)'),
    ("missing start",
     ("start: ask", "start: asks"),
     'demo.yaml:5:8: start state "asks" is not defined (did you mean "ask"?)'),
    ("misspelt key",
     ('    say: "Thanks."', '    sya: "Thanks."'),
     'demo.yaml:17:5: unknown key "sya" in state "done" (did you mean "say"?)'),
    ("bad duration",
     ("after: 24h", "after: 24 hours"),
     'demo.yaml:14:23: bad duration "24 hours" in no_reply of state "ask": write a number and m, h or d, like 30m, 24h or 2d'),
    ("carrier reserved word",
     ('["maybe", "2"]', '["maybe", "CANCEL"]'),
     'demo.yaml:12:29: "CANCEL" is a word carriers reserve (CANCEL opts the patient out, in or asks for help); in state "ask" offer a digit or another word'),
    ("keyword two ways",
     ('keywords: ["maybe", "2"]\n        goto: done', 'keywords: ["maybe", "2"]\n        goto: done\n      - keywords: ["Maybe"]\n        goto: ask'),
     'demo.yaml:14:20: keyword "Maybe" leads two ways in state "ask": to "done" and to "ask"'),
    ("placeholder not in context",
     ("Hi {first_name}", "Hi {firstname}"),
     'demo.yaml:8:10: placeholder "{firstname}" in state "ask" is not in the flow\'s context (did you mean "first_name"?); declare it under context: or save an answer with save_as:'),
    ("no way out for silence",
     ("    no_reply: {after: 24h, goto: done}\n", ""),
     'demo.yaml:7:3: state "ask" waits for a reply but has no no_reply: (what happens if the patient never answers?)'),
    ("no way out for not understood",
     ("    not_understood: {reprompt: 2, then: done}\n", ""),
     'demo.yaml:7:3: state "ask" waits for a reply but has no not_understood: (what happens after replies it cannot understand?)'),
    ("dead end",
     ("    end: confirmed\n", ""),
     'demo.yaml:16:3: state "done" is a dead end: give it expect:, goto:, branch: or end:'),
    ("unreachable state",
     ("    end: confirmed\n", "    end: confirmed\n  orphan:\n    end: declined\n"),
     'demo.yaml:19:3: state "orphan" is unreachable: no state leads to it from "ask"'),
    ("invalid team",
     ('    say: "Thanks."\n', '    say: "Thanks."\n    task: {team: pharmcy, priority: high, reason: "x"}\n'),
     'demo.yaml:18:18: unknown team "pharmcy" in task of state "done" (did you mean "pharmacy"?); use one of: pharmacy, scheduling, nursing, social_work, outreach, behavioral_health'),
    ("invalid priority",
     ('    say: "Thanks."\n', '    say: "Thanks."\n    task: {team: pharmacy, priority: asap, reason: "x"}\n'),
     'demo.yaml:18:38: unknown priority "asap" in task of state "done"; use one of: urgent, high, routine, low'),
    ("invalid outcome",
     ("end: confirmed", "end: confirm"),
     'demo.yaml:18:10: unknown outcome "confirm" in state "done" (did you mean "confirmed"?); use a built-in outcome (confirmed, rescheduled, declined, handed_off, no_response, opted_out, escalated, completed, delivery_failed, closed_by_staff, failed) or declare it under "outcomes:" at the top of the flow, with its class, like  confirm: success'),
    ("duplicate state",
     ("    end: confirmed\n", "    end: confirmed\n  done:\n    end: declined\n"),
     'demo.yaml:19:3: duplicate state "done": each state name must be used once'),
    ("duplicate key",
     ('    say: "Thanks."\n', '    say: "Thanks."\n    say: "Again."\n'),
     'demo.yaml:18:5: duplicate key "say" in state "done"'),
    ("yaml syntax",
     ("context: [first_name]", "context: [first_name"),
     'demo.yaml:5:6: a list opened with "[" on line 4 is not closed here: end it with "]" on the same line, and put text that contains a colon or comma in double quotes'),
    ("overlapping numbers",
     ('- keywords: ["maybe", "2"]\n        goto: done',
      '- intent: number\n        min: 1\n        max: 5\n        goto: done\n      - intent: number\n        min: 5\n        max: 9\n        goto: ask'),
     'demo.yaml:16:9: numbers 5-5 lead two ways in state "ask": to "done" and to "ask"'),
]


@pytest.mark.parametrize("old,new,expected", [c[1] + (c[2],) for c in CASES], ids=[c[0] for c in CASES])
def test_mistake_is_reported_with_path_line(old: str, new: str, expected: str) -> None:
    assert old in GOOD
    assert expected in errors(GOOD.replace(old, new, 1))


def test_one_broken_file_does_not_stop_the_others(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.flows.loader import load_dir

    (tmp_path / "good.yaml").write_text(GOOD)
    (tmp_path / "bad.yaml").write_text(GOOD.replace("flow: demo", "flow: other").replace("start: ask", "start: nope"))
    result = load_dir(tmp_path)
    assert [f.key for f in result.registry] == [("demo", 1)]
    assert any(str(i).startswith(f"{tmp_path / 'bad.yaml'}:5:8:") for i in result.errors)


def test_shipped_flows_pass_check() -> None:
    from bot.flows.loader import default_flows_dir, load_dir

    result = load_dir(default_flows_dir())
    assert not result.errors, "\n".join(map(str, result.errors))
    assert {"refill_reminder", "appointment_recovery", "engagement_checkin"} <= set(result.registry.names())
    assert result.registry.versions("refill_reminder") == [1, 2, 3]


REPLY_CHECKS_FLOW = """\
format: 1
flow: demo
version: 1
context: [first_name]
start: ask
states:
  ask:
    say: "Hi {first_name}, reply 1 for food or 2 for housing."
    expect:
      - {keywords: ["1"], topics: [food], goto: done}
      - {keywords: ["housing"], goto: done}
    no_reply: {after: 24h, goto: done}
    not_understood: {reprompt: 1, then: thanks}
    ambiguous: {ask: 1, then: helped}
  thanks:
    say: "Thanks."
    goto: done
  helped:
    task: {team: outreach, priority: routine, reason: "Read the patient's words."}
    goto: done
  done:
    end: completed
"""


def test_reply_checks_warn_about_unseen_words_and_english_only_answers(tmp_path) -> None:
    from bot.flows.loader import load_file

    path = tmp_path / "demo.yaml"
    path.write_text(REPLY_CHECKS_FLOW, encoding="utf-8")
    flow, issues = load_file(path)
    assert flow is not None
    messages = {f"{i.line}: {i.message}" for i in issues if i.severity == "warning"}
    assert ('13: a reply not understood in state "ask" leads to an end with no task: the patient\'s '
            "words would be seen by no one (hand it to a person with a task)") in messages
    assert any(m.startswith('11: expected reply 2 of state "ask" is matched only by its keywords')
               for m in messages)
    assert not any("ambiguous" in m for m in messages)  # the ambiguous hand-off has a task
    assert len(messages) == 2


def test_unknown_topic_is_refused_with_the_known_ones(tmp_path) -> None:
    from bot.flows.loader import load_file

    path = tmp_path / "demo.yaml"
    path.write_text(REPLY_CHECKS_FLOW.replace("topics: [food]", "topics: [fod]"), encoding="utf-8")
    flow, issues = load_file(path)
    errors = [i.message for i in issues if i.severity == "error"]
    assert flow is None and any('unknown topic "fod"' in e and 'did you mean "food"' in e for e in errors)
