"""Whole calls: the app places a call through the real twilio client to the stand-in, which
fetches TwiML from the running web app over HTTP (signed), plays the patient's script (keypad or
speech) and reports status. The shipped flows complete by phone in English, Spanish and Mandarin.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
import redis as redis_lib
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select
from voice_support import call, conversation, enrol, said, tasks, zone_at

from bot import defaults
from bot.services import calls as vc
from bot.store.db import get_database
from bot.store.models import AuditEvent, Conversation, FollowUpTask, Message

pytestmark = pytest.mark.integration

# -- the three flows by phone -----------------------------------------------------------------

CASES = [
    # flow, locale, inputs, outcome, tasks
    ("refill_reminder", "en", ["1"], "confirmed", []),
    ("refill_reminder", "en", [{"speech": "no"}, {"speech": "it costs too much money"}],
     "handed_off", [("pharmacy", "high")]),
    ("refill_reminder", "es", [{"speech": "sí"}], "confirmed", []),
    ("refill_reminder", "zh_Hans", ["2", "4"], "handed_off", [("pharmacy", "urgent")]),
    ("appointment_recovery", "en", ["1", "2", "1"], "rescheduled", [("scheduling", "routine")]),
    ("appointment_recovery", "es", ["1", "3", "1"], "rescheduled", [("scheduling", "routine")]),
    ("appointment_recovery", "zh_Hans", [{"speech": "不"}, "3"], None, None),
    ("engagement_checkin", "en", [{"speech": "I am doing well"}], "completed", []),
    ("engagement_checkin", "es", ["5", {"speech": "no"}, "0"], None, None),
    ("engagement_checkin", "zh_Hans", ["4", {"speech": "没有"}, "0"], None, None),
    # A reading keyed with a star between the numbers, or spoken as words.
    ("bp_checkin", "en", ["184*96"], "crisis", [("nursing", "urgent")]),
    ("bp_checkin", "es", [{"speech": "ciento dieciocho sobre setenta y seis"}], "in_range", []),
]


@pytest.mark.parametrize(("flow", "locale", "inputs", "outcome", "expected_tasks"), CASES)
def test_flow_completes_by_phone(
    stack: Any, flow: str, locale: str, inputs: list[Any], outcome: str | None,
    expected_tasks: list[tuple[str, str]] | None,
) -> None:
    cid = enrol(stack, flow, locale)
    record = call(stack, cid, {"answer": "human", "inputs": inputs})
    assert record["status"] == "completed"
    assert not [t for t in record["transcript"] if "error" in t], record["transcript"]
    lines = said(record)
    assert lines, "nothing was said"
    profile = {"en": ("en-US", "Polly.Joanna"), "es": ("es-US", "Polly.Lupe"),
               "zh_Hans": ("cmn-CN", "Polly.Zhiyu")}[locale]
    assert {(item["language"], item.get("voice")) for item in lines} == {profile}
    gathers = [t["gather"] for t in record["transcript"] if "gather" in t]
    assert len(gathers) == len(inputs) + 1  # the identity question, then the flow's
    assert all(g["input"] == "dtmf speech" for g in gathers)
    assert record["transcript"][-1] == {"hangup": True}
    row = conversation(stack, cid)
    assert row.status == "ended", (row.state, record["transcript"])
    if outcome:
        assert row.outcome == outcome
    if expected_tasks is not None:
        assert sorted(tasks(stack, cid)) == sorted(expected_tasks)
    # Who is calling and for whom comes first; then the flow, with the name filled in.
    assert lines[0]["say"].startswith("Hello, this is Riverside Clinic calling for Ana") \
        or locale != "en"
    assert "Ana" in lines[0]["say"] and "Ana" in lines[2]["say"]
    with get_database(stack.database_url).session() as s:
        heard = s.scalars(select(Message.body).where(
            Message.conversation_id == cid, Message.direction == "in",
            Message.channel == "voice")).all()
    assert len(heard) == len(inputs) + 1


def test_spanish_call_speaks_the_spanish_catalog(stack: Any) -> None:
    cid = enrol(stack, "refill_reminder", "es")
    record = call(stack, cid, {"answer": "human", "inputs": ["1"]})
    identity, first = said(record)[0]["say"], said(record)[2]["say"]
    assert identity.startswith("Hola, le llama Riverside Clinic para Ana")
    assert first.startswith("Hola Ana") or "Ana" in first
    assert "your refill" not in first.lower()


def test_silence_repeats_the_question_once_then_ends_the_call(stack: Any) -> None:
    cid = enrol(stack, "refill_reminder", "en")
    record = call(stack, cid, {"answer": "human", "inputs": [{"silence": True}, {"silence": True}]})
    lines = [item["say"] for item in said(record)][2:]  # after the identity question and offer
    assert lines[2] == "Sorry, we did not hear your answer."
    assert lines[:2] == lines[3:5]  # the same question (and the opt-out offer) again
    assert lines[-1].startswith("We did not hear an answer.")
    row = conversation(stack, cid)
    assert row.status == "active" and row.state == "ask"  # its own 24 h timeout goes on


def test_answering_machine_gets_a_voicemail_without_health_details(stack: Any) -> None:
    cid = enrol(stack, "refill_reminder", "en")
    record = call(stack, cid, {"answer": "machine"})
    lines = [item["say"] for item in said(record)]
    assert lines == [
        "Hello, this is Riverside Clinic calling for you. Please call us back at 5 5 5, "
        "0 1 0 0. Thank you."
    ]
    assert not [t for t in record["transcript"] if "gather" in t]
    with get_database(stack.database_url).session() as s:
        actions = s.scalars(select(AuditEvent.action).where(
            AuditEvent.conversation_id == cid)).all()
    assert "voicemail_left" in actions and "call_retry" in actions
    assert _scheduled_calls(stack, cid)


def _scheduled_calls(stack: Any, cid: int) -> list[str]:
    conn = redis_lib.Redis.from_url(stack.redis_url)
    ids = ScheduledJobRegistry(defaults.QUEUE_OUTBOUND, connection=conn).get_job_ids()
    return [j for j in ids if j.startswith(f"call-{cid}-")]


@pytest.mark.parametrize("answer", ["no-answer", "busy"])
def test_unanswered_calls_are_retried_then_fall_back_to_text(stack: Any, answer: str) -> None:
    cid = enrol(stack, "refill_reminder", "en")
    call(stack, cid, {"answer": answer})
    assert _scheduled_calls(stack, cid)
    for day in range(1, vc.MAX_CALL_ATTEMPTS):
        call(stack, cid, {"answer": answer}, day=day)
    row = conversation(stack, cid)
    assert row.channel == "sms" and row.state == ""
    with get_database(stack.database_url).session() as s:
        actions = s.scalars(select(AuditEvent.action).where(
            AuditEvent.conversation_id == cid)).all()
    assert actions.count("call_retry") == vc.MAX_CALL_ATTEMPTS - 1
    assert "channel_fallback" in actions


def test_unanswered_landline_ends_in_a_task(stack: Any) -> None:
    cid = enrol(stack, "engagement_checkin", "en")
    with get_database(stack.database_url).session() as s:
        s.get(Conversation, cid).patient.phone_status = "landline"
    for day in range(vc.MAX_CALL_ATTEMPTS):
        call(stack, cid, {"answer": "no-answer"}, day=day)
    row = conversation(stack, cid)
    assert (row.status, row.outcome) == ("ended", "no_response")
    assert tasks(stack, cid) == [("outreach", "routine")]


def test_kreyol_gets_an_interpreter_task_not_a_robot(stack: Any) -> None:
    cid = enrol(stack, "refill_reminder", "ht")
    before = len(stack.fake.calls())
    rt = stack.app.extensions["outreach"]
    assert vc.place_call(rt, cid, datetime.now(timezone.utc)) is None
    assert len(stack.fake.calls()) == before
    with get_database(stack.database_url).session() as s:
        reasons = s.scalars(select(FollowUpTask.reason).where(
            FollowUpTask.conversation_id == cid)).all()
    assert reasons == ["Kreyol interpreter call-back"]


def test_landline_text_failure_moves_the_conversation_to_a_call(stack: Any) -> None:
    cid = enrol(stack, "refill_reminder", "en")
    now = datetime.now(timezone.utc)
    with get_database(stack.database_url).session() as s:
        row = s.get(Conversation, cid)
        row.channel, row.state, row.wait_token = "sms", "ask", "w1-abc"
        assert vc.fallback_to_voice(s, cid, now) is True
        assert vc.fallback_to_voice(s, cid, now) is False  # already on voice
    row = conversation(stack, cid)
    assert (row.channel, row.state, row.wait_token) == ("voice", "", None)
    with get_database(stack.database_url).session() as s:
        assert s.get(Conversation, cid).patient.phone_status == "landline"
    record = call(stack, cid, {"answer": "human", "inputs": ["1"]})
    assert "refill" in said(record)[2]["say"]
    assert conversation(stack, cid).outcome == "confirmed"


def test_quiet_hours_defer_the_call(stack: Any) -> None:
    cid = enrol(stack, "engagement_checkin", "en")
    now = datetime.now(timezone.utc)
    zone = zone_at(3)
    with get_database(stack.database_url).session() as s:
        s.get(Conversation, cid).patient.timezone = zone
    before = len(stack.fake.calls())
    rt = stack.app.extensions["outreach"]
    assert vc.place_call(rt, cid, now) is None
    assert len(stack.fake.calls()) == before
    assert _scheduled_calls(stack, cid)


def test_unsigned_voice_request_is_refused(stack: Any) -> None:
    import requests

    response = requests.post(stack.base_url + "/twilio/voice/answer?c=1",
                             data={"CallSid": "CA" + "0" * 32}, timeout=10)
    assert response.status_code == 403
