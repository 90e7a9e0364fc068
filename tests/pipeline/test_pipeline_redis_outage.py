"""A reply that arrives while Redis is down is stored, answered 200, and handled once Redis is back.

The database is the source of truth: the webhook commits the reply and its inbox event before it
tries to queue work. If the queue is unreachable, an error would only make Twilio send the same
message again; the sweeper finds the unprocessed event instead.
"""

from __future__ import annotations

import socket
from datetime import timedelta

import redis as redis_lib
from pipeline_helpers import enrol_in_refill, events_for, messages_for
from sqlalchemy import update

from bot import defaults
from bot.store.db import get_database
from bot.store.models import InboxEvent


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the block ends: nothing listens


def test_a_reply_during_a_redis_outage_is_kept_and_processed_after(stack) -> None:
    pid, phone = enrol_in_refill(stack, first_name="Noor")
    runtime = stack.app.extensions["outreach"]
    working = runtime.redis
    runtime.redis = redis_lib.Redis(port=_closed_port(), socket_connect_timeout=0.5)
    try:
        response = stack.text_in(phone, "1")
    finally:
        runtime.redis = working
    assert response.status_code == 200
    [event] = [e for e in events_for(stack.database_url, pid) if e.kind == "reply"]
    assert event.processed_at is None

    # Time passes (the sweeper leaves young events to the job that should exist for them).
    with get_database(stack.database_url).session() as s:
        s.execute(update(InboxEvent).where(InboxEvent.id == event.id).values(
            created_at=event.created_at - timedelta(seconds=defaults.SWEEP_STALE_EVENTS_SECONDS + 5)))
    stack.run_job("workers.jobs.sweep")
    stack.drain()
    [event] = [e for e in events_for(stack.database_url, pid) if e.kind == "reply"]
    assert event.processed_at is not None
    replies = [m for m in messages_for(stack.database_url, pid) if m.direction == "out"]
    assert len(replies) == 2  # the question, then exactly one answer to "1"
