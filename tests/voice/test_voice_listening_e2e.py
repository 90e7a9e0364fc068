"""Listening on a call, end to end through the local Twilio stand-in: a confident transcript that
is noise around a word is asked back (at the identity question and after it), and a rating said
in words counts as the rating. Real twilio client, signed webhooks, real Redis and database.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from voice_support import call, conversation, enrol, said

from bot.store.db import get_database
from bot.store.models import AuditEvent

pytestmark = pytest.mark.integration

NOT_SURE = "Sorry, I am not sure I understood."


def _lines(record: dict[str, Any]) -> list[str]:
    return [item["say"] for item in said(record)]


def _actions(stack: Any, cid: int) -> list[str]:
    with get_database(stack.database_url).session() as s:
        return list(s.scalars(select(AuditEvent.action).where(AuditEvent.conversation_id == cid)))


@pytest.mark.parametrize(("locale", "noise"), [("en", "the the okay and"),
                                                ("es", "el el sí y"), ("en", "yes and")])
def test_a_confident_transcript_of_noise_confirms_nothing(
        stack: Any, locale: str, noise: str) -> None:
    cid = enrol(stack, "refill_reminder", locale)
    record = call(stack, cid, {"answer": "human", "inputs": [
        {"speech": noise, "confidence": 0.93}, "2", {"silence": True}, {"silence": True}]})
    row = conversation(stack, cid)
    assert (row.state, row.outcome) == ("barrier", None)  # the key's answer, not the guess
    if locale == "en":
        assert NOT_SURE in _lines(record)


@pytest.mark.parametrize("answer", [{"speech": "the the yes and", "confidence": 0.95},
                                    {"speech": "yes", "confidence": 0.2}])
def test_noise_or_a_doubtful_yes_does_not_confirm_who_is_on_the_line(
        stack: Any, answer: dict[str, Any]) -> None:
    cid = enrol(stack, "refill_reminder", "en")
    record = call(stack, cid, {"answer": "human", "inputs": [answer, {"silence": True}]},
                  confirm=False)
    spoken = _lines(record)
    asked = spoken.index(NOT_SURE)
    assert "calling for Ana" in spoken[asked + 1]  # the identity question again
    assert not any("refill" in line.lower() for line in spoken)
    assert "identity_confirmed" not in _actions(stack, cid)
    assert conversation(stack, cid).state == ""


def test_a_clear_answer_with_a_joining_word_inside_is_an_answer(stack: Any) -> None:
    cid = enrol(stack, "refill_reminder", "en")
    call(stack, cid, {"answer": "human", "inputs": [
        {"speech": "yes and I will pick it up", "confidence": 0.9}]})
    assert conversation(stack, cid).outcome == "confirmed"


@pytest.mark.parametrize(("locale", "words", "score"), [
    ("en", "I feel terrible", 1), ("en", "not good", 2), ("es", "me siento muy mal", 1),
    ("zh_Hans", "不舒服", 2)])
def test_a_rating_said_in_words_is_the_rating(
        stack: Any, locale: str, words: str, score: int) -> None:
    cid = enrol(stack, "engagement_checkin", locale)
    yes = {"en": "yes", "es": "sí", "zh_Hans": "是的"}[locale]  # spoken: no key that rates
    call(stack, cid, {"answer": "human", "inputs": [{"speech": yes}, {"speech": words},
                                                      {"silence": True}, {"silence": True}]},
         confirm=False)
    row = conversation(stack, cid)
    assert (row.state, (row.context or {}).get("score")) == ("symptoms", score)


@pytest.mark.parametrize(("flow", "locale", "expected"), [
    ("refill_reminder", "es", {"si", "no"}), ("refill_reminder", "ru", {"да", "нет"}),
    ("engagement_checkin", "en", {"one", "three", "five"}),
    ("engagement_checkin", "es", {"uno", "cinco"}),
])
def test_the_recogniser_is_told_the_answers_the_question_expects(
        stack: Any, flow: str, locale: str, expected: set[str]) -> None:
    cid = enrol(stack, flow, locale)
    record = call(stack, cid, {"answer": "human", "inputs": [{"silence": True},
                                                            {"silence": True}]})
    question = [t["gather"] for t in record["transcript"] if "gather" in t][1]
    hints = {h.strip() for h in (question["hints"] or "").split(",")}
    assert expected <= hints, hints
    assert not any(len(h) < 2 for h in hints)  # no texting forms ("y", "n")


def test_a_doubtful_answer_stays_doubtful_after_a_busy_record(stack: Any) -> None:
    """The record was locked when a low-confidence "yes" came in: the redirect back carries
    the recogniser's doubt with the stored answer, so it is asked back, not acted on."""
    import uuid
    import xml.etree.ElementTree as ET
    from datetime import datetime, timezone
    from urllib.parse import urlsplit

    import redis as redis_lib

    from bot.services import call_identity as ci_
    from bot.services.locks import PatientLock
    from bot.store.models import Conversation

    cid = enrol(stack, "refill_reminder", "en")
    sid = "CA" + uuid.uuid4().hex
    with get_database(stack.database_url).session() as s:
        row = s.get(Conversation, cid)
        phone, patient_id = row.patient.phone, row.patient_id
        ci_.record_confirmed(s, row, sid, "keypad", datetime.now(timezone.utc))
        row.state = "ask"
    lock = PatientLock(redis_lib.Redis.from_url(stack.redis_url), patient_id)
    assert lock.acquire()
    try:
        form = {"CallSid": sid, "To": phone, "From": "+15550001111", "SpeechResult": "yes",
                "Confidence": "0.2"}
        busy = stack.post_signed(f"/twilio/voice/gather?c={cid}&n=0&t=1", form)
    finally:
        lock.release()
    url = urlsplit(ET.fromstring(busy.text).find("Redirect").text)  # type: ignore[union-attr]
    back = stack.post_signed(f"{url.path}?{url.query}",
                             {"CallSid": sid, "To": phone, "From": "+15550001111"})
    assert NOT_SURE in back.text
    assert conversation(stack, cid).outcome is None
