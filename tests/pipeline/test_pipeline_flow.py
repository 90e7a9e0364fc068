"""End to end: campaign start, replies through signed webhooks, real `rq worker` subprocesses,
sends to the Twilio stand-in over HTTP, status callbacks back into the app."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

from pipeline_helpers import add_patient, events_for, messages_for
from sqlalchemy import func, select
from stack_support import daytime_timezone

from bot import settings as settings_mod
from bot.cli.pipeline import start_campaign
from bot.store.db import get_database
from bot.store.models import AuditEvent, Conversation, FollowUpTask, Patient


def _patient(stack, **extra) -> tuple[int, str]:
    pid = add_patient(stack.database_url, timezone=daytime_timezone(),
                      attributes={"due_date": "2026-12-01"}, **extra)
    with get_database(stack.database_url).session() as s:
        return pid, s.get(Patient, pid).phone


def _start(stack, flow: str, pid: int) -> None:
    settings = settings_mod.load(stack.env)
    with get_database(stack.database_url).session() as s:
        # Only this patient: everyone else from earlier tests is already in a conversation
        # or is marked so the campaign skips them.
        others = s.scalars(select(Patient).where(Patient.id != pid, Patient.phone_status.is_(None)))
        for other in others:
            other.phone_status = "test-skip"
    started = start_campaign(settings, flow)
    assert started == [pid]


def _conversation(stack, pid: int) -> Conversation:
    with get_database(stack.database_url).session() as s:
        return s.scalars(select(Conversation).where(Conversation.patient_id == pid)
                         .order_by(Conversation.id.desc())).first()


def test_campaign_reply_and_delivery(stack):
    pid, phone = _patient(stack)
    _start(stack, "refill_reminder", pid)
    stack.drain()
    sent = stack.fake.messages(to=phone)
    assert len(sent) == 1 and "refill" in sent[0]["body"]
    conv = _conversation(stack, pid)
    assert (conv.state, conv.status) == ("ask", "active") and conv.wait_token
    out = [m for m in messages_for(stack.database_url, pid) if m.direction == "out"]
    assert out[0].twilio_sid == sent[0]["sid"] and out[0].status == "delivered"

    assert stack.text_in(phone, "yes").status_code == 200
    stack.drain()
    conv = _conversation(stack, pid)
    assert (conv.status, conv.outcome) == ("ended", "confirmed")
    bodies = [m["body"] for m in stack.fake.messages(to=phone)]
    assert len(bodies) == 2 and bodies[1].startswith("Great")


def _texts(stack, phone: str) -> list[str]:
    """How each text the stand-in carried to `phone` begins (its first one or two words)."""
    starts = ("Hi Ana", "Sorry", "Thank you", "Great")
    return [next((w for w in starts if m["body"].startswith(w)), m["body"][:12])
            for m in stack.fake.messages(to=phone)]


def _replies(stack, pid: int) -> list:
    return [e for e in events_for(stack.database_url, pid) if e.kind == "reply"]


def _all_processed(stack, pids: list[int], each: int):
    def done() -> bool:
        for pid in pids:
            events = _replies(stack, pid)
            if len(events) < each or any(e.processed_at is None for e in events):
                return False
        return stack.pending_work() == 0
    return done


def _running_workers(stack, count: int = 2) -> None:
    for _ in range(count):
        stack.start_worker()
    stack.wait_for_workers(count)


def _assert_handed_off_once(stack, pid: int, replies: int) -> None:
    """Two re-prompts, then the flow hands off once; every later reply joins that open task
    (no second task, no automatic hand-off text each time)."""
    conv = _conversation(stack, pid)
    assert conv.status == "ended"
    with get_database(stack.database_url).session() as s:
        tasks = list(s.scalars(select(FollowUpTask).where(FollowUpTask.patient_id == pid)))
        attached = s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.patient_id == pid, AuditEvent.action == "reply_to_task"))
    assert [t.conversation_id for t in tasks] == [conv.id]
    assert attached == replies - 3
    inbound = [m for m in messages_for(stack.database_url, pid) if m.direction == "in"]
    assert len(inbound) == replies


def test_fifty_concurrent_replies_while_workers_run_are_each_processed_once(stack):
    pid, phone = _patient(stack)
    _start(stack, "refill_reminder", pid)
    stack.drain()
    try:
        # The workers are up and listening before the first reply: replies and processing
        # overlap, as they do in production.
        _running_workers(stack)
        sids = [f"SM{uuid.uuid4().hex}" for _ in range(50)]
        with ThreadPoolExecutor(max_workers=16) as pool:
            codes = list(pool.map(lambda sid: stack.text_in(phone, "purple", sid=sid).status_code,
                                  sids))
        assert codes == [200] * 50
        stack.wait_until(_all_processed(stack, [pid], 50), 180, "all 50 replies processed")
    finally:
        stack.stop_workers()
    stack.drain()
    events = _replies(stack, pid)
    assert sorted(e.dedupe_key for e in events) == sorted(sids)
    assert all(e.processed_at is not None for e in events)
    _assert_handed_off_once(stack, pid, 50)
    # Only the first text, two re-prompts (with the question again) and one hand-off text.
    assert _texts(stack, phone) == ["Hi Ana", "Sorry", "Hi Ana", "Sorry", "Hi Ana", "Thank you"]


def test_replies_sent_one_after_another_are_processed_in_the_order_they_arrived(stack):
    pid, phone = _patient(stack)
    _start(stack, "refill_reminder", pid)
    stack.drain()
    try:
        _running_workers(stack)
        # A phone sends one text after another; the workers may be mid-turn on the previous
        # one. Out of order, "yes" would confirm first and the others would find no question.
        for body in ("purple", "what?", "yes"):
            assert stack.text_in(phone, body).status_code == 200
        stack.wait_until(_all_processed(stack, [pid], 3), 120, "three replies processed")
    finally:
        stack.stop_workers()
    stack.drain()
    by_id = sorted(_replies(stack, pid), key=lambda e: e.id)
    assert [e.processed_at for e in by_id] == sorted(e.processed_at for e in by_id)
    conv = _conversation(stack, pid)
    assert (conv.status, conv.outcome) == ("ended", "confirmed")
    assert _texts(stack, phone) == ["Hi Ana", "Sorry", "Hi Ana", "Sorry", "Hi Ana", "Great"]


def test_replies_from_many_patients_at_once_while_workers_run_stay_with_their_patient(stack):
    patients = [_patient(stack) for _ in range(6)]
    with get_database(stack.database_url).session() as s:
        for other in s.scalars(select(Patient).where(
                Patient.id.not_in([p for p, _ in patients]), Patient.phone_status.is_(None))):
            other.phone_status = "test-skip"
    assert sorted(start_campaign(settings_mod.load(stack.env), "refill_reminder")) == sorted(
        p for p, _ in patients)
    stack.drain()
    each = 5
    sends = [(phone, f"SM{uuid.uuid4().hex}") for _, phone in patients for _ in range(each)]
    # Interleaved across patients, so every worker meets several patients' replies at once.
    sends = [sends[i] for k in range(each) for i in range(k, len(sends), each)]
    try:
        _running_workers(stack)
        with ThreadPoolExecutor(max_workers=12) as pool:
            codes = list(pool.map(lambda a: stack.text_in(a[0], "purple", sid=a[1]).status_code,
                                  sends))
        assert codes == [200] * len(sends)
        stack.wait_until(_all_processed(stack, [p for p, _ in patients], each), 180,
                         "every patient's replies processed")
    finally:
        stack.stop_workers()
    stack.drain()
    for pid, phone in patients:
        mine = {sid for number, sid in sends if number == phone}
        assert {e.dedupe_key for e in _replies(stack, pid)} == mine
        _assert_handed_off_once(stack, pid, each)
        assert _texts(stack, phone) == ["Hi Ana", "Sorry", "Hi Ana", "Sorry", "Hi Ana",
                                        "Thank you"]
