"""The carrier pace: one shared slot schedule per sender in Redis, held by real workers.

The reservation tests read the pace straight from Redis (no clocks compared); the worker test
sends through real `rq worker` processes to the Twilio stand-in with latency and injected 429s,
and checks what a carrier would: no second carries more than the rate, and every message
arrives exactly once.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from typing import Any

import pytest
import redis as redis_lib

from bot import defaults
from bot.services import queues
from bot.services.send_rate import SendRate, segments_per_second, sender_key
from bot.settings import load
from bot.store.db import get_database
from bot.store.models import OUTBOUND, Message, utcnow


def _tat(conn: redis_lib.Redis, key: str) -> int:
    return int(conn.get(key) or 0)


def test_each_reservation_moves_the_pace_by_its_segments(redis_url: str) -> None:
    conn = redis_lib.Redis.from_url(redis_url)
    key = "outreach:send-rate:test-" + uuid.uuid4().hex
    pace = SendRate(conn, key, rate=10, max_wait=60)
    first = pace.reserve()
    assert first.granted and first.wait == 0
    start = _tat(conn, key)
    second = pace.reserve()
    assert second.granted and second.wait > 0
    one = int(1_000_000 / (10 * defaults.SEND_RATE_HEADROOM))  # one segment at 10/s, in µs
    assert _tat(conn, key) - start == one
    pace.reserve(segments=3)
    assert _tat(conn, key) - start == one + int(3_000_000 / (10 * defaults.SEND_RATE_HEADROOM))
    assert conn.pttl(key) > 0  # an idle sender's pace expires


def test_a_slot_too_far_out_is_refused_and_not_taken(redis_url: str) -> None:
    conn = redis_lib.Redis.from_url(redis_url)
    key = "outreach:send-rate:test-" + uuid.uuid4().hex
    pace = SendRate(conn, key, rate=1, max_wait=2.5)
    waits = [pace.reserve() for _ in range(3)]
    assert all(slot.granted for slot in waits)
    held = _tat(conn, key)
    refused = pace.reserve()
    assert not refused.granted and 0 < refused.wait <= 1.1
    assert _tat(conn, key) == held


def test_rate_by_sender_type() -> None:
    base = {"DATABASE_URL": "sqlite:///x.db"}
    assert segments_per_second(load({**base, "TWILIO_FROM_NUMBER": "+16175550100"})) == 1.0
    assert segments_per_second(load({**base, "TWILIO_FROM_NUMBER": "+18005550100"})) == 3.0
    assert segments_per_second(load({**base, "TWILIO_FROM_NUMBER": "+16175550100",
                                     "TWILIO_SEGMENTS_PER_SECOND": "2.5"})) == 2.5
    service = load({**base, "TWILIO_MESSAGING_SERVICE_SID": "MG" + "0" * 32})
    assert segments_per_second(service) == 1.0
    assert sender_key(service) != sender_key(load({**base, "TWILIO_FROM_NUMBER": "+16175550100"}))
    assert "617" not in sender_key(load({**base, "TWILIO_FROM_NUMBER": "+16175550100"}))


@pytest.mark.parametrize("bad", ["0", "-1", "fast", "inf"])
def test_a_bad_rate_is_refused_with_its_name(bad: str) -> None:
    from bot.errors import SettingsError

    with pytest.raises(SettingsError, match="TWILIO_SEGMENTS_PER_SECOND"):
        load({"DATABASE_URL": "sqlite:///x.db", "TWILIO_SEGMENTS_PER_SECOND": bad})


RATE = 2
MESSAGES = 10


def _max_in_any_second(times: list[float]) -> int:
    """The most sends that arrived within one second of the clock (as a carrier counts)."""
    return max(Counter(int(t) for t in times).values())


def _wait_for_workers(conn: redis_lib.Redis, count: int) -> None:
    """Until `count` workers listen (a preloading worker registers once it has warmed up)."""
    from rq import Worker

    deadline = time.monotonic() + 120
    while len(Worker.all(connection=conn)) < count:
        assert time.monotonic() < deadline, "workers did not start"
        time.sleep(0.2)


def test_workers_send_at_the_rate_and_each_message_once(stack: Any) -> None:
    stack.fake.reset()
    stack.fake.configure(latency_ms=150, rate_limit_burst=2)
    usual = stack.env["TWILIO_SEGMENTS_PER_SECOND"]
    stack.env["TWILIO_SEGMENTS_PER_SECOND"] = str(RATE)
    tag = uuid.uuid4().hex[:8]
    ids = []
    with get_database(stack.database_url).session() as s:
        for i in range(MESSAGES):
            message = Message(direction=OUTBOUND, channel="sms", address=f"+1617555{i:04d}",
                              body=f"pace {tag} {i}", kind="system", status="pending",
                              segments=1, created_at=utcnow())
            s.add(message)
            s.flush()
            ids.append(message.id)
    conn = redis_lib.Redis.from_url(stack.redis_url)
    try:
        for _ in range(3):
            stack.start_worker()
        _wait_for_workers(conn, 3)
        for message_id in ids:
            queues.enqueue_send(conn, message_id)
        # Look rarely and only at the stand-in: its arrival times are stamped in this process,
        # which should be idle meanwhile.
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            time.sleep(2)
            if sum(tag in m["body"] for m in stack.fake.messages()) >= MESSAGES:
                break
        while stack.pending_work() and time.monotonic() < deadline:
            time.sleep(0.5)  # the last sends record their sids
        assert stack.pending_work() == 0
    finally:
        stack.stop_workers()
        stack.env["TWILIO_SEGMENTS_PER_SECOND"] = usual
        stack.fake.configure(latency_ms=0, rate_limit_burst=0)
    mine = [m for m in stack.fake.messages() if tag in m["body"]]
    assert sorted(m["body"] for m in mine) == sorted(f"pace {tag} {i}" for i in range(MESSAGES))
    assert _max_in_any_second([m["accepted_at"] for m in mine]) <= RATE
    with get_database(stack.database_url).session() as s:
        rows = [s.get(Message, i) for i in ids]
        assert all(r is not None and r.twilio_sid for r in rows)
        assert {r.twilio_sid for r in rows if r} == {m["sid"] for m in mine}
