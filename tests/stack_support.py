"""The running product for integration tests: the `Stack` and how to build one.

Kept out of conftest.py so test modules can import it by a name no other conftest shares.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import redis as redis_lib
import requests
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


# --- the whole stack --------------------------------------------------------------------------

def daytime_timezone(now: datetime | None = None) -> str:
    """An IANA zone where it is about noon now, so quiet hours never defer a test's sends."""
    now = now or datetime.now(timezone.utc)
    offset = 12 - now.hour  # local = utc + offset
    offset = max(-12, min(14, offset))
    if offset == 0:
        return "Etc/GMT"
    # Etc/GMT zones use POSIX signs: Etc/GMT-5 is UTC+5.
    return f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


@dataclass
class Stack:
    """The product running for a test module: web over HTTP, Redis, database, stand-in."""

    env: dict[str, str]
    app: Any
    base_url: str
    fake: Any
    redis_url: str
    database_url: str
    #: Where long-running workers write their output (a file each: a pipe nobody reads fills
    #: up and blocks a worker that may be holding a patient's lock).
    log_dir: Path | None = None
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    #: Everything the burst workers printed (stdout and stderr), for the no-PHI-in-logs test.
    worker_output: list[str] = field(default_factory=list)
    worker_logs: dict[int, Path] = field(default_factory=dict)
    last_worker_log: str = ""

    # -- talking to the app like Twilio does --------------------------------------------------
    def sign(self, path: str, params: dict[str, str]) -> str:
        validator = RequestValidator(self.env["TWILIO_AUTH_TOKEN"])
        return validator.compute_signature(self.env["PUBLIC_BASE_URL"] + path, params)

    def post_signed(self, path: str, params: dict[str, str]) -> requests.Response:
        headers = {"X-Twilio-Signature": self.sign(path, params)}
        return requests.post(self.base_url + path, data=params, headers=headers, timeout=30)

    def text_in(self, from_: str, body: str, sid: str | None = None) -> requests.Response:
        """A patient texts the program (a signed inbound webhook)."""
        params = {
            "MessageSid": sid or "SM" + uuid.uuid4().hex,
            "AccountSid": self.env["TWILIO_ACCOUNT_SID"],
            "From": from_,
            "To": self.env["TWILIO_FROM_NUMBER"],
            "Body": body,
            "NumMedia": "0",
            "NumSegments": "1",
            "SmsStatus": "received",
            "ApiVersion": "2010-04-01",
        }
        return self.post_signed("/twilio/sms", params)

    # -- workers ------------------------------------------------------------------------------
    def worker_command(self, *extra: str) -> list[str]:
        return [str(VENV_BIN / "rq"), "worker", "--with-scheduler", "-u", self.redis_url,
                "--worker-class", "workers.preload.PreloadedWorker",
                *extra, "inbound", "outbound", "default"]

    def start_worker(self, *extra: str) -> subprocess.Popen[bytes]:
        """A long-running `rq worker` subprocess (stopped by PID at module end); its stdout and
        stderr go to a file under `log_dir` (read back with `worker_log`)."""
        log_dir = self.log_dir or Path(tempfile.mkdtemp(prefix="outreach-workers-"))
        self.log_dir = log_dir
        path = log_dir / f"worker-{len(self.workers) + 1}.log"
        with path.open("wb") as out:
            proc = subprocess.Popen(self.worker_command(*extra), env=self.env, cwd=ROOT,
                                    stdout=out, stderr=subprocess.STDOUT)
        self.workers.append(proc)
        self.worker_logs[proc.pid] = path
        return proc

    def wait_for_workers(self, count: int, timeout: float = 120.0) -> None:
        """Until `count` long-running workers have registered with Redis (a preloading worker
        registers once it has warmed up), so work sent afterwards meets running workers."""
        from rq import Worker

        conn = redis_lib.Redis.from_url(self.redis_url)
        alive = [w for w in self.workers if w.poll() is None]
        self.wait_until(lambda: len(Worker.all(connection=conn)) >= count, timeout,
                        f"{count} registered workers ({len(alive)} started)")

    def worker_log(self, proc: subprocess.Popen[bytes]) -> str:
        """Everything a long-running worker has printed so far."""
        return self.worker_logs[proc.pid].read_text(errors="replace")

    def wait_until(self, predicate: Callable[[], object], timeout: float = 60.0,
                   what: str = "condition") -> None:
        """Poll an observable condition (a row, a stand-in record) until it holds."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"{what} not reached in {timeout:.0f}s")
            time.sleep(0.05)

    def burst(self, timeout: float = 120) -> None:
        """One `rq worker --burst` run: every job queued now (and due scheduled ones)."""
        result = subprocess.run(self.worker_command("--burst"), env=self.env, cwd=ROOT,
                                capture_output=True, timeout=timeout)
        self.last_worker_log = result.stderr.decode(errors="replace")[-6000:]
        self.worker_output.append(result.stdout.decode(errors="replace")
                                  + result.stderr.decode(errors="replace"))
        if result.returncode != 0:
            raise AssertionError(result.stderr.decode(errors="replace")[-4000:])

    def run_job(self, func: str, *args: Any, queue: str = "default") -> None:
        """Enqueue a job by dotted name (the workers run it)."""
        from rq import Queue

        Queue(queue, connection=redis_lib.Redis.from_url(self.redis_url)).enqueue(func, *args)

    def pending_work(self) -> int:
        """Queued + scheduled jobs, plus unprocessed inbox events and unsent due messages."""
        from rq import Queue
        from rq.registry import ScheduledJobRegistry, StartedJobRegistry
        from sqlalchemy import func, select

        from bot.store.db import get_database
        from bot.store.models import InboxEvent, Message

        conn = redis_lib.Redis.from_url(self.redis_url)
        count = 0
        for name in ("inbound", "outbound", "default"):
            count += Queue(name, connection=conn).count
            # Scheduled jobs due soon (a 24 h no-reply timeout or the next sweep is not "work").
            due = conn.zrangebyscore(ScheduledJobRegistry(name, connection=conn).key, 0,
                                     time.time() + 60)
            count += sum(1 for jid in due if not jid.startswith(b"outreach-sweep"))
            count += StartedJobRegistry(name, connection=conn).count
        with get_database(self.database_url).session() as s:
            count += s.scalar(select(func.count()).where(InboxEvent.processed_at.is_(None))) or 0
            count += s.scalar(select(func.count()).where(
                Message.direction == "out", Message.status.in_(("pending", "sending")))) or 0
        return count

    def drain(self, timeout: float = 120) -> None:
        """Run burst workers until nothing is left to do (scheduled retries included)."""
        deadline = time.monotonic() + timeout
        while True:
            self.burst()
            assert self.fake.wait_idle(30), "the Twilio stand-in still had callbacks running"
            if self.pending_work() == 0:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"work still pending after {timeout}s; last worker "
                                     f"log:\n{self.last_worker_log}")
            time.sleep(0.5)

    def stop_workers(self) -> None:
        """Stop the long-running workers we started (by PID); what they printed joins
        `worker_output`, so the no-PHI-in-logs checks read it too."""
        for proc in self.workers:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            if proc.pid in self.worker_logs:
                self.worker_output.append(self.worker_log(proc))
        self.workers.clear()


def make_stack(database_url: str, redis_url: str, fake: Any, tmp_dir: Path) -> Iterator[Stack]:
    from bot.app import create_app
    from bot.devtools.fake_twilio import FAKE_PHONE_NUMBER

    env = dict(os.environ)
    for key in ("TWILIO_MESSAGING_SERVICE_SID", "TWILIO_EDGE", "TWILIO_REGION"):
        env.pop(key, None)
    env.update({
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "TWILIO_ACCOUNT_SID": fake.account_sid,
        "TWILIO_AUTH_TOKEN": fake.auth_token,
        "TWILIO_FROM_NUMBER": FAKE_PHONE_NUMBER,
        "TWILIO_API_BASE_URL": fake.base_url,
        # The carrier pace has its own tests (tests/services/test_services_send_rate.py); here
        # a long code's one segment a second would only slow every conversation down.
        "TWILIO_SEGMENTS_PER_SECOND": "1000",
        "SECRET_KEY": "test-secret-key-" + uuid.uuid4().hex,
        "PROGRAM_NAME": "Riverside Clinic",
        "PROGRAM_CONTACT": "555-0100",
        "NO_PROXY": "127.0.0.1,localhost",
        "PYTHONPATH": str(ROOT),
    })
    # The app must know its public URL before it is built: bind first, then attach the app.
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, lambda environ, start: [], threaded=True)
    env["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    app = create_app({k: env[k] for k in env if k.isupper()})
    server.app = app
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.configure(sms_url=env["PUBLIC_BASE_URL"] + "/twilio/sms")
    stack = Stack(env=env, app=app, base_url=env["PUBLIC_BASE_URL"], fake=fake,
                  redis_url=redis_url, database_url=database_url, log_dir=tmp_dir)
    try:
        yield stack
    finally:
        stack.stop_workers()
        server.shutdown()
        server.server_close()
