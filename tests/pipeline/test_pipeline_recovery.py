"""Crashes and carrier failures: nothing lost, nothing sent twice, opt-out honoured at send time."""

from __future__ import annotations

import os
import signal
import subprocess
import time

from pipeline_helpers import add_patient, messages_for, only_patient
from sqlalchemy import select
from stack_support import ROOT, daytime_timezone

from bot import settings as settings_mod
from bot.cli.pipeline import start_campaign
from bot.store.db import get_database
from bot.store.models import (
    ConsentChange,
    Conversation,
    FollowUpTask,
    InboxEvent,
    Message,
    Patient,
)


def _patient(stack, **extra) -> tuple[int, str]:
    pid = add_patient(stack.database_url, timezone=daytime_timezone(),
                      attributes={"due_date": "2026-12-01"}, **extra)
    with get_database(stack.database_url).session() as s:
        return pid, s.get(Patient, pid).phone


def _only(stack, pid: int) -> None:
    only_patient(stack.database_url, pid)


def _start(stack, flow: str, pid: int) -> None:
    _only(stack, pid)
    assert start_campaign(settings_mod.load(stack.env), flow) == [pid]


def _wait_for(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.1)


def _descendants(pid: int) -> list[int]:
    """PIDs of the processes `pid` started (and theirs), from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    parents[int(entry)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        kids = [p for p, parent in parents.items() if parent == current]
        found += kids
        frontier += kids
    return found


def _out(stack, pid: int) -> list[Message]:
    return [m for m in messages_for(stack.database_url, pid) if m.direction == "out"]


def test_worker_sigkilled_mid_send_loses_nothing_and_sends_once(stack, tmp_path):
    pid, phone = _patient(stack)
    _start(stack, "refill_reminder", pid)
    already = stack.fake.creates()["received"]
    worker = None
    try:
        stack.fake.configure(latency_ms=4000)
        # A real `rq worker` subprocess, SIGKILLed with its work horse while Twilio is slow.
        with (tmp_path / "killed-worker.log").open("wb") as log:
            worker = subprocess.Popen(stack.worker_command(), env=stack.env, cwd=ROOT,
                                      stdout=log, stderr=subprocess.STDOUT)
        # The stand-in reports the create request on the wire (held by the 4 s latency).
        assert stack.fake.wait_creates(received=already + 1, in_flight=1, timeout=60), \
            "the worker never sent the create request"
        assert [m.status for m in _out(stack, pid)] == ["sending"]
        # RQ's work horse runs in a session of its own: kill it and the worker by PID.
        for child in [*_descendants(worker.pid), worker.pid]:
            os.kill(child, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        stack.fake.configure(latency_ms=0)
        if worker is not None and worker.poll() is None:
            for child in [*_descendants(worker.pid), worker.pid]:
                os.kill(child, signal.SIGKILL)
            worker.wait(timeout=10)
    # The request was in flight: the stand-in still carries it out.
    _wait_for(lambda: len(stack.fake.messages(to=phone)) == 1, timeout=15)
    assert [m.status for m in _out(stack, pid)] == ["sending"]
    # Recovery: RQ re-queues the abandoned job or the sweeper re-arms the stale claim; either
    # way the job reconciles with Twilio's message list instead of sending again.
    deadline = time.monotonic() + 240
    while any(m.status == "sending" for m in _out(stack, pid)):
        assert time.monotonic() < deadline, "the stale send was never recovered"
        stack.run_job("workers.jobs.sweep")
        stack.burst()
    stack.drain()
    sent = stack.fake.messages(to=phone)
    out = _out(stack, pid)
    assert len(sent) == 1
    assert [(m.twilio_sid, m.send_attempts) for m in out] == [(sent[0]["sid"], 1)]
    assert out[0].status in ("sent", "delivered")


def test_lost_response_is_reconciled_not_resent(stack):
    pid, phone = _patient(stack)
    stack.fake.configure(lost_responses=1)
    _start(stack, "refill_reminder", pid)
    stack.drain()
    sent = stack.fake.messages(to=phone)
    assert len(sent) == 1
    assert [m.twilio_sid for m in _out(stack, pid)] == [sent[0]["sid"]]


def test_rate_limited_send_is_retried_with_backoff(stack):
    pid, phone = _patient(stack)
    stack.fake.configure(rate_limit_burst=1)
    _start(stack, "refill_reminder", pid)
    stack.drain()
    assert len(stack.fake.messages(to=phone)) == 1
    out = _out(stack, pid)
    assert out[0].send_attempts == 2 and out[0].twilio_sid


def test_carrier_opt_out_21610_revokes_consent_and_ends_conversations(stack):
    pid, phone = _patient(stack)
    stack.fake.configure(unsubscribed=[phone])
    _start(stack, "refill_reminder", pid)
    stack.drain()
    assert stack.fake.messages(to=phone) == []
    with get_database(stack.database_url).session() as s:
        patient = s.get(Patient, pid)
        changes = list(s.scalars(select(ConsentChange).where(ConsentChange.patient_id == pid)))
        convs = list(s.scalars(select(Conversation).where(Conversation.patient_id == pid)))
    assert patient.consent_status == "revoked"
    assert [(c.status, c.source) for c in changes] == [("revoked", "carrier")]
    assert all(c.status == "ended" for c in convs)
    assert [(m.status, m.error_code) for m in _out(stack, pid)] == [("failed", 21610)]


def test_invalid_number_makes_a_fix_contact_task(stack):
    pid, phone = _patient(stack)
    stack.fake.configure(invalid=[phone])
    _start(stack, "refill_reminder", pid)
    stack.drain()
    with get_database(stack.database_url).session() as s:
        tasks = list(s.scalars(select(FollowUpTask).where(FollowUpTask.patient_id == pid)))
        patient = s.get(Patient, pid)
    assert ("outreach", "fix_contact") in [(t.team, t.category) for t in tasks]
    assert patient.phone_status == "invalid"


def test_opt_out_ends_every_conversation_and_blocks_routine_sends(stack):
    pid, phone = _patient(stack)
    _start(stack, "refill_reminder", pid)
    stack.drain()
    # A second conversation running at the same time (campaigns enrol one at a time, but a
    # conversation started earlier by staff or an older release may still be active).
    with get_database(stack.database_url).session() as s:
        second = Conversation(patient_id=pid, flow="engagement_checkin", version=1,
                              state="", context={"first_name": "Ana"}, status="active",
                              timezone=daytime_timezone())
        s.add(second)
        s.flush()
        s.add(InboxEvent(patient_id=pid, conversation_id=second.id, kind="start",
                         dedupe_key=f"test-start-{second.id}"))
    stack.run_job("workers.jobs.process_patient", pid, queue="inbound")
    stack.drain()
    assert len(stack.fake.messages(to=phone)) == 2
    stack.text_in(phone, "please stop texting me")  # not a carrier keyword: our confirmation
    stack.drain()
    with get_database(stack.database_url).session() as s:
        convs = list(s.scalars(select(Conversation).where(Conversation.patient_id == pid)))
        patient = s.get(Patient, pid)
    assert patient.consent_status == "revoked"
    assert [c.status for c in convs] == ["ended", "ended"]
    confirmations = [m for m in _out(stack, pid) if m.kind == "system"]
    assert len(confirmations) == 1
    # A routine message written before the opt-out is stopped at send time.
    with get_database(stack.database_url).session() as s:
        late = Message(patient_id=pid, direction="out", address=phone, body="routine",
                       kind="routine", status="pending")
        s.add(late)
        s.flush()
        late_id = late.id
    stack.run_job("workers.jobs.send_message", late_id, queue="outbound")
    stack.drain()
    with get_database(stack.database_url).session() as s:
        assert s.get(Message, late_id).status == "suppressed"
    assert len(stack.fake.messages(to=phone)) == 3  # two routine + one confirmation
