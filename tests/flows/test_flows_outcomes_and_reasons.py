"""A flow's own outcomes (with the class results group them by) and task reasons that name the
patient's answers: both checked with path:line messages, both carried through the engine."""

from __future__ import annotations

import textwrap
from datetime import datetime, timezone

import pytest

from bot.core import effects as fx
from bot.core.conversation import Conversation, Reply, Start, Timeout
from bot.core.engine import step
from bot.flows.loader import load_text
from bot.flows.schema import BUILTIN_OUTCOMES, OUTCOMES, OutcomeClass, outcome_class

NOW = datetime(2026, 10, 5, 15, tzinfo=timezone.utc)

FLU = textwrap.dedent("""\
    format: 1
    flow: flu_vaccine
    version: 1
    context:
      first_name: text
      clinic_day: date
    outcomes:
      booked: success
      already_vaccinated: {class: success, description: "Had the shot elsewhere"}
      not_this_year: declined
    start: ask
    states:
      ask:
        say: "Hi {first_name}, a flu shot? Reply 1 Monday, 2 Tuesday, 3 had it, 4 no thanks."
        expect:
          - keywords: ["1", "monday"]
            value: Monday
            save_as: day
            goto: book
          - keywords: ["2", "tuesday"]
            value: Tuesday
            save_as: day
            goto: book
          - keywords: ["3"]
            goto: had_it
          - keywords: ["4"]
            goto: no_thanks
        no_reply: {after: 3d, goto: done_quiet}
        not_understood: {reprompt: 1, then: person}
      book:
        task: {team: scheduling, priority: routine, reason: "Book a flu shot on {day} (clinic day {clinic_day:date})"}
        say: "Thanks, we will call you to book {day}."
        end: booked
      had_it:
        say: "Thanks for letting us know."
        end: already_vaccinated
      no_thanks:
        say: "OK, thank you."
        end: not_this_year
      person:
        task: {team: outreach, priority: routine, reason: "Flu shot reply not understood"}
        say: "Thanks. Someone from your care team will contact you."
        end: handed_off
      done_quiet:
        end: no_response
    """)


def _errors(text: str) -> list[str]:
    _, issues = load_text(text, "flu.yaml")
    return [str(i) for i in issues if i.severity == "error"]


def _start(flow, context):  # type: ignore[no-untyped-def]
    conv = Conversation(id="c-1", patient_id="p-1", flow=flow.name, version=flow.version,
                        state="", context=context, timezone="America/New_York")
    return step(flow, conv, Start(), NOW)


def test_declared_outcomes_load_with_their_classes_beside_the_builtins() -> None:
    flow, issues = load_text(FLU, "flu.yaml")
    assert flow is not None, [str(i) for i in issues]
    assert flow.outcome_class("booked") is OutcomeClass.SUCCESS
    assert flow.outcome_class("already_vaccinated") is OutcomeClass.SUCCESS
    assert flow.outcome_class("not_this_year") is OutcomeClass.DECLINED
    assert flow.outcome_class("handed_off") is OutcomeClass.HANDED_TO_STAFF
    assert flow.outcome_class("no_such_thing") is None
    assert outcome_class(flow, "booked") is OutcomeClass.SUCCESS
    # Outcomes set outside any flow still have a class.
    assert outcome_class(None, "resolved_elsewhere") is OutcomeClass.SUCCESS
    assert outcome_class(None, "wrong_number") is OutcomeClass.UNREACHABLE
    assert outcome_class(None, "opted_out") is OutcomeClass.OPTED_OUT
    assert outcome_class(None, None) is None


def test_every_builtin_outcome_has_a_class() -> None:
    assert set(OUTCOMES) <= set(BUILTIN_OUTCOMES)


def test_a_custom_outcome_ends_the_conversation_under_its_own_name() -> None:
    flow, _ = load_text(FLU, "flu.yaml")
    assert flow is not None
    conv, _ = _start(flow, {"first_name": "Ana", "clinic_day": "2026-10-12"})
    conv, effects = step(flow, conv, Reply(text="3", message_id="m-1"), NOW)
    assert conv.outcome == "already_vaccinated"
    assert [e.outcome for e in effects if isinstance(e, fx.EndConversation)] == ["already_vaccinated"]


