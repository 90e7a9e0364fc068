"""Retries of a call nobody took: one job per conversation and attempt, whenever (and however
often) the report that it went unanswered arrives. Real Redis, real RQ scheduler registry."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import redis as redis_lib
from rq.registry import ScheduledJobRegistry
from voice_support import call, enrol

from bot import defaults
from bot.services import calls as vc

pytestmark = pytest.mark.integration


def _scheduled(stack: Any, cid: int) -> list[str]:
    conn = redis_lib.Redis.from_url(stack.redis_url)
    ids = ScheduledJobRegistry(defaults.QUEUE_OUTBOUND, connection=conn).get_job_ids()
    return sorted(j for j in ids if j.startswith(f"call-{cid}-"))


def test_two_reports_of_one_unanswered_call_schedule_one_retry(stack: Any) -> None:
    """Twilio may report a call twice, seconds apart: the retry's job id names the attempt,
    not the arrival time, so the second report schedules nothing new."""
    cid = enrol(stack, "refill_reminder", "en")
    call(stack, cid, {"answer": "no-answer"})
    first = _scheduled(stack, cid)
    assert len(first) == 1 and first[0].endswith("-a2"), first
    rt = stack.app.extensions["outreach"]
    later = datetime.now(timezone.utc) + timedelta(seconds=7)
    assert vc.after_unreached(rt, cid, "no-answer", later) == "retry"
    assert _scheduled(stack, cid) == first


def test_a_call_counts_against_the_daily_message_cap_shared_with_texts(stack: Any) -> None:
    """Three routine texts already went out today: the call waits for tomorrow, like a fourth
    text would."""
    from sqlalchemy import select

    from bot.store import rows
    from bot.store.db import get_database
    from bot.store.models import AuditEvent, Conversation

    cid = enrol(stack, "refill_reminder", "en")
    rt = stack.app.extensions["outreach"]
    now = datetime.now(timezone.utc)
    with get_database(stack.database_url).session() as s:
        row = s.get(Conversation, cid)
        for n in range(rt.settings.MAX_ROUTINE_MESSAGES_PER_DAY):
            text = rows.outbound_text(patient_id=row.patient_id, conversation_id=None,
                                      address=row.patient.phone, body=f"reminder {n}",
                                      kind="routine", now=now)
            text.status, text.claimed_at = "delivered", now
            s.add(text)
    before = len(stack.fake.calls())
    assert vc.place_call(rt, cid, now) is None
    assert len(stack.fake.calls()) == before
    with get_database(stack.database_url).session() as s:
        reasons = s.scalars(select(AuditEvent.reason).where(
            AuditEvent.conversation_id == cid, AuditEvent.action == "call_deferred")).all()
    assert reasons == ["daily routine message cap reached"]


def test_a_program_with_a_higher_daily_call_limit_may_call_twice_a_day(stack: Any) -> None:
    import dataclasses

    cid = enrol(stack, "refill_reminder", "en")
    call(stack, cid, {"answer": "no-answer"})
    rt = stack.app.extensions["outreach"]
    two = dataclasses.replace(rt, settings=dataclasses.replace(rt.settings,
                                                               VOICE_CALLS_PER_DAY=2))
    before = len(stack.fake.calls())
    assert vc.place_call(two, cid, datetime.now(timezone.utc)) is not None
    assert stack.fake.wait_idle(30)
    assert len(stack.fake.calls()) == before + 1
