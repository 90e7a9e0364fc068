"""A small closed-loop HTTP load generator: N threads, one request at a time each.

Both sides of a comparison are driven by this same client in the same run, so its own cost
cancels out of the ratio.
"""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode


@dataclass
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def post_forms(
    host: str,
    port: int,
    path: str,
    requests: Sequence[tuple[dict[str, str], dict[str, str]]],
    threads: int = 8,
) -> LoadResult:
    """POST each (form, headers) pair once, spread over `threads` closed-loop clients."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    cursor = iter(range(len(requests)))

    def worker() -> None:
        nonlocal errors
        mine: list[float] = []
        bad = 0
        while True:
            with lock:
                i = next(cursor, None)
            if i is None:
                break
            form, headers = requests[i]
            body = urlencode(form)
            hdrs = {"Content-Type": "application/x-www-form-urlencoded", **headers}
            start = time.perf_counter()
            conn = http.client.HTTPConnection(host, port, timeout=30)
            try:
                conn.request("POST", path, body=body, headers=hdrs)
                resp = conn.getresponse()
                resp.read()
                if resp.status != 200:
                    bad += 1
            except OSError:
                bad += 1
            finally:
                conn.close()
            mine.append((time.perf_counter() - start) * 1000)
        with lock:
            latencies.extend(mine)
            errors += bad

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    started = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - started
    return LoadResult(len(requests), elapsed, statistics.median(latencies),
                      percentile(latencies, 0.99), errors)


def wait_for_http(host: str, port: int, path: str = "/", timeout: float = 20.0,
                  alive: Callable[[], bool] | None = None) -> None:
    """Block until something answers HTTP on host:port (any status)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if alive is not None and not alive():
            raise RuntimeError("server process exited during start-up")
        try:
            conn = http.client.HTTPConnection(host, port, timeout=1)
            conn.request("GET", path)
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing answered on {host}:{port} within {timeout}s")
