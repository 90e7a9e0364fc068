"""Conditions, readings and key hints in flow files: what loads, and each mistake's exact message."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli.flows import flows as flows_cli
from bot.flows.compiler import compile_flow
from bot.flows.loader import default_flows_dir, load_text

GOOD = textwrap.dedent("""\
    format: 1
    flow: demo
    version: 1
    start: ask
    states:
      ask:
        say: "Please text your blood pressure, like 120/80."
        expect:
          - intent: reading
            reading: blood_pressure
            save_as: bp
            alerts:
              - at_least: {systolic: 180, diastolic: 120}
                priority: urgent
                team: nursing
                reason: "Possible crisis reading."
            goto: judge
        no_reply: {after: 24h, goto: done}
        not_understood: {reprompt: 1, then: done}
      judge:
        branch:
          - when:
              any:
                - {bp.systolic: {at_least: 180}}
                - {bp.diastolic: {at_least: 120}}
            goto: done
          - when: {all: [{bp.systolic: {above: 139}}, {bp.systolic: {below: 180}}]}
            goto: done
        else: done
      done:
        say: "Thanks."
        end: completed
    """)


def errors(text: str) -> list[str]:
    _, issues = load_text(text, "demo.yaml")
    return [str(i) for i in issues if i.severity == "error"]


def test_good_flow_loads_with_groups_and_alerts() -> None:
    flow, issues = load_text(GOOD, "demo.yaml")
    assert flow is not None and not [i for i in issues if i.severity == "error"]
    exp = flow.states["ask"].expect[0]
    assert exp.reading == "blood_pressure" and exp.alerts[0].at_least == {"systolic": 180, "diastolic": 120}
    crisis, goal = flow.states["judge"].branch
    assert crisis.when[0].holds({"bp": {"systolic": 150, "diastolic": 125}})
    assert not crisis.when[0].holds({"bp": {"systolic": 150, "diastolic": 95}})
    assert goal.when[0].holds({"bp": {"systolic": 140, "diastolic": 80}})
    assert not goal.when[0].holds({"bp": {"systolic": 139, "diastolic": 80}})


@pytest.mark.parametrize(("op", "value", "holds"), [
    ("at_least", 5, True), ("at_least", 6, False), ("min", 5, True), ("at_most", 5, True),
    ("max", 4, False), ("below", 5, False), ("below", 6, True), ("above", 4, True), ("above", 5, False),
])
def test_worded_tests(op: str, value: int, holds: bool) -> None:
    text = GOOD.replace("{bp.systolic: {above: 139}}", f"{{bp.systolic: {{{op}: {value}}}}}")
    flow, _ = load_text(text, "demo.yaml")
    assert flow is not None
    assert flow.states["judge"].branch[1].when[0].value[0].holds({"bp": {"systolic": 5}}) is holds


ALLOWED = "tests: min, max, at_least, at_most, below, above, equals, in, present"
CASES = [
    ("sign instead of a test",
     ("{bp.systolic: {at_least: 180}}", "{bp.systolic: {'>=': 180}}"),
     f'demo.yaml:24:30: unknown test ">=" in condition on "bp.systolic" in any item 1 of branch 1 of state "judge" (did you mean "at_least"?); {ALLOWED}'),
    ("misspelt test",
     ("{bp.diastolic: {at_least: 120}}", "{bp.diastolic: {atleast: 120}}"),
     f'demo.yaml:25:31: unknown test "atleast" in condition on "bp.diastolic" in any item 2 of branch 1 of state "judge" (did you mean "at_least"?); {ALLOWED}'),
    ("a value where a test belongs",
     ("when: {all:", "when: {score: 3, all:"),
     f'demo.yaml:27:16: condition on "score" in branch 2 of state "judge" must name a test, like {{score: {{at_least: 3}}}}; {ALLOWED}'),
    ("any: not a list",
     ("      any:\n            - {bp.systolic: {at_least: 180}}\n            - {bp.diastolic: {at_least: 120}}",
      "      any: {bp.systolic: {at_least: 180}}"),
     'demo.yaml:23:16: "any:" in branch 1 of state "judge" must be a list of conditions, like any: [{bp.systolic: {at_least: 180}}, {bp.diastolic: {at_least: 120}}]'),
    ("goto in not_understood",
     ("not_understood: {reprompt: 1, then: done}", "not_understood: {reprompt: 1, goto: done}"),
     'demo.yaml:19:35: unknown key "goto" in not_understood of state "ask" (did you mean "then"?)'),
    ("unknown reading",
     ("reading: blood_pressure", "reading: bloodpressure"),
     'demo.yaml:10:18: expected reply 1 of state "ask" needs "reading:" naming one of: blood_pressure, glucose, weight, temperature, pulse, oxygen, pain (not "bloodpressure" (did you mean "blood_pressure"?))'),
    ("unknown part in an alert",
     ("{systolic: 180, diastolic: 120}", "{systolic: 180, dia: 120}"),
     'demo.yaml:13:39: unknown part "dia" of blood_pressure in alert 1 of expected reply 1 of state "ask"; parts: systolic, diastolic'),
    ("alert without a priority",
     ("            priority: urgent\n", ""),
     'demo.yaml:13:13: alert 1 of expected reply 1 of state "ask" needs "priority:" (one of urgent, high, routine, low)'),
    ("unit of another reading",
     ("        save_as: bp\n", "        save_as: bp\n        unit: kg\n"),
     'demo.yaml:12:15: unknown unit "kg" for blood_pressure in expected reply 1 of state "ask"; use one of: mmHg'),
    ("unknown part of a reading",
     ("{bp.diastolic: {at_least: 120}}", "{bp.diastolc: {at_least: 120}}"),
     'demo.yaml:22:9: condition in branch 1 of state "judge": "bp.diastolc": a blood pressure has no part "diastolc" (did you mean "diastolic"?); parts: systolic, diastolic, at'),
    ("unknown field",
     ("{bp.diastolic: {at_least: 120}}", "{bpp: {at_least: 120}}"),
     'demo.yaml:22:9: condition in branch 1 of state "judge": "bpp" is neither a context field nor a saved answer (did you mean "bp"?)'),
    ("unknown part in a reason",
     ('    say: "Thanks."\n', '    say: "Thanks."\n    task: {team: nursing, priority: urgent, reason: "BP {bp.systolc}"}\n'),
     'demo.yaml:32:53: placeholder in the reason of the task of state "done": "bp.systolc": a blood pressure has no part "systolc" (did you mean "systolic"?); parts: systolic, diastolic, at'),
    ("reading keys without intent: reading",
     ("- intent: reading", "- intent: number\n        min: 1\n        max: 5"),
     'demo.yaml:12:9: "reading:" in expected reply 1 of state "ask" belongs to "intent: reading"'),
]


@pytest.mark.parametrize(("name", "change", "expected"), CASES, ids=[c[0] for c in CASES])
def test_mistake_reported(name: str, change: tuple[str, str], expected: str) -> None:
    old, new = change
    assert old in GOOD, name
    assert expected in errors(GOOD.replace(old, new))


def test_branch_numbers_are_counted_from_one_everywhere() -> None:
    flow, _ = load_text(GOOD, "demo.yaml")
    assert flow is not None
    events = [t.event for t in compile_flow(flow).transitions]
    assert "branch:judge:1" in events and "branch:judge:2" in events and "branch:judge:0" not in events
    assert "reply:ask:1" in events and "reply:ask:0" not in events
    broken = GOOD.replace("        goto: done\n      - when: {all", "        goto: nowhere\n      - when: {all")
    assert any("branch 1" in e or "branch goto" in e for e in errors(broken))


def test_flows_test_on_files_reports_their_coverage() -> None:
    folder = Path(default_flows_dir()) / "tests"
    result = CliRunner().invoke(flows_cli, ["test", str(folder / "bp_crisis_slash.yaml")])
    assert result.exit_code == 0, result.output
    assert "not covered: bp_checkin v1 else:judge (judge -> in_range)" in result.output
    assert "coverage: bp_checkin v1 " in result.output
    assert "refill_reminder" not in result.output  # only the flows the files exercise


@pytest.mark.parametrize(("change", "expected"), [
    (("then: done}", "next: done}"), 'unknown key "next" in not_understood of state "ask" (did you mean "then"?)'),
    (("no_reply: {after: 24h", "no_reply: {timeout: 24h"), 'unknown key "timeout" in no_reply of state "ask" (did you mean "after"?)'),
    (("      - when:\n", "      - if:\n"), 'unknown key "if" in branch 1 of state "judge" (did you mean "when"?)'),
    (("    else: done", "    otherwise: done"), 'unknown key "otherwise" in state "judge" (did you mean "else"?)'),
    (("        reading: blood_pressure", "        kind: blood_pressure"), 'unknown key "kind" in expected reply 1 of state "ask" (did you mean "reading"?)'),
    (("            priority: urgent", "            urgency: urgent"), 'unknown key "urgency" in alert 1 of expected reply 1 of state "ask" (did you mean "priority"?)'),
], ids=["then", "after", "when", "else", "reading", "priority"])
def test_did_you_mean_by_meaning(change: tuple[str, str], expected: str) -> None:
    old, new = change
    assert old in GOOD
    assert any(e.endswith(expected) for e in errors(GOOD.replace(old, new))), errors(GOOD.replace(old, new))