def test_a_task_reason_names_the_answer_the_patient_chose() -> None:
    flow, _ = load_text(FLU, "flu.yaml")
    assert flow is not None
    conv, _ = _start(flow, {"first_name": "Ana", "clinic_day": "2026-10-12"})
    conv, effects = step(flow, conv, Reply(text="2", message_id="m-1"), NOW)
    tasks = [e for e in effects if isinstance(e, fx.CreateTask)]
    assert [t.reason for t in tasks] == ["Book a flu shot on Tuesday (clinic day October 12, 2026)"]
    assert conv.outcome == "booked"


READING = textwrap.dedent("""\
    format: 1
    flow: bp_demo
    version: 1
    start: ask
    states:
      ask:
        say: "Please text your blood pressure."
        expect:
          - intent: yes
            save_as: bp
            goto: high
        no_reply: {after: 1d, goto: high}
        not_understood: {reprompt: 0, then: high}
      high:
        task: {team: nursing, priority: urgent, reason: "BP {bp.systolic}/{bp.diastolic}, pulse {bp.pulse}"}
        end: handed_off
    """)


def test_a_reason_names_the_parts_of_an_answer_saved_as_a_mapping() -> None:
    flow, issues = load_text(READING, "bp.yaml")
    assert flow is not None, [str(i) for i in issues]
    conv = Conversation(id="c-2", patient_id="p-1", flow=flow.name, version=flow.version, state="ask",
                        context={"bp": {"systolic": 184, "diastolic": 96}}, wait_token="w1")
    _, effects = step(flow, conv, Timeout(wait_token="w1"), NOW)
    # A part nobody saved stays as written: visible to staff, never silently blank.
    assert [e.reason for e in effects if isinstance(e, fx.CreateTask)] == ["BP 184/96, pulse {bp.pulse}"]


@pytest.mark.parametrize(("change", "message"), [
    (("reason: \"Book a flu shot on {day} (clinic day {clinic_day:date})\"",
      "reason: \"Book a flu shot on {dya}\""),
     'flu.yaml:31:57: placeholder "{dya}" in the reason of the task of state "book" is neither a context '
     'field nor a saved answer (did you mean "day"?); a reason may name context fields and answers '
     "saved with save_as:"),
    (("reason: \"Book a flu shot on {day} (clinic day {clinic_day:date})\"",
      "reason: \"Book a flu shot for {program}\""),
     'flu.yaml:31:57: placeholder "{program}" in the reason of the task of state "book" is neither a '
     "context field nor a saved answer; a reason may name context fields and answers saved with save_as:"),
    (("end: booked", "end: boked"),
     'flu.yaml:33:10: unknown outcome "boked" in state "book" (did you mean "booked"?); use a built-in '
     f'outcome ({", ".join(OUTCOMES)}) or declare it under "outcomes:" at the top of the flow, with its '
     "class, like  boked: success"),
    (("not_this_year: declined", "not_this_year: declind"),
     'flu.yaml:10:18: unknown outcome class "declind" for outcome "not_this_year" (did you mean '
     '"declined"?); use one of: success, declined, handed_to_staff, no_response, unreachable, '
     "opted_out, withdrawn"),
    (("already_vaccinated: {class: success, description: \"Had the shot elsewhere\"}",
      "already_vaccinated: {kind: success}"),
     'flu.yaml:9:24: unknown key "kind" in outcome "already_vaccinated"'),
    (("not_this_year: declined", "confirmed: success"),
     'flu.yaml:10:3: outcome "confirmed" is built in; use it in "end:" without declaring it'),
    (("not_this_year: declined", "Not This Year: declined"),
     'flu.yaml:10:3: outcome "Not This Year": name an outcome in lower-case words joined by '
     "underscores, like booked or already_vaccinated"),
])
def test_outcome_and_reason_mistakes_are_refused_with_path_line_and_fix(
        change: tuple[str, str], message: str) -> None:
    old, new = change
    assert old in FLU
    found = _errors(FLU.replace(old, new))
    assert any(e.startswith(message) for e in found), found


def test_an_undeclared_end_is_reported_once_not_also_as_a_dead_end() -> None:
    found = _errors(FLU.replace("end: booked", "end: booking_made"))
    assert len(found) == 1, found
    assert "dead end" not in found[0]
