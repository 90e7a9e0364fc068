"""A reply moves a conversation only on what the patient meant: never a false "yes".

The table is the one the care team reported: every reply below was taken as "yes, I will pick
it up" although the patient said the opposite or something more.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.core import effects as fx
from bot.core.conversation import Conversation, Reply, Start
from bot.core.engine import step
from bot.flows.loader import default_flows_dir, load_dir

NOW = datetime(2026, 3, 2, 15, tzinfo=timezone.utc)
REGISTRY = load_dir(default_flows_dir()).registry
REFILL = REGISTRY.get("refill_reminder")
CHECKIN = REGISTRY.get("engagement_checkin")
APPOINTMENT = REGISTRY.get("appointment_recovery")

#: Where a reply may lead without anyone being misled: the barrier question, a barrier
#: state with its task, or the same question asked back.
SAFE = {"barrier", "cost", "side_effects", "transport", "ran_out", "other", "ask"}


def converse(flow, replies: list[str], locale: str = "en", **context):  # type: ignore[no-untyped-def]
    ctx = {"first_name": "Ana", "due_date": "2026-03-05", **context}
    conv = Conversation(id="conv-1", patient_id="p-1", flow=flow.name, version=flow.version,
                        state="", context=ctx, locale=locale)
    conv, effects = step(flow, conv, Start(), NOW)
    for n, text in enumerate(replies):
        conv, effects = step(flow, conv, Reply(text=text, message_id=str(100 + n)), NOW)
    return conv, effects


ISSUE_TABLE = [
    ("en", "I ran out 1 week ago"),
    ("en", "No. 1 more week"),
    ("en", "can't, I only have 1 pill left"),
    ("en", "yes but I cannot pay for it"),
    ("es", "no puedo, se me acabó hace 1 semana"),
]


@pytest.mark.parametrize(("locale", "text"), ISSUE_TABLE)
def test_reported_replies_never_confirm(locale: str, text: str) -> None:
    conv, effects = converse(REFILL, [text], locale)
    assert conv.outcome != "confirmed" and conv.state != "confirmed"
    assert conv.state in SAFE, conv.state
    assert not any(isinstance(e, fx.EndConversation) and e.outcome == "confirmed" for e in effects)


@pytest.mark.parametrize(("locale", "text", "state"), [
    ("en", "I ran out 2 days ago", "ran_out"),
    ("en", "it makes me dizzy", "side_effects"),
    ("es", "me da mucho mareo la pastilla nueva", "side_effects"),
    ("en", "my copay went up to $40", "cost"),
    ("es", "se me acabó la medicina", "ran_out"),
    ("ko", "4번", "ran_out"),
    ("zh_Hans", "4号", "ran_out"),
    ("es", "cuatro", "ran_out"),
    ("en", "four", "ran_out"),
    ("en", "#3", "transport"),
    ("en", "option 1", "cost"),
    ("en", "1.", "cost"),
    ("en", "２", "side_effects"),
    ("vi", "tôi hết thuốc rồi", "ran_out"),
    ("zh_Hans", "药吃完了", "ran_out"),
    ("en", "I have no ride to the pharmacy", "transport"),
])
def test_barrier_in_the_patients_words(locale: str, text: str, state: str) -> None:
    conv, effects = converse(REFILL, ["no", text], locale)
    assert conv.state == state
    task = next(e for e in effects if isinstance(e, fx.CreateTask))
    assert task.reply_message_id == "101"  # the patient's words reach the task
    assert task.understood


def test_two_menu_options_at_once_ask_back_once_then_a_person() -> None:
    conv, effects = converse(REFILL, ["no", "I ran out and I can't afford it"])
    assert conv.state == "barrier" and conv.status == "active"
    assert any(isinstance(e, fx.SendMessage) and e.msgid.startswith("Just to check") for e in effects)
    conv, effects = converse(REFILL, ["no", "I ran out and I can't afford it", "cost and ran out"])
    task = next(e for e in effects if isinstance(e, fx.CreateTask))
    assert task.understood == "ambiguous: the cost or running out of medicine"
    assert conv.outcome == "handed_off"


def test_digit_inside_a_sentence_is_not_a_menu_answer_at_the_barrier() -> None:
    conv, _ = converse(REFILL, ["no", "I ran out 2 days ago"])
    assert conv.state == "ran_out"


def test_not_understood_task_carries_the_words_and_says_so() -> None:
    conv, effects = converse(REFILL, ["no", "blorp"])
    task = next(e for e in effects if isinstance(e, fx.CreateTask))
    assert task.understood == "not understood" and task.reply_message_id == "101"
    assert task.priority == "high" and conv.outcome == "handed_off"
    assert "did not say why" not in task.reason
