"""Readings through the engine, on every channel: a crisis number reaches a person at urgent
priority whatever its format, a part asks for the rest, an impossible number is asked back.

One table; each case runs as a text and as a call (keypad or recogniser text), because both
reach the same decision (bot.core.reading_replies.judge)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.core import effects as fx
from bot.core import messages
from bot.core.conversation import ENDED, Conversation, Reply, Start
from bot.core.engine import step
from bot.flows.loader import default_flows_dir, load_dir

NOW = datetime(2026, 3, 2, 15, tzinfo=timezone.utc)
FLOW = load_dir(default_flows_dir()).registry.get("bp_checkin")
CHANNELS = ("sms", "voice")


def waiting() -> Conversation:
    conv = Conversation(id="c-1", patient_id="p-1", flow=FLOW.name, version=FLOW.version,
                        state="", context={"first_name": "Ana"}, timezone="America/New_York")
    return step(FLOW, conv, Start(), NOW)[0]


def reply(conv: Conversation, text: str, channel: str) -> tuple[Conversation, list[fx.Effect]]:
    return step(FLOW, conv, Reply(text=text, channel=channel, message_id="m1"), NOW)


def tasks(effects: list[fx.Effect]) -> list[fx.CreateTask]:
    return [e for e in effects if isinstance(e, fx.CreateTask)]


#: (reply, state after, urgent task?, message sent back (msgid) or None for the state's own)
CASES = [
    ("184/96", "crisis", True, None),
    ("184 over 96", "crisis", True, None),
    ("184 96", "crisis", True, None),
    ("184*96", "crisis", True, None),
    ("one eighty four over ninety six", "crisis", True, None),
    ("150/85", "above_goal", False, None),
    ("118/76", "in_range", False, None),
    ("it was really high, 190 something", "ask", True, messages.READING_ASK_BOTTOM),
    ("took it 3 times: 190, 195, 200", "ask", True, messages.READING_SEEN_BY_NURSE),
    ("1840/96", "ask", True, messages.READING_CHECK),
    ("1300/85", "ask", False, messages.READING_CHECK),
    ("132", "ask", False, messages.READING_ASK_BOTTOM),
]


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(("text", "state", "urgent", "msgid"), CASES)
def test_reading_reply(channel: str, text: str, state: str, urgent: bool, msgid: str | None) -> None:
    conv, effects = reply(waiting(), text, channel)
    assert conv.state == state
    assert any(t.priority == "urgent" for t in tasks(effects)) == urgent
    if msgid is not None:
        assert [e.msgid for e in effects if isinstance(e, fx.SendMessage)] == [msgid]


def test_the_task_names_the_reading_and_the_reading_is_recorded() -> None:
    conv, effects = reply(waiting(), "184/96", "sms")
    assert conv.context["bp"] == {"systolic": 184, "diastolic": 96, "at": NOW.isoformat()}
    assert tasks(effects)[0].understood == "blood pressure: 184/96"
    assert tasks(effects)[0].reason == "BP 184/96, reported 10:00 AM: crisis level. Call the patient now."
    recorded = [e for e in effects if isinstance(e, fx.RecordReading)]
    assert recorded == [fx.RecordReading(kind="blood_pressure", values={"systolic": 184, "diastolic": 96},
                                         state="ask", message_id="m1")]


def test_a_part_then_the_rest() -> None:
    conv, effects = reply(waiting(), "184", "sms")
    assert conv.attempts == 0  # a part is progress, not a failed attempt
    conv, effects = reply(conv, "96", "sms")
    assert conv.state == "crisis" and conv.status == ENDED


def test_an_alert_is_raised_once_per_question() -> None:
    conv, first = reply(waiting(), "took it 3 times: 190, 195, 200", "sms")
    conv, second = reply(conv, "190 195 200", "sms")
    assert len(tasks(first)) == 1 and tasks(second) == []
    understood = tasks(first)[0].understood or ""
    assert "190" in understood and "could not be read" in understood


def test_without_a_crisis_number_unreadable_replies_stay_not_understood() -> None:
    conv, effects = reply(waiting(), "what is this", "sms")
    assert tasks(effects) == [] and effects[0].msgid == messages.NOT_UNDERSTOOD


@pytest.mark.parametrize(("text", "state", "msgid"), [
    ("7", "checkin", messages.NUMBER_OUT_OF_RANGE),
    ("300", "checkin", messages.NUMBER_OUT_OF_RANGE),
    ("four", "symptoms", None),
    ("I ran out 2 days ago", "checkin", messages.NOT_UNDERSTOOD),
])
def test_a_number_out_of_range_is_asked_back_with_the_range(text: str, state: str, msgid: str | None) -> None:
    flow = load_dir(default_flows_dir()).registry.get("engagement_checkin")
    conv = Conversation(id="c-2", patient_id="p-1", flow=flow.name, version=flow.version, state="",
                        context={"first_name": "Ana"})
    conv = step(flow, conv, Start(), NOW)[0]
    conv, effects = step(flow, conv, Reply(text=text, message_id="m1"), NOW)
    assert conv.state == state
    sent = [e for e in effects if isinstance(e, fx.SendMessage)]
    if msgid is not None:
        assert sent[0].msgid == msgid
    if msgid == messages.NUMBER_OUT_OF_RANGE:
        assert sent[0].params == {"min": 1, "max": 5} and len(sent) == 1
