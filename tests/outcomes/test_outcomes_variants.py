"""Message variants: the flow format, the checker, the extractor, the engine's wording, the
stable assignment and the Wilson comparison."""

from __future__ import annotations

import io
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.core import effects as fx
from bot.core.conversation import Conversation, Start
from bot.core.engine import VARIANT_KEY, prompt, step
from bot.flows import variants
from bot.flows.loader import load_file, load_text
from bot.i18n.extract import extract_flows
from bot.services.results import VariantComparison, VariantResult, wilson

FLOW_PATH = Path(__file__).parent / "flows" / "checkin_ab.yaml"
NOW = datetime(2026, 3, 2, 15, tzinfo=timezone.utc)
STANDARD = ("Hi {first_name}, this is your care team checking in. How are you doing? Reply 1 if "
            "you are doing well, or 2 if you would like a call from us.")
SHORT = "Hi {first_name}, doing well? Reply 1 for yes, 2 for a call."


def _flow():  # type: ignore[no-untyped-def]
    flow, issues = load_file(FLOW_PATH)
    assert flow is not None and not [i for i in issues if i.severity == "error"], issues
    return flow


def test_a_state_offers_its_say_and_named_variants():
    flow = _flow()
    assert flow.variant_names == ("standard", "short")
    ask = flow.states["ask"]
    assert ask.say_for(None).sms == STANDARD and ask.say_for("standard").sms == STANDARD
    assert ask.say_for("short").sms == SHORT
    assert flow.states["well"].say_for("short").sms == "Glad to hear it. Thank you!"


@pytest.mark.parametrize("variant,text", [(None, STANDARD), ("standard", STANDARD),
                                          ("short", SHORT)])
def test_the_engine_words_the_question_in_the_patients_variant(variant, text):
    flow = _flow()
    context = {"first_name": "Ana", **({VARIANT_KEY: variant} if variant else {})}
    conv = Conversation(id="c1", patient_id="p1", flow=flow.name, version=flow.version,
                        state="", context=context)
    _, effects = step(flow, conv, Start(), NOW)
    sends = [e for e in effects if isinstance(e, fx.SendMessage)]
    assert [s.msgid for s in sends] == [text]
    # A host repeating the question (a call, a replay) words it the same way.
    assert prompt(flow, "ask", context).msgid == text


BAD = """\
format: 1
flow: bad_variants
version: 1
channels: [sms]
context:
  first_name: text
start: ask
states:
  ask:
    say: "Hi {first_name}. Reply 1."
    variants:
      Warm Words: "Hello {first_name}. Reply 1."
      standard: "Hi. Reply 1."
      short: "Hi {frist_name}. Reply 1."
    expect:
      - keywords: ["1"]
        goto: done
    no_reply: {after: 24h, goto: done}
    not_understood: {reprompt: 1, then: done}
  done:
    say: "Thanks."
    variants:
      {}
    end: completed
  nothing:
    variants:
      brief: "Bye."
    end: completed
"""


def test_the_checker_refuses_bad_variants_with_file_and_line():
    _, issues = load_text(BAD, "bad.yaml")
    text = "\n".join(str(i) for i in issues)
    assert 'variant name "Warm Words"' in text and 'variant name "standard"' in text
    assert 'placeholder "{frist_name}"' in text and "did you mean" in text.lower()
    assert "add the standard say: first" in text
    assert all(str(i).startswith("bad.yaml:") for i in issues)


def test_each_variant_is_extracted_for_translation():
    found = {msg: comments for _, _, msg, comments in
             extract_flows(io.BytesIO(FLOW_PATH.read_bytes()), {}, [], {})}
    assert STANDARD in found and SHORT in found
    assert found[SHORT] == ["flow checkin_ab v1, state ask, variant short"]


def test_assignment_is_stable_and_spreads_patients():
    names = ("standard", "short")
    picks = [variants.assign(names, "flu", f"ref-{n}") for n in range(400)]
    assert picks == [variants.assign(names, "flu", f"ref-{n}") for n in range(400)]
    counts = Counter(picks)
    assert set(counts) == set(names) and min(counts.values()) > 150
    assert variants.assign((), "flu", "ref-1") is None
    other = [variants.assign(names, "refill", f"ref-{n}") for n in range(400)]
    assert other != picks, "campaigns draw independently"


def test_wilson_intervals_and_the_plain_verdict():
    # Known value: 8 of 10 -> (0.490, 0.943) at 95%.
    interval = wilson(8, 10)
    assert round(interval.low, 3) == 0.490 and round(interval.high, 3) == 0.943
    assert wilson(0, 0).low == 0.0 and wilson(0, 0).high == 1.0
    close = VariantComparison([VariantResult("standard", wilson(5, 10), wilson(2, 10)),
                               VariantResult("short", wilson(6, 10), wilson(3, 10))])
    assert not close.distinguishable("replied")
    assert "Not yet distinguishable from chance" in close.verdict("replied")
    apart = VariantComparison([VariantResult("standard", wilson(100, 1000), wilson(1, 10)),
                               VariantResult("short", wilson(300, 1000), wilson(1, 10))])
    assert apart.distinguishable("replied")
    assert apart.verdict("replied").startswith("short does better on reply rate")


PHI_VARIANT = """\
format: 1
flow: phi_variant
version: 1
channels: [sms]
context:
  first_name: text
  diagnosis: {type: text, phi: true}
start: ask
states:
  ask:
    say: "Hi {first_name}. Reply 1."
    variants:
      blunt: "Hi {first_name}, about your {diagnosis}: reply 1."
    expect:
      - keywords: ["1"]
        goto: done
    no_reply: {after: 24h, goto: done}
    not_understood: {reprompt: 1, then: done}
  done:
    say: "Thanks."
    end: completed
"""


def test_a_variant_is_held_to_the_minimum_necessary_like_any_say():
    _, issues = load_text(PHI_VARIANT, "phi.yaml")
    found = [str(i) for i in issues if "diagnosis" in str(i)]
    assert found and all(i.startswith("phi.yaml:") for i in found), issues
