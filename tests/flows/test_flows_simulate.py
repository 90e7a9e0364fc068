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
