"""The flow YAML extractor, through Babel's own extraction API and through pybabel."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from babel.messages.extract import extract
from babel.messages.pofile import read_po

from bot.cli.i18n import extract_template
from bot.core.messages import ALL as SYSTEM_MESSAGES
from bot.i18n.extract import extract_flows

FLOW = b"""\
format: 1
flow: demo
version: 3
description: Not sent to anyone.
on_delivery_failure:
  task: {team: outreach, priority: routine, reason: "Could not deliver"}
  end: delivery_failed
start: ask
states:
  ask:
    say:
      sms: "Reply YES or NO."
      voice: "Say yes or no."
    expect:
      - intent: yes
        keywords: ["si", "1", "of course"]
        note: staff note
        goto: done
    not_understood: {reprompt: 2, say: "Sorry, reply YES or NO.", then: done}
  done:
    task: {team: pharmacy, priority: high, reason: "Patient needs a call"}
    say: "Thanks, {first_name}."
    end: completed
"""


def run(data: bytes) -> list[tuple[int, str, list[str]]]:
    """The patient-facing texts (reply words are checked apart)."""
    return [(line, msg, comments) for line, func, msg, comments
            in extract_flows(io.BytesIO(data), {}, [], {}) if func is None]


def reply_words(data: bytes) -> list[tuple[int, str | None, object, list[str]]]:
    return [row for row in extract_flows(io.BytesIO(data), {}, [], {}) if row[1] is not None]


def test_every_patient_facing_say_is_extracted_with_flow_and_state() -> None:
    found = run(FLOW)
    assert [(msg, comments) for _, msg, comments in found] == [
        ("Reply YES or NO.", ["flow demo v3, state ask, sms"]),
        ("Say yes or no.", ["flow demo v3, state ask, voice"]),
        ("Sorry, reply YES or NO.", ["flow demo v3, state ask, not_understood"]),
        ("Thanks, {first_name}.", ["flow demo v3, state done"]),
    ]
    assert [line for line, _, _ in found] == [12, 13, 19, 22]


def test_staff_text_and_keywords_are_not_extracted_as_texts() -> None:
    texts = {msg for _, msg, _ in run(FLOW)}
    assert not texts & {"Could not deliver", "Patient needs a call", "staff note", "si",
                        "Not sent to anyone."}


def test_an_answers_words_are_one_reply_words_entry_without_its_digits() -> None:
    [(line, func, msg, comments)] = reply_words(FLOW)
    assert (line, func, msg) == (16, "pgettext", ("reply words", "si | of course"))
    assert comments[0] == "flow demo v3, state ask, expect, answer leading to done"
    assert "separated by |" in comments[1]
    digits_only = FLOW.replace(b'["si", "1", "of course"]', b'["1"]')
    assert reply_words(digits_only) == []


def test_the_template_holds_the_shipped_flows_reply_words_with_their_context() -> None:
    template = extract_template()
    words = {m.id for m in template if m.context == "reply words"}
    assert {"good | great | fine | doing well | all good", "none | nothing",
            "not interested", "none | none of these"} <= words


def test_yaml_that_is_not_a_flow_yields_nothing() -> None:
    assert run(b"flow: demo\nturns:\n  - say: hi\n") == []
    assert run(b"- just a list\n") == []


def test_babel_runs_the_extractor_by_its_import_path() -> None:
    found = list(extract("bot.i18n.extract:extract_flows", io.BytesIO(FLOW)))
    assert len(found) == 5 and found[0][1] == "Reply YES or NO."
    assert ("si | of course", "reply words") in [(f[1], f[3]) for f in found]


def test_template_holds_every_system_message_and_every_flow_say() -> None:
    template = extract_template()
    ids = {m.id for m in template if m.id and not isinstance(m.id, tuple)}
    assert set(SYSTEM_MESSAGES) <= ids
    for name in ("refill_reminder", "appointment_recovery", "engagement_checkin"):
        assert any(any(c.startswith(f"flow {name}") for c in m.auto_comments) for m in template)
    contexts = {m.context for m in template}
    assert {"weekday", "month", "relative day", "duration"} <= contexts


def test_pybabel_with_pyproject_gives_the_same_template(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    out = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run([str(pybabel), "-q", "extract", "-F", "pyproject.toml", "-o", str(out), "."],
                   cwd=root, check=True, capture_output=True, timeout=120)
    with out.open("rb") as fp:
        theirs = {(m.id if isinstance(m.id, str) else m.id[0], m.context)
                  for m in read_po(fp) if m.id}
    ours = {(m.id if isinstance(m.id, str) else m.id[0], m.context)
            for m in extract_template() if m.id}
    assert theirs == ours
