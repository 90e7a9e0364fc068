"""A check-in rating in words: "I feel terrible" is a low score, in every language, whether
texted or said on a call. One table, both channels: the text goes through the engine as an SMS
reply, and as a call answer the way the voice endpoint reads it (call intents first, a spoken
number made a key, then the same engine step).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from bot.core import effects as fx
from bot.core.conversation import Conversation, Reply, Start
from bot.core.engine import step
from bot.flows.loader import default_flows_dir, load_dir
from bot.services.voice_turns import answer_keys, keypad_for
from bot.understanding import call_intents

FLOW = load_dir(default_flows_dir()).registry.get("engagement_checkin")
NOW = datetime(2026, 3, 2, 15, tzinfo=timezone.utc)
ALL_GOOD = "all_good"

#: (locale, reply, the score saved, or the state a reply that is not a low rating leads to)
CASES: list[tuple[str, str, Any]] = [
    ("en", "I feel terrible", 1), ("en", "awful", 1), ("en", "really bad", 1),
    ("en", "not good", 2), ("en", "not great", 2), ("en", "pretty bad", 2), ("en", "I'm sick", 2),
    ("en", "not bad", ALL_GOOD), ("en", "good", ALL_GOOD), ("en", "3", 3), ("en", "Two", 2),
    ("es", "me siento fatal", 1), ("es", "muy mal", 1), ("es", "mal", 2),
    ("es", "no me siento bien", 2), ("es", "bien", ALL_GOOD),
    ("pt_BR", "péssimo", 1), ("pt_BR", "não estou bem", 2),
    ("zh_Hans", "很不好", 1), ("zh_Hans", "不舒服", 2), ("zh_Hans", "很好", ALL_GOOD),
    ("zh_Hant", "好難受", 1), ("zh_Hant", "唔舒服", 2),
    ("ko", "너무 안 좋아요", 1), ("ko", "별로예요", 2), ("ko", "좋아요", ALL_GOOD),
    ("ru", "очень плохо", 1), ("ru", "плохо", 2), ("ru", "неплохо", ALL_GOOD),
    ("vi", "tệ lắm", 1), ("vi", "không khỏe", 2), ("vi", "khỏe", ALL_GOOD),
    ("ar", "سيء جدا", 1), ("ar", "مش كويس", 2), ("tl", "napakasama", 1),
    ("tl", "masama ang pakiramdam ko", 2), ("ht", "trè mal", 1), ("ht", "pa byen", 2),
]


def _asked(locale: str) -> Conversation:
    conv = Conversation(id="c", patient_id="p", flow=FLOW.name, version=FLOW.version, state="",
                        context={"first_name": "Ana"}, locale=locale)
    conv, _ = step(FLOW, conv, Start(), NOW)
    assert conv.state == "checkin"
    return conv


def _by_text(conv: Conversation, text: str) -> Conversation:
    return step(FLOW, conv, Reply(text=text, channel="sms"), NOW)[0]


def _by_call(conv: Conversation, text: str) -> Conversation:
    keypad = keypad_for(FLOW, conv.state)
    hit = call_intents.classify_call(text, conv.locale, keyed=False, keypad=keypad)
    assert hit is None, hit  # a rating is never a call's global intent
    spoken = call_intents.spoken_answer(text, conv.locale, answer_keys(FLOW, conv.state))
    return step(FLOW, conv, Reply(text=spoken, channel="voice"), NOW,
                classify=call_intents.classifier(keyed=False, keypad=keypad))[0]


@pytest.mark.parametrize("channel", ["sms", "voice"])
@pytest.mark.parametrize(("locale", "text", "expected"), CASES)
def test_a_rating_in_words(channel: str, locale: str, text: str, expected: Any) -> None:
    conv = (_by_text if channel == "sms" else _by_call)(_asked(locale), text)
    if expected == ALL_GOOD:
        assert conv.state == ALL_GOOD
        assert "score" not in conv.context
    else:
        assert (conv.state, conv.context.get("score")) == ("symptoms", expected)


def test_a_low_rating_in_words_raises_the_symptom_task() -> None:
    """The words count as the score everywhere a score counts: a symptom task is high priority."""
    conv = _by_text(_asked("en"), "I feel terrible")
    conv, effects = step(FLOW, conv, Reply(text="yes", channel="sms"), NOW)
    [task] = [e for e in effects if isinstance(e, fx.CreateTask)]
    assert task.priority == "high"
