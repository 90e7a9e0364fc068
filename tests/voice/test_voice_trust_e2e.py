"""Calls a patient can trust, end to end through the local Twilio stand-in: who is calling and
for whom before any detail, opt-outs heard in every language and by key, call-shaped answers,
a person on the line in a crisis. Real twilio client, signed webhooks, real Redis and database.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import redis as redis_lib
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select
from voice_support import call, conversation, enrol, said

from bot import defaults
from bot.core import call_messages as cm
from bot.services import calls as vc
from bot.services import voice_turns as vt
from bot.store.db import get_database
from bot.store.models import AuditEvent, Conversation, FollowUpTask, Message, Patient

pytestmark = pytest.mark.integration

#: Words of the refill question: a health detail no unconfirmed listener may hear.
DETAILS = ("refill", "recarga", "medicamento", "续药", "药", "재처방", "лекарств", "دواء", "remédio")


def lines(record: dict[str, Any]) -> list[str]:
    return [item["say"] for item in said(record)]


def gathers(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [t["gather"] for t in record["transcript"] if "gather" in t]


def patient_of(stack: Any, cid: int) -> Patient:
    with get_database(stack.database_url).session() as s:
        patient = s.get(Conversation, cid).patient
        s.expunge(patient)
        return patient


def audit_actions(stack: Any, cid: int) -> list[str]:
    with get_database(stack.database_url).session() as s:
        return list(s.scalars(select(AuditEvent.action).where(AuditEvent.conversation_id == cid)))


def said_msgids(stack: Any, cid: int) -> list[str]:
    with get_database(stack.database_url).session() as s:
        return list(s.scalars(select(Message.msgid).where(
            Message.conversation_id == cid, Message.direction == "out",
            Message.channel == "voice", Message.msgid.is_not(None)).order_by(Message.id)))


def task_rows(stack: Any, cid: int) -> list[tuple[str, str, str | None]]:
    with get_database(stack.database_url).session() as s:
        return [(t.team, t.priority, t.category) for t in s.scalars(
            select(FollowUpTask).where(FollowUpTask.conversation_id == cid))]


def scheduled_calls(stack: Any, cid: int) -> list[str]:
    conn = redis_lib.Redis.from_url(stack.redis_url)
    ids = ScheduledJobRegistry(defaults.QUEUE_OUTBOUND, connection=conn).get_job_ids()
    return [j for j in ids if j.startswith(f"call-{cid}-")]


# -- 1. identity first ------------------------------------------------------------------------

@pytest.mark.parametrize("detected", ["unknown", None])
def test_unknown_detection_hears_who_is_calling_and_no_detail(stack: Any, detected: Any) -> None:
    """AMD `unknown` (or nothing) is asked who they are; silence ends with no health detail and
    the call counts as not reaching the patient."""
    cid = enrol(stack, "refill_reminder", "en")
    script: dict[str, Any] = {"answer": "human", "inputs": [{"silence": True}, {"silence": True}]}
    if detected:
        script["answered_by"] = detected
    record = call(stack, cid, script, confirm=False)
    spoken = lines(record)
    assert spoken[0] == ("Hello, this is Riverside Clinic calling for Ana. If this is Ana, press "
                         "1 or say yes. If Ana is not available, press 2. If this is the wrong "
                         "number, press 3.")
    assert "To stop these calls, press 9." in spoken
    assert not [line for line in spoken if any(d in line.lower() for d in DETAILS)], spoken
    assert spoken[-1].startswith("Thank you. We will call again another time.")
    assert all(g["numDigits"] == "1" and "/identify" in g["action"] for g in gathers(record))
    row = conversation(stack, cid)
    assert (row.status, row.state) == ("active", "")  # the flow never started
    assert "call_retry" in audit_actions(stack, cid)


def test_a_machine_detected_as_unknown_gets_no_detail(stack: Any) -> None:
    cid = enrol(stack, "refill_reminder", "es")
    record = call(stack, cid, {"answer": "machine", "answered_by": "unknown"}, confirm=False)
    spoken = lines(record)
    assert spoken[0].startswith("Hola, le llama Riverside Clinic para Ana.")
    assert not [line for line in spoken if any(d in line.lower() for d in DETAILS)], spoken
    assert record["transcript"][-1] == {"hangup": True}


@pytest.mark.parametrize(("locale", "yes"), [("es", "sí, soy yo"), ("zh_Hans", "是的"),
                                             ("ru", "да"), ("en", "uh-huh")])
def test_a_spoken_yes_confirms_identity_then_the_flow_begins(
        stack: Any, locale: str, yes: str) -> None:
    cid = enrol(stack, "refill_reminder", locale)
    record = call(stack, cid, {"answer": "human", "inputs": [{"speech": yes}, "1"]},
                  confirm=False)
    assert [g["action"].split("?")[0].rsplit("/", 1)[1] for g in gathers(record)] == \
        ["identify", "gather"]
    assert conversation(stack, cid).outcome == "confirmed"
    assert "identity_confirmed" in audit_actions(stack, cid)


def test_not_available_ends_politely_and_retries_later(stack: Any) -> None:
    cid = enrol(stack, "refill_reminder", "en")
    record = call(stack, cid, {"answer": "human", "inputs": ["2"]}, confirm=False)
    assert lines(record)[-1].startswith("Thank you. We will call again another time.")
    assert conversation(stack, cid).status == "active"
    assert scheduled_calls(stack, cid)


@pytest.mark.parametrize(("locale", "answer"), [("en", "3"), ("zh_Hans", {"speech": "打错了"}),
                                                ("es", {"speech": "número equivocado"})])
def test_wrong_number_stops_outreach_and_asks_for_a_contact_fix(
        stack: Any, locale: str, answer: Any) -> None:
    cid = enrol(stack, "refill_reminder", locale)
    record = call(stack, cid, {"answer": "human", "inputs": [answer]}, confirm=False)
    row = conversation(stack, cid)
    assert (row.status, row.outcome) == ("ended", "wrong_number")
    assert patient_of(stack, cid).phone_status == "wrong_number"
    assert task_rows(stack, cid) == [("outreach", "high", "contact")]
    assert cm.WRONG_NUMBER in said_msgids(stack, cid)
    assert not scheduled_calls(stack, cid)
    assert not [line for line in lines(record) if any(d in line.lower() for d in DETAILS)]


def test_wrong_number_mid_call_is_heard_too(stack: Any) -> None:
    cid = enrol(stack, "refill_reminder", "en")
    call(stack, cid, {"answer": "human", "inputs": [{"speech": "you have the wrong number"}]})
    assert conversation(stack, cid).outcome == "wrong_number"


def test_gather_without_a_confirmed_identity_asks_who_is_calling(stack: Any) -> None:
    """The same rule on every path: a signed answer for a call nobody confirmed hears the
    identity question, not the flow."""
    cid = enrol(stack, "refill_reminder", "en")
    phone = patient_of(stack, cid).phone
    reply = stack.post_signed(f"/twilio/voice/gather?c={cid}&n=0", {
        "CallSid": "CA" + uuid.uuid4().hex, "To": phone, "From": "+15550001111",
        "Digits": "1", "CallStatus": "in-progress"})
    assert reply.status_code == 200
    assert "Hello, this is Riverside Clinic calling for Ana." in reply.text
    assert "refill" not in reply.text.lower()
    assert conversation(stack, cid).state == ""


# -- 2. opt-outs on a call ---------------------------------------------------------------------

SPOKEN_OPT_OUTS = [
    ("es", "Ya no me llamen"), ("zh_Hans", "不要再打了"), ("zh_Hans", "别再给我打电话了"),
    ("ru", "Больше не звоните"), ("pt_BR", "Não me ligue mais"),
    ("ar", "لا تتصلوا بي مرة أخرى"), ("ko", "전화하지 마세요"), ("en", "please stop calling me"),
    ("vi", "Đừng gọi cho tôi nữa"), ("tl", "Huwag na kayong tumawag"),
]


@pytest.mark.parametrize(("locale", "words"), SPOKEN_OPT_OUTS)
def test_spoken_opt_out_in_every_language(stack: Any, locale: str, words: str) -> None:
    cid = enrol(stack, "refill_reminder", locale)
    record = call(stack, cid, {"answer": "human", "inputs": [{"speech": words}]})
    row = conversation(stack, cid)
    assert (row.status, row.outcome) == ("ended", "opted_out")
    assert patient_of(stack, cid).consent_status == "revoked"
    assert said_msgids(stack, cid)[-1] == cm.STOP_CONFIRMATION  # the call's words, not a text's
    assert not [line for line in lines(record) if "Reply START" in line or "texts" in line]
    assert record["transcript"][-1] == {"hangup": True}


@pytest.mark.parametrize("at_identity", [True, False])
def test_key_9_stops_the_calls(stack: Any, at_identity: bool) -> None:
    cid = enrol(stack, "refill_reminder", "es")
    record = call(stack, cid, {"answer": "human", "inputs": ["9"]}, confirm=not at_identity)
    assert "Para que dejemos de llamarle, oprima 9." in lines(record)
    assert patient_of(stack, cid).consent_status == "revoked"
    assert conversation(stack, cid).outcome == "opted_out"
    assert lines(record)[-2].startswith("No recibirá más llamadas de Riverside Clinic")


def test_a_lone_stop_is_asked_back_not_acted_on(stack: Any) -> None:
    cid = enrol(stack, "refill_reminder", "en")
    record = call(stack, cid, {"answer": "human", "inputs": [{"speech": "stop"}, "1"]})
    spoken = lines(record)
    asked = spoken.index("Do you want us to stop calling you? To stop these calls, press 9. "
                         "Otherwise, here is the question again.")
    assert "Your refill is due" in spoken[asked + 1]  # the question again, with its menu
    assert patient_of(stack, cid).consent_status != "revoked"
    assert conversation(stack, cid).outcome == "confirmed"
    assert "opt_out_unclear" in audit_actions(stack, cid)


def test_cancel_at_the_appointment_question_does_not_unsubscribe(stack: Any) -> None:
    cid = enrol(stack, "appointment_recovery", "en")
    call(stack, cid, {"answer": "human", "inputs": [{"speech": "cancel"}, {"silence": True},
                                                      {"silence": True}]})
    assert patient_of(stack, cid).consent_status != "revoked"
    assert conversation(stack, cid).status == "active"


def test_help_is_for_the_ear_and_asks_the_question_again(stack: Any) -> None:
    cid = enrol(stack, "refill_reminder", "en")
    record = call(stack, cid, {"answer": "human", "inputs": [{"speech": "help"}, "1"]})
    spoken = lines(record)
    helped = next(i for i, line in enumerate(spoken) if line.startswith("This is Riverside"))
    assert "Msg & data rates" not in spoken[helped] and "Reply" not in spoken[helped]
    assert "Your refill is due" in spoken[helped + 1]
    assert conversation(stack, cid).outcome == "confirmed"


# -- 3. listening better -----------------------------------------------------------------------

@pytest.mark.parametrize(("locale", "two"), [("en", "Two"), ("es", "Dos"), ("zh_Hans", "二"),
                                             ("vi", "hai"), ("ru", "Два"), ("pt_BR", "dois")])
def test_spoken_numbers_answer_keypad_questions(stack: Any, locale: str, two: str) -> None:
    cid = enrol(stack, "refill_reminder", locale)
    call(stack, cid, {"answer": "human", "inputs": [{"speech": two}, {"silence": True},
                                                      {"silence": True}]})
    assert conversation(stack, cid).state == "barrier"


def test_low_confidence_speech_is_asked_back(stack: Any) -> None:
    cid = enrol(stack, "refill_reminder", "en")
    record = call(stack, cid, {"answer": "human", "inputs": [
        {"speech": "the the okay and yes", "confidence": 0.21}, "2", "4"]})
    assert "Sorry, I am not sure I understood." in lines(record)
    assert conversation(stack, cid).outcome == "handed_off"  # the keyed answers, not the guess


@pytest.mark.parametrize("ask", [{"speech": "can you repeat that?"}, "*"])
def test_repeat_asks_the_question_again_with_its_menu(stack: Any, ask: Any) -> None:
    cid = enrol(stack, "refill_reminder", "en")
    record = call(stack, cid, {"answer": "human", "inputs": [ask, "1"]})
    questions = [line for line in lines(record) if "Your refill is due" in line]
    assert len(questions) == 2
    assert conversation(stack, cid).outcome == "confirmed"


@pytest.mark.parametrize("ask", [{"speech": "I want to talk to a person"}, "0",
                                 {"speech": "operador"}])
def test_operator_reaches_a_person(stack: Any, ask: Any) -> None:
    cid = enrol(stack, "refill_reminder", "es" if ask == {"speech": "operador"} else "en")
    call(stack, cid, {"answer": "human", "inputs": [ask]})
    assert conversation(stack, cid).outcome == "handed_off"
    assert task_rows(stack, cid) == [("outreach", "high", "person")]


def test_score_question_takes_one_key_and_reserves_no_answer_key(stack: Any) -> None:
    cid = enrol(stack, "engagement_checkin", "en")
    record = call(stack, cid, {"answer": "human", "inputs": ["4", {"silence": True},
                                                            {"silence": True}]})
    # The gather the rating was keyed into (the identity question's key was 1).
    [score] = [item["gather"] for item in record["transcript"]
               if "gather" in item and item["answer"].get("Digits") == "4"]
    assert score["numDigits"] == "1"


# -- 4. crisis on a call -----------------------------------------------------------------------

@pytest.mark.parametrize("dial", ["no-answer", "completed"])
def test_crisis_reaches_a_person_on_the_line(stack: Any, dial: str) -> None:
    cid = enrol(stack, "refill_reminder", "en")
    phone = patient_of(stack, cid).phone
    record = call(stack, cid, {"answer": "human", "dial": dial,
                               "inputs": [{"speech": "I want to kill myself"}]})
    [dialed] = [t["dial"] for t in record["transcript"] if "dial" in t]
    assert dialed["number"] == vt.LIFELINE_NUMBER
    spoken = lines(record)
    assert any("988" in line for line in spoken)
    assert "Please stay on the line." in spoken[-1 if dial == "completed" else -2]
    if dial == "no-answer":
        assert "9 8 8" in spoken[-1] and "9 1 1" in spoken[-1]
    assert "Goodbye." not in spoken
    row = conversation(stack, cid)
    assert (row.status, row.outcome) == ("ended", "escalated")
    assert ("behavioral_health", "urgent", "crisis") in task_rows(stack, cid)
    stack.burst()  # the send job for the text copy (RQ, like every text)
    assert stack.fake.wait_idle(10)
    texts = [m["body"] for m in stack.fake.messages(phone)]
    assert any("988" in body for body in texts), texts


# -- 5. status and retries ---------------------------------------------------------------------

def test_duplicate_and_late_status_callbacks_change_nothing(stack: Any) -> None:
    cid = enrol(stack, "refill_reminder", "en")
    record = call(stack, cid, {"answer": "no-answer"})
    sid = record["sid"]
    before = scheduled_calls(stack, cid)
    assert len(before) == 1
    phone = patient_of(stack, cid).phone
    for status in ("no-answer", "ringing"):
        reply = stack.post_signed(f"/twilio/voice/status?c={cid}", {
            "CallSid": sid, "CallStatus": status, "To": phone, "From": "+15550001111"})
        assert reply.status_code == 200
    assert scheduled_calls(stack, cid) == before
    with get_database(stack.database_url).session() as s:
        assert s.scalar(select(Message.status).where(Message.twilio_sid == sid)) == "no-answer"
    assert audit_actions(stack, cid).count("call_retry") == 1


def test_voicemail_is_left_once_per_question(stack: Any) -> None:
    cid = enrol(stack, "refill_reminder", "en")
    first = call(stack, cid, {"answer": "machine"})
    second = call(stack, cid, {"answer": "machine"}, day=1)
    assert len(lines(first)) == 1 and lines(second) == []
    assert audit_actions(stack, cid).count("voicemail_left") == 1


# -- 6. limits ---------------------------------------------------------------------------------

def test_a_second_call_the_same_day_waits_for_tomorrow(stack: Any) -> None:
    cid = enrol(stack, "refill_reminder", "en")
    call(stack, cid, {"answer": "no-answer"})
    before = len(stack.fake.calls())
    rt = stack.app.extensions["outreach"]
    assert vc.place_call(rt, cid, datetime.now(timezone.utc)) is None
    assert len(stack.fake.calls()) == before
    with get_database(stack.database_url).session() as s:
        reasons = s.scalars(select(AuditEvent.reason).where(
            AuditEvent.conversation_id == cid, AuditEvent.action == "call_deferred")).all()
    assert reasons == ["calls a day: 1"]


def test_a_fourth_call_in_a_week_waits(stack: Any) -> None:
    cid = enrol(stack, "refill_reminder", "en")
    for day in range(3):
        record = call(stack, cid, {"answer": "human", "inputs": ["2"]}, confirm=False, day=day)
        assert record["status"] == "completed"
    rt = stack.app.extensions["outreach"]
    # Four days on, at the same time of day: a new day, but the week has had its three calls.
    assert vc.place_call(rt, cid, datetime.now(timezone.utc) + timedelta(days=4)) is None
    with get_database(stack.database_url).session() as s:
        reasons = s.scalars(select(AuditEvent.reason).where(
            AuditEvent.conversation_id == cid, AuditEvent.action == "call_deferred")).all()
    assert reasons == ["calls a week: 3"]


# -- 7. wording ----------------------------------------------------------------------------------

def test_a_switch_to_kreyol_mid_call_hands_to_an_interpreter(stack: Any) -> None:
    cid = enrol(stack, "refill_reminder", "en")
    record = call(stack, cid, {"answer": "human", "inputs": [{"speech": "Kreyòl"}]})
    last = said(record)[-1]
    assert (last["language"], last["voice"]) == ("en-US", "Polly.Joanna")
    assert last["say"] == "Thank you. A member of your care team will contact you soon."
    assert record["transcript"][-1] == {"hangup": True}
    with get_database(stack.database_url).session() as s:
        reasons = s.scalars(select(FollowUpTask.reason).where(
            FollowUpTask.conversation_id == cid)).all()
    assert reasons == ["Kreyol interpreter call-back"]


def test_numbers_are_read_digit_by_digit(stack: Any) -> None:
    cid = enrol(stack, "refill_reminder", "en")
    record = call(stack, cid, {"answer": "human", "inputs": ["2"]}, confirm=False)
    assert "Ana can reach us at 5 5 5, 0 1 0 0." in lines(record)[-1]


def test_without_a_caller_number_no_call_burns_a_retry(stack: Any) -> None:
    """A Messaging Service cannot place calls (21603): with no TWILIO_FROM_NUMBER the patient is
    texted instead at once, not called three times in vain."""
    cid = enrol(stack, "refill_reminder", "en")
    rt = stack.app.extensions["outreach"]
    no_caller = dataclasses.replace(
        rt, settings=dataclasses.replace(rt.settings, TWILIO_FROM_NUMBER=None))
    before = len(stack.fake.calls())
    assert vc.place_call(no_caller, cid, datetime.now(timezone.utc)) is None
    assert len(stack.fake.calls()) == before
    row = conversation(stack, cid)
    assert (row.channel, row.state) == ("sms", "")
    assert "call_retry" not in audit_actions(stack, cid)
    assert "channel_fallback" in audit_actions(stack, cid)


def test_uh_huh_answers_yes(stack: Any) -> None:
    """"Uh-huh" confirms who is on the line, then answers the refill question."""
    cid = enrol(stack, "refill_reminder", "en")
    call(stack, cid, {"answer": "human", "inputs": [{"speech": "uh-huh"}, {"speech": "uh-huh"}]},
         confirm=False)
    assert conversation(stack, cid).outcome == "confirmed"


def test_a_busy_record_says_one_moment_and_gives_up_after_a_few_redirects(stack: Any) -> None:
    """The patient's record is locked (a worker holds it): "One moment" once, silent redirects
    that carry the stored answer, then an apology with the number instead of a loop."""
    from bot.services import call_identity as ci_
    from bot.services.locks import PatientLock

    cid = enrol(stack, "refill_reminder", "en")
    patient = patient_of(stack, cid)
    sid = "CA" + uuid.uuid4().hex
    with get_database(stack.database_url).session() as s:
        row = s.get(Conversation, cid)
        ci_.record_confirmed(s, row, sid, "keypad", datetime.now(timezone.utc))
    lock = PatientLock(redis_lib.Redis.from_url(stack.redis_url), patient.id)
    assert lock.acquire()
    try:
        form = {"CallSid": sid, "To": patient.phone, "From": "+15550001111", "Digits": "1"}
        first = stack.post_signed(f"/twilio/voice/gather?c={cid}&n=0", form)
        assert "One moment, please." in first.text and "<Redirect" in first.text
        assert "r=1" in first.text and "m=" in first.text
        last = stack.post_signed(f"/twilio/voice/gather?c={cid}&n=0&r=3", form)
        assert "We are sorry, we cannot continue this call right now." in last.text
        assert "<Redirect" not in last.text and "<Hangup" in last.text
    finally:
        lock.release()


def test_a_language_named_at_the_first_words_asks_again_in_it(stack: Any) -> None:
    cid = enrol(stack, "refill_reminder", "en")
    record = call(stack, cid, {"answer": "human", "inputs": [{"speech": "Español"}, "1", "1"]},
                  confirm=False)
    spoken = said(record)
    assert spoken[2]["say"].startswith("Hola, le llama Riverside Clinic para Ana.")
    assert spoken[2]["language"] == "es-US"
    row = conversation(stack, cid)
    assert (row.locale, row.outcome) == ("es", "confirmed")
