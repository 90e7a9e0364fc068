"""Pipeline benchmarks, each against a bare baseline measured in the same run.

(a) webhook: signed `POST /twilio/sms` to the real app under gunicorn (signature check, dedupe,
    inbound row + inbox event in SQLite, enqueue) against a bare Flask route under the same
    gunicorn settings that only enqueues a no-op RQ job. Requests/s and p50/p99 for both.
(b) worker: replies/s end to end — each reply's `process_patient` job (lock, engine step, rows)
    and the `send_message` job it causes (the twilio client to the stand-in, status update) —
    against no-op jobs on the same worker class in the same process.
Everything runs on loopback: a private Redis, the Twilio stand-in, SQLite in a temp dir.
"""

from __future__ import annotations

import csv
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from twilio.request_validator import RequestValidator

from bench.load import LoadResult, post_forms, wait_for_http
from bot.devtools.devstack import zone_at
from bot.devtools.fake_twilio import FAKE_PHONE_NUMBER, FakeTwilio
from bot.devtools.local_redis import LocalRedis, free_port

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
QUEUES = ("inbound", "outbound", "default")


@contextmanager
def environment(patients: int) -> Iterator[dict[str, str]]:
    """A private Redis, the stand-in, a migrated SQLite with `patients` patients; env for all."""
    from bot.cli.pipeline import import_patients
    from bot.store.migrate import upgrade

    with tempfile.TemporaryDirectory(prefix="outreach-bench-") as tmp:
        redis_server = LocalRedis().start()
        fake = FakeTwilio()
        fake.start()
        port = free_port()
        env = {
            "DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.db'}",
            "REDIS_URL": redis_server.url,
            "TWILIO_ACCOUNT_SID": fake.account_sid,
            "TWILIO_AUTH_TOKEN": fake.auth_token,
            "TWILIO_FROM_NUMBER": FAKE_PHONE_NUMBER,
            "TWILIO_API_BASE_URL": fake.base_url,
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "SECRET_KEY": secrets.token_hex(32),
            "PROGRAM_NAME": "Bench Clinic",
            "PROGRAM_CONTACT": "555-0100",
            "NO_PROXY": "127.0.0.1,localhost",
        }
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            upgrade(env["DATABASE_URL"])
            csv_path = Path(tmp) / "patients.csv"
            with csv_path.open("w", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(["phone", "first_name", "preferred_language", "timezone",
                                 "due_date"])
                zone = zone_at(datetime.now(timezone.utc), "America/New_York")
                for i in range(patients):
                    writer.writerow([phone(i), f"P{i}", "en", zone, "2030-01-15"])
            imported, bad = import_patients(env["DATABASE_URL"], csv_path)
            assert imported == patients and not bad, bad
            env["_PORT"] = str(port)
            env["_TMP"] = tmp
            yield env
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            fake.stop()
            redis_server.stop()


def phone(i: int) -> str:
    return f"+1617555{i:04d}"


def signed_requests(env: dict[str, str], count: int, patients: int,
                    tag: str) -> list[tuple[dict[str, str], dict[str, str]]]:
    validator = RequestValidator(env["TWILIO_AUTH_TOKEN"])
    url = env["PUBLIC_BASE_URL"] + "/twilio/sms"
    out = []
    for i in range(count):
        form = {"MessageSid": f"SM{tag}{i:030d}"[:34], "AccountSid": env["TWILIO_ACCOUNT_SID"],
                "From": phone(i % patients), "To": env["TWILIO_FROM_NUMBER"], "Body": "yes",
                "NumMedia": "0", "NumSegments": "1", "SmsStatus": "received",
                "ApiVersion": "2010-04-01"}
        out.append((form, {"X-Twilio-Signature": validator.compute_signature(url, form)}))
    return out


def gunicorn(app: str, port: int, env: dict[str, str], workers: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--access-logfile", "/dev/null", "--error-logfile", "/dev/null", app],
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)}, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_http("127.0.0.1", port, "/healthz", alive=lambda: proc.poll() is None)
    return proc


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def bench_webhook(requests: int = 1500, threads: int = 8, web_workers: int = 2) -> dict[str, Any]:
    patients = 200
    with environment(patients) as env:
        port = int(env["_PORT"])
        bare_port = free_port()
        results: dict[str, LoadResult] = {}
        real = gunicorn("bot.app:create_app()", port, env, web_workers)
        bare = gunicorn("bench.bare_app:app", bare_port, env, web_workers)
        try:
            warm = signed_requests(env, 50, patients, "w")
            post_forms("127.0.0.1", port, "/twilio/sms", warm, threads)
            post_forms("127.0.0.1", bare_port, "/twilio/sms", warm, threads)
            # Interleave two rounds of each so drift on a shared machine hits both sides.
            for rnd in range(2):
                batch = signed_requests(env, requests, patients, f"r{rnd}")
                r = post_forms("127.0.0.1", port, "/twilio/sms", batch, threads)
                b = post_forms("127.0.0.1", bare_port, "/twilio/sms", batch, threads)
                if "real" not in results or r.rps > results["real"].rps:
                    results["real"] = r
                if "bare" not in results or b.rps > results["bare"].rps:
                    results["bare"] = b
        finally:
            stop(real)
            stop(bare)
    real_r, bare_r = results["real"], results["bare"]
    return {
        "webhook_rps": real_r.rps, "webhook_p50_ms": real_r.p50_ms,
        "webhook_p99_ms": real_r.p99_ms, "webhook_errors": real_r.errors,
        "bare_rps": bare_r.rps, "bare_p50_ms": bare_r.p50_ms, "bare_p99_ms": bare_r.p99_ms,
        "bare_errors": bare_r.errors,
        "webhook_slowdown": bare_r.rps / real_r.rps if real_r.rps else float("inf"),
    }


