"""Sending at the carrier's rate: real `rq worker` processes against the stand-in.

The stand-in answers each create after 150 ms (a real API's latency) and stamps its arrival;
the sender is paced at 10 segments per second. Reported: the achieved rate as a share of the
limit (the bare baseline here is the limit itself: >= 95% is the target) and the most sends
that arrived within one clock second (never above the limit), with every message checked to
arrive exactly once.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from typing import Any

from bench.bench_pipeline import BIN, ROOT, environment, phone, stop

LIMIT = 10
LATENCY_MS = 150


def bench_send_rate(messages: int = 300, workers: int = 6) -> dict[str, Any]:
    import redis
    from rq import Worker

    from bot.services import queues
    from bot.store.db import get_database
    from bot.store.models import OUTBOUND, Message, utcnow

    with environment(1) as env:
        env["TWILIO_SEGMENTS_PER_SECOND"] = str(LIMIT)
        fake = env_fake(env)
        fake.configure(latency_ms=LATENCY_MS)
        conn = redis.Redis.from_url(env["REDIS_URL"])
        # The Procfile's `sender` line: one pool of non-forking workers on the outbound queue.
        procs = [subprocess.Popen(
            [str(BIN / "rq"), "worker-pool", "-n", str(workers), "-w", "rq.SimpleWorker",
             "-u", env["REDIS_URL"], "outbound"],
            env={**env, "PYTHONPATH": str(ROOT)}, cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
        try:
            while len(Worker.all(connection=conn)) < workers:
                time.sleep(0.2)
            ids = []
            with get_database(env["DATABASE_URL"]).session() as s:
                for i in range(messages):
                    m = Message(direction=OUTBOUND, channel="sms", address=phone(i),
                                body=f"pace {i}", kind="system", status="pending", segments=1,
                                created_at=utcnow())
                    s.add(m)
                    s.flush()
                    ids.append(m.id)
            for message_id in ids:
                queues.enqueue_send(conn, message_id)
            deadline = time.monotonic() + messages / LIMIT * 3 + 60
            while len(fake.messages()) < messages and time.monotonic() < deadline:
                time.sleep(1)
        finally:
            for proc in procs:
                stop(proc)
        sent = fake.messages()
        bodies = Counter(m["body"] for m in sent)
        times = sorted(m["accepted_at"] for m in sent)
    per_second = Counter(int(t) for t in times)
    rate = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
    return {
        "limit_per_s": LIMIT, "workers": workers, "latency_ms": LATENCY_MS,
        "messages": messages, "arrived": len(sent),
        "doubled": sum(1 for n in bodies.values() if n > 1),
        "missing": messages - len(bodies),
        "rate_per_s": rate, "share_of_limit": rate / LIMIT,
        "max_in_one_second": max(per_second.values()) if per_second else 0,
    }


def env_fake(env: dict[str, str]) -> Any:
    """The stand-in of the running `environment` (it keeps a handle for its benches)."""
    from bench import bench_pipeline

    return bench_pipeline.current_fake()


if __name__ == "__main__":
    import json

    print(json.dumps(bench_send_rate(*(int(a) for a in sys.argv[1:]))))
