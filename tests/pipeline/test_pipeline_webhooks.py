"""The Twilio webhooks over real HTTP: signatures, dedupe, unknown numbers, status callbacks."""

from __future__ import annotations

import uuid

from pipeline_helpers import add_patient, count, events_for, messages_for, new_phone
from sqlalchemy import select

from bot.core import messages
from bot.store.db import get_database
from bot.store.models import FollowUpTask, InboxEvent, Message


def test_forged_signature_is_refused(stack):
    phone = new_phone()
    params = {"MessageSid": "SM" + uuid.uuid4().hex, "From": phone, "To": "+15005550006",
              "Body": "YES"}
    import requests

    bad = requests.post(stack.base_url + "/twilio/sms", data=params,
                        headers={"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}, timeout=10)
    missing = requests.post(stack.base_url + "/twilio/sms", data=params, timeout=10)
    # A valid signature over different parameters (a tampered body) is also refused.
    sig = stack.sign("/twilio/sms", params)
    tampered = requests.post(stack.base_url + "/twilio/sms", data={**params, "Body": "NO"},
                             headers={"X-Twilio-Signature": sig}, timeout=10)
    status = requests.post(stack.base_url + "/twilio/status", data={"MessageSid": "SMx"},
                           headers={"X-Twilio-Signature": sig}, timeout=10)
    assert [bad.status_code, missing.status_code, tampered.status_code, status.status_code] == [
        403, 403, 403, 403]
    assert count(stack.database_url, Message, Message.address == phone) == 0


def test_duplicate_webhook_stores_one_message_and_one_event(stack):
    pid = add_patient(stack.database_url)
    with get_database(stack.database_url).session() as s:
        from bot.store.models import Patient

        phone = s.get(Patient, pid).phone
    sid = "SM" + uuid.uuid4().hex
    first = stack.text_in(phone, "YES", sid=sid)
    second = stack.text_in(phone, "YES", sid=sid)
    assert first.status_code == second.status_code == 200
    assert first.headers["Content-Type"].startswith("text/xml")
    assert "<Response />" in second.text or "<Response/>" in second.text
    assert [m.twilio_sid for m in messages_for(stack.database_url, pid)] == [sid]
    events = events_for(stack.database_url, pid)
    assert [(e.kind, e.dedupe_key) for e in events] == [("reply", sid)]


def test_unknown_number_gets_one_polite_answer_a_day_and_a_task(stack):
    stranger = new_phone()
    first = stack.text_in(stranger, "hello who is this")
    second = stack.text_in(stranger, "hello??")
    assert first.status_code == second.status_code == 200
    assert "<Message>" in first.text and "555-0100" in first.text
    assert "<Message>" not in second.text
    with get_database(stack.database_url).session() as s:
        inbound = list(s.scalars(select(Message).where(Message.address == stranger,
                                                       Message.direction == "in")))
        tasks = list(s.scalars(select(FollowUpTask).where(
            FollowUpTask.message_id.in_([m.id for m in inbound]))))
        replies = list(s.scalars(select(Message).where(
            Message.address == stranger, Message.direction == "out")))
        events = s.scalar(select(InboxEvent.id).where(
            InboxEvent.dedupe_key.in_([m.twilio_sid for m in inbound])))
    assert len(inbound) == 2 and all(m.patient_id is None for m in inbound)
    assert [(t.team, t.category, t.status) for t in tasks] == [("outreach", "unknown_number", "open")]
    assert [r.msgid for r in replies] == [messages.UNKNOWN_NUMBER_REPLY]
    assert events is None


def _outbound(database_url: str, pid: int) -> tuple[int, str]:
    sid = "SM" + uuid.uuid4().hex
    with get_database(database_url).session() as s:
        m = Message(patient_id=pid, direction="out", address="+12025550100", body="hi",
                    status="queued", status_rank=2, twilio_sid=sid, kind="routine")
        s.add(m)
        s.flush()
        return m.id, sid


def _status(stack, sid: str, status: str, code: str | None = None):
    params = {"MessageSid": sid, "MessageStatus": status, "SmsSid": sid, "SmsStatus": status,
              "AccountSid": stack.env["TWILIO_ACCOUNT_SID"]}
    if code:
        params["ErrorCode"] = code
    return stack.post_signed("/twilio/status", params)


def test_status_callbacks_out_of_order_and_repeated(stack):
    pid = add_patient(stack.database_url)
    mid, sid = _outbound(stack.database_url, pid)
    for status in ("delivered", "sent", "queued", "delivered", "sent"):
        assert _status(stack, sid, status).status_code == 200
    with get_database(stack.database_url).session() as s:
        m = s.get(Message, mid)
        assert (m.status, m.error_code) == ("delivered", None)


def test_failed_status_records_the_code_and_queues_one_event(stack):
    pid = add_patient(stack.database_url)
    mid, sid = _outbound(stack.database_url, pid)
    _status(stack, sid, "sent")
    _status(stack, sid, "undelivered", "30003")
    _status(stack, sid, "undelivered", "30003")
    _status(stack, sid, "sent")
    with get_database(stack.database_url).session() as s:
        m = s.get(Message, mid)
        assert (m.status, m.error_code) == ("undelivered", 30003)
    events = [e for e in events_for(stack.database_url, pid) if e.kind == "delivery_failed"]
    assert len(events) == 1
    assert events[0].payload == {"message_id": mid, "error_code": 30003, "status": "undelivered"}


def test_health_and_readiness(stack):
    import requests

    assert requests.get(stack.base_url + "/healthz", timeout=5).json() == {"status": "ok"}
    ready = requests.get(stack.base_url + "/readyz", timeout=5)
    # The public listener says ready or not; which part failed, and /metrics, only to the
    # addresses METRICS_ALLOW_FROM names (none here).
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}
    assert requests.get(stack.base_url + "/metrics", timeout=5).status_code == 404
