"""`outreach simulate`: a scripted chat, by text and as TwiML for a call."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli.simulate import simulate


def run(tmp_path: Path, *args: str, script: str) -> str:
    path = tmp_path / "script.txt"
    path.write_text(script, encoding="utf-8")
    result = CliRunner(env={"COLUMNS": "400"}).invoke(simulate, [*args, "--script", str(path)])
    assert result.exit_code == 0, result.output
    return result.output


def test_voice_channel_shows_each_twiml_step(tmp_path: Path) -> None:
    out = run(tmp_path, "refill_reminder", "--channel", "voice", script="/wait 25h\n2\n1\n")
    # Who is calling first, then Start, the nudge and the barrier menu wait with <Gather>; the
    # hand-off hangs up.
    assert out.count("<Gather") == 4 and out.count("<Hangup/>") == 1
    assert out.index("calling for Ana. If this is Ana, press 1") < out.index("Your refill is due")
    assert out.count("To stop these calls, press 9.") == 4  # offered at every question
    assert '<Say language="en-US" voice="Polly.Joanna">Press 3 for getting to the pharmacy.</Say>' in out
    assert 'numDigits="1"' in out
    assert "TASK pharmacy / high" in out and "outcome handed_off" in out
    assert out.index("<Hangup/>") > out.index("A pharmacist will contact you about lower cost options.")


def test_voice_simulation_does_what_a_call_does_with_unclear_answers_and_silence(
        tmp_path: Path) -> None:
    """Noise around a word is asked back, "repeat" asks again, silence asks once more and then
    the call hangs up: the same reading (`voice_turns.read_answer`) and limits as a real call."""
    out = run(tmp_path, "refill_reminder", "--channel", "voice",
              script="the the okay and\ncan you repeat that?\n/silence\n/silence\n")
    assert "asked back, not acted on" in out and "Sorry, I am not sure I understood." in out
    assert "call intent repeat: the question again" in out
    assert out.count("Your refill is due") == 4  # first, asked back, repeated, after silence
    assert "Sorry, we did not hear your answer." in out
    assert out.count("<Hangup/>") == 1 and "state ask -> confirmed" not in out
    assert out.rstrip().endswith("done: state ask, status active, outcome None")


def test_voice_simulation_asks_for_one_key_where_one_key_answers(tmp_path: Path) -> None:
    """The 1-5 rating takes one key, in the simulator as on a call (no 8 s wait after it)."""
    out = run(tmp_path, "engagement_checkin", "--channel", "voice", script="4\n")
    score = out[out.index("<Gather", out.index("/identify")):out.index("How are you doing?")]
    assert 'numDigits="1"' in score and "one, two, three, four, five" in score


def test_voice_in_a_language_twilio_cannot_speak_says_so(tmp_path: Path) -> None:
    out = run(tmp_path, "refill_reminder", "--channel", "voice", "--lang", "ht", script="")
    assert "no Twilio voice for ht" in out and "<Gather" not in out


def test_sms_channel_prints_texts_not_twiml(tmp_path: Path) -> None:
    out = run(tmp_path, "engagement_checkin", script="5\nno\n0\n")
    assert "<Response>" not in out
    assert "Reply with a number from 1 to 5" in out and "outcome completed" in out


ISSUE_TABLE = [
    ("en", "I ran out 1 week ago"),
    ("en", "No. 1 more week"),
    ("en", "can't, I only have 1 pill left"),
    ("en", "yes but I cannot pay for it"),
    ("es", "no puedo, se me acabó hace 1 semana"),
]


@pytest.mark.parametrize(("lang", "reply"), ISSUE_TABLE)
def test_reported_replies_are_not_confirmed_in_the_simulator(tmp_path: Path, lang: str, reply: str) -> None:
    out = run(tmp_path, "refill_reminder", "--lang", lang, script=reply + "\n")
    assert "outcome confirmed" not in out and "state ask -> confirmed" not in out
    assert "Your refill will be ready" not in out and "Su medicamento estará listo" not in out


def test_a_task_shows_what_was_understood_and_the_patients_words(tmp_path: Path) -> None:
    out = run(tmp_path, "refill_reminder", script="no\nit makes me dizzy\n")
    assert "TASK pharmacy / high" in out and "outcome handed_off" in out
    flat = " ".join(out.split())
    assert "understood: side effects (in the patient's words) - patient wrote: 'it makes me dizzy'" in flat


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner(env={"COLUMNS": "400", "OUTREACH_FLOWS_DIR": ""}).invoke(simulate, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize("context", [
    "{first_name: Bea, due_date: 2026-03-05}",                 # YAML, as the guide writes context
    '{"first_name": "Bea", "due_date": "2026-03-05"}',       # JSON
])
def test_context_is_read_as_yaml_or_json(tmp_path: Path, context: str) -> None:
    script = tmp_path / "empty.txt"
    script.write_text("")
    code, out = invoke("refill_reminder", "--context", context, "--script", str(script))
    assert code == 0, out
    flat = " ".join(out.split())
    assert "Hi Bea, this is your care team. Your refill is due on March 5, 2026" in flat
    assert "taken from the transcript" not in flat


def test_context_may_come_from_a_file(tmp_path: Path) -> None:
    (tmp_path / "ctx.yaml").write_text("first_name: Cy\ndue_date: 2026-03-05\n")
    (tmp_path / "empty.txt").write_text("")
    code, out = invoke("refill_reminder", "--context", f"@{tmp_path / 'ctx.yaml'}", "--script",
                       str(tmp_path / "empty.txt"))
    assert code == 0 and "Hi Cy" in out


def test_bad_context_is_a_clear_error_not_a_traceback() -> None:
    code, out = invoke("refill_reminder", "--context", "{first_name: [Ana}")
    assert code == 2 and "Traceback" not in out
    assert "Invalid value for --context: not YAML or JSON" in out
    assert "Write it like: --context '{first_name: Ana, due_date: 2026-03-05}'" in out
    code, out = invoke("refill_reminder", "--context", "[Ana]")
    assert code == 2 and "must be a mapping of field: value" in out


def test_missing_required_context_stops_before_any_reply(tmp_path: Path) -> None:
    (tmp_path / "script.txt").write_text("yes\n")
    code, out = invoke("refill_reminder", "--context", "{first_name: Ana}", "--script", str(tmp_path / "script.txt"))
    assert code == 1
    assert ("the flow refill_reminder needs due_date in its context to start (settings: required_context); "
            "nothing was simulated. Pass them with --context '{due_date: ...}'") in " ".join(out.split())
    assert "patient:" not in out and "{'" not in out


def test_a_borrowed_context_says_where_it_came_from(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("")
    code, out = invoke("refill_reminder", "--script", str(tmp_path / "empty.txt"))
    assert code == 0
    flat = " ".join(out.split())
    assert "context: {" in flat and "(taken from the transcript " in flat
    assert "pass --context to use your own)" in flat


def test_simulating_in_a_language_without_the_flows_translation_says_so(tmp_path: Path) -> None:
    from bot.flows.loader import default_flows_dir

    flow = tmp_path / "copy.yaml"
    text = (default_flows_dir() / "refill_reminder.yaml").read_text(encoding="utf-8")
    flow.write_text(text.replace("flow: refill_reminder", "flow: copy")
                    .replace("A pharmacist will contact you today.", "A pharmacist will call you today."))
    (tmp_path / "empty.txt").write_text("")
    context = "{first_name: Ana, due_date: 2026-03-05}"
    code, out = invoke(str(flow), "--lang", "es", "--context", context, "--script", str(tmp_path / "empty.txt"))
    flat = " ".join(out.split())
    assert code == 0 and "warning: 1 text(s) of this flow have no es translation and are sent in English" in flat
    code, out = invoke(str(flow), "--lang", "en", "--context", context, "--script", str(tmp_path / "empty.txt"))
    assert "warning:" not in out


def test_an_optional_context_field_left_out_is_named_before_the_chat(tmp_path: Path) -> None:
    from bot.flows.loader import default_flows_dir

    flow = tmp_path / "copy.yaml"
    text = (default_flows_dir() / "refill_reminder.yaml").read_text(encoding="utf-8")
    flow.write_text(text.replace("required_context: [first_name, due_date]", "required_context: [due_date]"))
    (tmp_path / "empty.txt").write_text("")
    code, out = invoke(str(flow), "--context", "{due_date: 2026-03-05}", "--script", str(tmp_path / "empty.txt"))
    flat = " ".join(out.split())
    assert code == 0
    assert ("warning: the context has no first_name: texts that use it will show the placeholder as "
            "written (pass --context to fill them)") in flat


@pytest.mark.parametrize("reply", ["184/96", "184 over 96", "184 96"])
def test_a_blood_pressure_in_one_reply_in_the_simulator(tmp_path: Path, reply: str) -> None:
    out = run(tmp_path, "bp_checkin", script=reply + "\n")
    assert "TASK nursing / urgent: BP 184/96, reported" in out
    assert "understood: blood pressure: 184/96" in out and "outcome crisis" in out


def test_a_blood_pressure_keyed_on_a_call_in_the_simulator(tmp_path: Path) -> None:
    out = run(tmp_path, "bp_checkin", "--channel", "voice", script="184*96\n")
    question = next(line for line in out.splitlines() if "voice/gather" in line)
    assert "numDigits" not in question  # the caller keys several digits, then pound
    assert "TASK nursing / urgent: BP 184/96" in out and "outcome crisis" in out
