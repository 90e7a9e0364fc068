"""Chaos: Redis is killed mid-traffic and restarted empty; no new traffic follows.

Every reply the webhook committed must still be answered — exactly once — within the bound the
README states (SWEEP_STALE_EVENTS_SECONDS + SWEEP_INTERVAL_SECONDS + the clock's reconnect wait +
the job), with nothing but the running processes to notice: a long-running `rq worker`, the
clock (`python -m workers.clock`, the Procfile's `clock`) and the web app. Before the clock
existed, the sweep was armed only by traffic, and the reply waited for RQ's ten-minute
maintenance.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis as redis_lib
from pipeline_helpers import enrol_in_refill, events_for, messages_for
from stack_support import ROOT, Stack, make_stack

from bot import defaults
from bot.devtools.local_redis import LocalRedis

#: Short timers so the test proves the bound in seconds rather than a minute.
SWEEP_INTERVAL_SECONDS = 2
SWEEP_STALE_EVENTS_SECONDS = 3
#: What the README promises, with these settings: stale + interval + the clock's longest
#: reconnect wait, plus room for the worker to notice Redis and run the jobs on a busy 2-core
#: machine (its own reconnect backoff included).
BOUND_SECONDS = (SWEEP_STALE_EVENTS_SECONDS + SWEEP_INTERVAL_SECONDS
                 + defaults.CLOCK_RECONNECT_MAX_SECONDS + 30)


@pytest.fixture(scope="module")
def own_redis(db_backend: str) -> Iterator[list[LocalRedis]]:
    """A Redis this module may kill: the first server, then its empty successor (one pair
    per database half, so each half kills a server of its own)."""
    servers = [LocalRedis().start()]
    try:
        yield servers
    finally:
        for server in servers:
            server.stop()


@pytest.fixture(scope="module")
def chaos(any_database_url: str, own_redis: list[LocalRedis], fake_twilio: Any,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("chaos")
    for stack in make_stack(any_database_url, own_redis[0].url, fake_twilio, tmp):
        stack.env.update({"SWEEP_INTERVAL_SECONDS": str(SWEEP_INTERVAL_SECONDS),
                          "SWEEP_STALE_EVENTS_SECONDS": str(SWEEP_STALE_EVENTS_SECONDS)})
        yield stack


def _start_clock(stack: Stack, log_path: Path) -> subprocess.Popen[bytes]:
    with log_path.open("wb") as out:
        return subprocess.Popen([sys.executable, "-m", "workers.clock", "--url", stack.redis_url],
                                env=stack.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)


def _wait_for_log(proc: subprocess.Popen[bytes], path: Path, text: str, timeout: float = 90) -> None:
    """Wait until `proc` has written `text` to its log (or has exited)."""
    deadline = time.monotonic() + timeout
    while text not in path.read_text(errors="replace"):
        assert proc.poll() is None, "the clock exited when Redis went away:\n" + \
            path.read_text(errors="replace")[-3000:]
        assert time.monotonic() < deadline, f"the clock never logged {text!r}:\n" + \
            path.read_text(errors="replace")[-3000:]
        time.sleep(0.1)


def _wait_until_registered(stack: Stack, worker: subprocess.Popen[bytes], timeout: float = 120) -> None:
    """Wait until the worker has joined Redis (it is in its loop, not still loading)."""
    from rq import Worker

    conn = redis_lib.Redis.from_url(stack.redis_url)
    deadline = time.monotonic() + timeout
    while not Worker.all(connection=conn):
        assert worker.poll() is None, "the worker exited before it started"
        assert time.monotonic() < deadline, "the worker never registered"
        time.sleep(0.1)


def _answered(stack: Stack, pid: int) -> list[Any]:
    """The answers sent after the first question (outbound messages beyond the first)."""
    return [m for m in messages_for(stack.database_url, pid) if m.direction == "out"][1:]


def _settled(stack: Stack, pid: int) -> bool:
    replies = [e for e in events_for(stack.database_url, pid) if e.kind == "reply"]
    done = bool(replies) and all(e.processed_at is not None for e in replies)
    return done and any(m.status in ("sent", "delivered") for m in _answered(stack, pid))


def test_replies_committed_around_a_redis_restart_are_answered_once_within_the_bound(
        chaos: Stack, own_redis: list[LocalRedis], tmp_path: Path) -> None:
    patients = [enrol_in_refill(chaos, first_name=f"Chaos{i}") for i in range(5)]
    with (tmp_path / "worker.log").open("wb") as out:
        worker = subprocess.Popen(chaos.worker_command(), env=chaos.env, cwd=ROOT, stdout=out,
                                  stderr=subprocess.STDOUT)
    clock = _start_clock(chaos, tmp_path / "clock.log")
    try:
        _wait_until_registered(chaos, worker)
        _wait_for_log(clock, tmp_path / "clock.log", "starting")
        # Traffic while Redis is up; the last of these is still in flight when Redis dies.
        for _, phone in patients[:2]:
            assert chaos.text_in(phone, "1").status_code == 200
        server = own_redis[0]
        assert server.process is not None
        server.process.kill()  # SIGKILL, by the pid this module started
        server.process.wait(timeout=10)
        # Replies while Redis is gone: committed, answered 200 (an error would only make
        # Twilio send them again), their jobs never queued.
        for _, phone in patients[2:]:
            assert chaos.text_in(phone, "1").status_code == 200
        # Redis stays away until the clock has noticed (longer than the client library's own
        # retries hide): `rq cron` would exit here and every timer with it.
        _wait_for_log(clock, tmp_path / "clock.log", "redis unreachable")
        # Redis comes back on the same port with nothing in it: no queued jobs, no
        # scheduled sweep, no locks.
        own_redis.append(LocalRedis(port=server.port).start())
        back = time.monotonic()
        waiting = {pid for pid, _ in patients}
        while waiting and time.monotonic() - back < BOUND_SECONDS:
            waiting = {pid for pid in waiting if not _settled(chaos, pid)}
            if worker.poll() is not None or clock.poll() is not None:
                break
            time.sleep(0.25)
        elapsed = time.monotonic() - back
        assert clock.poll() is None, "the clock exited when Redis went away:\n" + \
            (tmp_path / "clock.log").read_text(errors="replace")[-3000:]
        assert worker.poll() is None, "the worker exited when Redis went away:\n" + \
            (tmp_path / "worker.log").read_text(errors="replace")[-3000:]
        assert not waiting, (f"{len(waiting)} committed repl(ies) unanswered {elapsed:.0f}s after "
                             f"Redis returned (bound {BOUND_SECONDS}s)")
        # None twice: one answer per reply, in the database and at the stand-in.
        chaos.fake.wait_idle(10)
        for pid, phone in patients:
            assert len(_answered(chaos, pid)) == 1, pid
            assert len(chaos.fake.messages(to=phone)) == 2, pid  # the question, then one answer
    finally:
        for proc in (clock, worker):
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=30)
