"""The send-job timeout is defined once, and a claim is only taken for a dead job's once no
live job can still hold it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from bot import defaults
from bot.services import calls as voice_calls
from bot.services import queues


@pytest.fixture()
def conn(redis_url: str) -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(redis_url)
    yield connection
    connection.flushdb()


class _Runtime:
    def __init__(self, connection: redis.Redis) -> None:
        self.redis = connection


def test_stale_claim_outlives_every_job_that_can_claim(conn: redis.Redis) -> None:
    send = queues.enqueue_send(conn, 1)
    voice_calls.schedule_call(_Runtime(conn), 1)
    [call] = [j for j in queues.queue(defaults.QUEUE_OUTBOUND, conn).jobs
              if j.func_name == queues.CALL_JOB]
    assert send.timeout == call.timeout == defaults.SEND_JOB_TIMEOUT_SECONDS
    assert send.timeout < defaults.SEND_CLAIM_STALE_SECONDS
