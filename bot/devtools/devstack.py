"""The product's processes on one machine: Redis, the Twilio stand-in, web, worker.

`make demo` (bot/devtools/demo.py) starts this stack, drives it and stops it; `make run` (`python -m
bot.devtools.devstack`) starts it and keeps it running for trying the product by hand. The web and worker
processes are the Procfile's own commands, so what runs here is what runs in production; only
Redis (a private one when REDIS_URL is unset), SQLite and the stand-in are local defaults.
Every process is started here and stopped here, by PID.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import FrameType
from zoneinfo import ZoneInfo

from bot.devtools.fake_twilio import FAKE_PHONE_NUMBER, FakeTwilio
from bot.devtools.local_redis import LocalRedis, free_port
from bot.store.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
QUEUES = ("inbound", "outbound", "default")


@dataclass
class Stack:
    env: dict[str, str]
    fake: FakeTwilio
    workdir: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return self.env["PUBLIC_BASE_URL"]

    def outreach(self, *args: str) -> str:
        """Run an `outreach` sub-command against this stack; returns its output."""
        result = subprocess.run([str(BIN / "outreach"), *args], env=self.env, cwd=ROOT,
                                capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"outreach {' '.join(args)} failed:\n{result.stderr[-2000:]}")
        return result.stdout

    def stop(self) -> None:
        for proc in reversed(self.processes):
            if proc.poll() is None:
                proc.terminate()
        for proc in self.processes:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.processes.clear()


#: Real zones to place sample patients in, so that a demo or benchmark run at any hour has
#: patients for whom it is daytime (routine texts are not held for quiet hours) and, on purpose,
#: one for whom it is night (to show the deferral).
ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
         "Pacific/Honolulu", "Europe/Madrid", "Asia/Manila", "Asia/Seoul", "Asia/Ho_Chi_Minh",
         "Australia/Sydney", "America/Sao_Paulo", "Asia/Dubai", "Europe/Moscow",
         "America/Port-au-Prince", "Asia/Taipei", "Pacific/Auckland", "Asia/Kolkata")


def zone_at(now: datetime, preferred: str, *, daytime: bool = True) -> str:
    """`preferred` if it is day (09-20h) there now (or night, 22-07h, when daytime=False),
    else the first zone in ZONES where it is."""
    for zone in (preferred, *ZONES):
        local = now.astimezone(ZoneInfo(zone))
        hour = local.hour + local.minute / 60
        if (9 <= hour < 20) if daytime else (hour >= 22 or hour < 7):
            return zone
    return preferred


def _fresh_dir(path: Path) -> Path:
    """An empty directory (metrics files of an earlier run would be added to this one's)."""
    path.mkdir(parents=True, exist_ok=True)
    for old in path.glob("*.db"):
        old.unlink()
    return path


def _wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process {proc.args!r} exited with {proc.returncode}")
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answered at {url} within {timeout}s")


@contextmanager
def running_stack(workdir: Path | None = None, *, web_workers: int = 2,
                  quiet: bool = True,
                  processes: tuple[str, ...] = ("web", "worker", "clock")) -> Iterator[Stack]:
    """Start Redis (unless REDIS_URL is set), the stand-in, web and worker; stop them after."""
    own_dir = tempfile.TemporaryDirectory(prefix="outreach-") if workdir is None else None
    workdir = Path(own_dir.name) if own_dir else workdir
    assert workdir is not None
    workdir.mkdir(parents=True, exist_ok=True)
    redis_server = None if os.environ.get("REDIS_URL") else LocalRedis().start()
    fake = FakeTwilio()
    fake.start()
    port = int(os.environ.get("PORT", "0")) or free_port()
    env = dict(os.environ)
    for key in ("TWILIO_MESSAGING_SERVICE_SID", "TWILIO_EDGE", "TWILIO_REGION"):
        env.pop(key, None)
    env.update({
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{workdir / 'outreach.db'}",
        "REDIS_URL": os.environ.get("REDIS_URL") or (redis_server.url if redis_server else ""),
        "TWILIO_ACCOUNT_SID": fake.account_sid,
        "TWILIO_AUTH_TOKEN": fake.auth_token,
        "TWILIO_FROM_NUMBER": FAKE_PHONE_NUMBER,
        "TWILIO_API_BASE_URL": fake.base_url,
        # The stand-in is no carrier: pace it like a short code unless told otherwise.
        "TWILIO_SEGMENTS_PER_SECOND": os.environ.get("TWILIO_SEGMENTS_PER_SECOND") or "100",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_hex(32),
        "PROGRAM_NAME": os.environ.get("PROGRAM_NAME", "Riverside Clinic"),
        "PROGRAM_CONTACT": os.environ.get("PROGRAM_CONTACT", "555-0100"),
        "NO_PROXY": "127.0.0.1,localhost",
        # Metrics from every gunicorn worker and RQ work horse, added up at each scrape; this
        # machine's own operator may read them (and the details of /readyz).
        "PROMETHEUS_MULTIPROC_DIR": os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        or str(_fresh_dir(workdir / "metrics")),
        "METRICS_ALLOW_FROM": os.environ.get("METRICS_ALLOW_FROM", "127.0.0.1"),
    })
    fake.configure(sms_url=env["PUBLIC_BASE_URL"] + "/twilio/sms")
    stack = Stack(env=env, fake=fake, workdir=workdir)
    out = subprocess.DEVNULL if quiet else None
    try:
        upgrade(env["DATABASE_URL"])
        # The Procfile's own `web`, `worker` and `clock` lines, under honcho (a Foreman clone).
        env["PORT"] = str(port)
        env["WEB_CONCURRENCY"] = str(web_workers)
        env["BIND_ADDRESS"] = "127.0.0.1"
        env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
        web = subprocess.Popen(
            [str(BIN / "honcho"), "start", "-f", str(ROOT / "Procfile"), "-d", str(ROOT),
             "--no-prefix" if quiet else "--no-colour", *processes],
            env=env, cwd=ROOT, stdout=out, stderr=out)
        stack.processes.append(web)
        _wait_http(stack.base_url + "/healthz", web)
        yield stack
    finally:
        stack.stop()
        fake.stop()
        if redis_server is not None:
            redis_server.stop()
        if own_dir is not None:
            own_dir.cleanup()


def main() -> None:
    """`make run`: keep the stack running until Ctrl-C / SIGTERM."""
    stop = False

    def on_signal(signum: int, frame: FrameType | None) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    workdir = ROOT / "var" / "run"
    with running_stack(workdir, quiet=False) as stack:
        print(f"care-outreach is running at {stack.base_url}  (Ctrl-C stops it)")
        print(f"  Twilio stand-in: {stack.env['TWILIO_API_BASE_URL']}")
        print(f"  database: {stack.env['DATABASE_URL']}")
        print("  in another shell:")
        print(f"    export DATABASE_URL={stack.env['DATABASE_URL']} "
              f"REDIS_URL={stack.env['REDIS_URL']}")
        print("    .venv/bin/outreach users add you@clinic.org --role supervisor")
        print(f"  staff pages: {stack.base_url}/tasks")
        while not stop:
            time.sleep(0.5)


if __name__ == "__main__":
    main()