def _drain(worker_class: Any, connection: Any) -> None:
    worker_class(list(QUEUES), connection=connection).work(burst=True, with_scheduler=False)


def bench_worker(replies: int = 300, worker_class_name: str = "SimpleWorker") -> dict[str, Any]:
    import logging

    import redis
    import rq
    from rq import Queue

    from bench.noop import noop
    from bot.app import create_app
    from bot.cli.pipeline import start_campaign
    from bot.settings import load
    from workers import context

    logging.getLogger("rq").setLevel(logging.WARNING)
    logging.getLogger("workers").setLevel(logging.WARNING)
    worker_class = getattr(rq, worker_class_name)
    with environment(replies) as env:
        conn = redis.Redis.from_url(env["REDIS_URL"])
        context.runtime()  # preload, as `python -m workers` does before forking
        start_campaign(load(), "refill_reminder")
        _drain(worker_class, conn)  # first messages out; every patient now waits for a reply
        app = create_app()
        client = app.test_client()
        for form, headers in signed_requests(env, replies, replies, "x"):
            resp = client.post("/twilio/sms", data=form, headers=headers,
                               base_url=env["PUBLIC_BASE_URL"])
            assert resp.status_code == 200, resp.status_code
        started = time.perf_counter()
        _drain(worker_class, conn)
        real = time.perf_counter() - started
        with context.runtime().db.session() as s:
            from sqlalchemy import func, select

            from bot.store.models import Conversation, InboxEvent
            left = s.scalar(select(func.count()).where(InboxEvent.processed_at.is_(None)))
            confirmed = s.scalar(select(func.count()).where(Conversation.outcome == "confirmed"))
        assert left == 0 and confirmed == replies, (left, confirmed)

        queue = Queue("inbound", connection=conn)
        queue.enqueue_many([Queue.prepare_data(noop, ("x",)) for _ in range(replies)])
        started = time.perf_counter()
        _drain(worker_class, conn)
        bare = time.perf_counter() - started
    return {
        "worker_class": worker_class_name,
        "replies_per_s": replies / real, "bare_jobs_per_s": replies / bare,
        "worker_slowdown": real / bare,
    }


def _in_fresh_process(*args: str) -> dict[str, Any]:
    """Run one measurement in its own interpreter: the workers' per-process runtime (settings,
    database, caches) must not carry over from one measurement to the next."""
    import json

    result = subprocess.run([sys.executable, "-m", "bench.bench_pipeline", *args], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)},
                            capture_output=True, text=True, timeout=1200)
    if result.returncode != 0:
        raise RuntimeError(f"bench {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def main() -> dict[str, Any]:
    from rich.console import Console

    console = Console()
    console.print("[bold]pipeline[/]: webhook under gunicorn vs a bare enqueue route …")
    w = _in_fresh_process("webhook")
    console.print(
        f"  POST /twilio/sms  {w['webhook_rps']:8.0f} req/s  p50 {w['webhook_p50_ms']:.1f} ms  "
        f"p99 {w['webhook_p99_ms']:.1f} ms  (errors {w['webhook_errors']})\n"
        f"  bare enqueue      {w['bare_rps']:8.0f} req/s  p50 {w['bare_p50_ms']:.1f} ms  "
        f"p99 {w['bare_p99_ms']:.1f} ms\n"
        f"  [bold]webhook ratio: {w['webhook_slowdown']:.2f}x the bare route's time[/] "
        "(target <= 1.5x)")
    results: dict[str, Any] = {"webhook": w}
    for cls, replies in (("SimpleWorker", 300), ("Worker", 150)):
        console.print(f"[bold]pipeline[/]: replies end to end vs no-op jobs ({cls}) …")
        r = _in_fresh_process("worker", cls, str(replies))
        console.print(
            f"  replies end to end {r['replies_per_s']:8.1f}/s   bare no-op jobs "
            f"{r['bare_jobs_per_s']:8.1f}/s\n"
            f"  [bold]worker ratio ({cls}): {r['worker_slowdown']:.2f}x the bare job's time[/] "
            "(target <= 3x)")
        results[f"worker_{cls}"] = r
    return results


if __name__ == "__main__":
    import json

    if len(sys.argv) > 1 and sys.argv[1] == "webhook":
        print(json.dumps(bench_webhook()))
    elif len(sys.argv) > 1 and sys.argv[1] == "worker":
        print(json.dumps(bench_worker(replies=int(sys.argv[3]), worker_class_name=sys.argv[2])))
    else:
        main()
