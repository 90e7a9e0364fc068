"""Whole calls: the app places a call through the real twilio client to the stand-in, which
fetches TwiML from the running web app over HTTP (signed), plays the patient's script (keypad or
speech) and reports status. The three flows complete by phone in English, Spanish and Mandarin.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
import redis as redis_lib
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select

from bot import defaults
from bot.services import calls as vc
from bot.store.db import get_database
from bot.store.models import AuditEvent, Conversation, FollowUpTask, Message, Patient

pytestmark = pytest.mark.integration

NOW_DUE = (date.today() + timedelta(days=3)).isoformat()


def _slots() -> list[str]:
    base = datetime.now(timezone.utc).replace(microsecond=0, second=0, minute=0) + timedelta(days=2)
    return [(base + timedelta(hours=h)).isoformat() for h in (0, 3, 24)]


CONTEXT = {
    "refill_reminder": {"first_name": "Ana", "due_date": NOW_DUE},
    "appointment_recovery": {"first_name": "Ana", "missed_date": NOW_DUE, "slots": _slots()},
    "engagement_checkin": {"first_name": "Ana"},
}


def zone_at(local_hour: int) -> str:
    """An Etc/GMT zone where it is about `local_hour` o'clock now (POSIX signs: GMT-5 = UTC+5)."""
    offset = (local_hour - datetime.now(timezone.utc).hour + 36) % 24 - 12
    if offset == 0:
        return "Etc/GMT"
    return f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


def daytime_timezone() -> str:
    return zone_at(12)


def _phone() -> str:
    return "+1555" + str(uuid.uuid4().int)[:7]


def enrol(stack: Any, flow: str, locale: str = "en", *, preference: str | None = None) -> int:
    rt = stack.app.extensions["outreach"]
    version = rt.flows.get(flow).version
    with get_database(stack.database_url).session() as s:
        patient = Patient(phone=_phone(), first_name="Ana", locale=locale,
                          preferred_language=preference, timezone=daytime_timezone())
        s.add(patient)
        s.flush()
        row = Conversation(patient_id=patient.id, flow=flow, version=version, state="",
                           context=dict(CONTEXT[flow]), locale=locale,
                           timezone=patient.timezone, channel="voice")
        s.add(row)
        s.flush()
        return row.id


def call(stack: Any, conversation_id: int, script: dict[str, Any]) -> dict[str, Any]:
    """Place the call, let the stand-in play `script`, return the stand-in's call record."""
    rt = stack.app.extensions["outreach"]
    with get_database(stack.database_url).session() as s:
        phone = s.get(Conversation, conversation_id).patient.phone
    stack.fake.set_call_script(phone, script)
    sid = vc.place_call(rt, conversation_id, datetime.now(timezone.utc))
    assert sid is not None
    assert stack.fake.wait_idle(30)
    [record] = [c for c in stack.fake.calls() if c["sid"] == sid]
    return record


def said(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for item in record["transcript"] if "say" in item]


def conversation(stack: Any, conversation_id: int) -> Conversation:
    with get_database(stack.database_url).session() as s:
        return s.get(Conversation, conversation_id)


def tasks(stack: Any, conversation_id: int) -> list[tuple[str, str]]:
    with get_database(stack.database_url).session() as s:
        rows = s.scalars(select(FollowUpTask).where(FollowUpTask.conversation_id == conversation_id))
        return [(t.team, t.priority) for t in rows]


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
    assert len(gathers) == len(inputs)
    assert all(g["input"] == "dtmf speech" for g in gathers)
    assert record["transcript"][-1] == {"hangup": True}
    row = conversation(stack, cid)
    assert row.status == "ended", (row.state, record["transcript"])
    if outcome:
        assert row.outcome == outcome
    if expected_tasks is not None:
        assert sorted(tasks(stack, cid)) == sorted(expected_tasks)
    # The first question is spoken with the patient's name filled in.
    assert "Ana" in lines[0]["say"]
    with get_database(stack.database_url).session() as s:
        heard = s.scalars(select(Message.body).where(
            Message.conversation_id == cid, Message.direction == "in",
            Message.channel == "voice")).all()
    assert len(heard) == len(inputs)


def test_spanish_call_speaks_the_spanish_catalog(stack: Any) -> None:
    cid = enrol(stack, "refill_reminder", "es")
    record = call(stack, cid, {"answer": "human", "inputs": ["1"]})
    first = said(record)[0]["say"]
    assert first.startswith("Hola Ana") or "Ana" in first
    assert "your refill" not in first.lower()


def test_silence_repeats_the_question_once_then_ends_the_call(stack: Any) -> None:
    cid = enrol(stack, "refill_reminder", "en")
    record = call(stack, cid, {"answer": "human", "inputs": [{"silence": True}, {"silence": True}]})
    lines = [item["say"] for item in said(record)]
    assert lines[1] == "Sorry, we did not hear your answer."
    assert lines[0] == lines[2]  # the same question again
    assert lines[-1].startswith("We did not hear an answer.")
    row = conversation(stack, cid)
    assert row.status == "active" and row.state == "ask"  # its own 24 h timeout goes on


def test_answering_machine_gets_a_voicemail_without_health_details(stack: Any) -> None:
    cid = enrol(stack, "refill_reminder", "en")
    record = call(stack, cid, {"answer": "machine"})
    lines = [item["say"] for item in said(record)]
    assert lines == [
        "Hello, this is Riverside Clinic calling for you. Please call us back at 555-0100. "
        "Thank you."
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
    for _ in range(vc.MAX_CALL_ATTEMPTS - 1):
        call(stack, cid, {"answer": answer})
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
    for _ in range(vc.MAX_CALL_ATTEMPTS):
        call(stack, cid, {"answer": "no-answer"})
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
    assert "refill" in said(record)[0]["say"]
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
