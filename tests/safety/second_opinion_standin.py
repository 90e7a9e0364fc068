"""A local stand-in for an operator's second-opinion classifier, on a loopback port.

It answers ``{"tier": ...}`` from a table of exact texts, and can be told to be slow or to
fail, so tests see the real HTTP client handle each case.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class StandIn:
    def __init__(self) -> None:
        self.answers: dict[str, str] = {}
        self.delay = 0.0
        self.fail = False
        self.garbage = False
        self.seen: list[dict[str, Any]] = []
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                # The client may give up waiting: that is what a slow test checks.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._answer()

            def _answer(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                standin.seen.append(body)
                if standin.delay:
                    time.sleep(standin.delay)
                if standin.fail:
                    self.send_response(500)
                    self.end_headers()
                    return
                data = b"not json" if standin.garbage else json.dumps(
                    {"tier": standin.answers.get(body.get("text"), "none")}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:  # no request lines (they hold no text,
                return                                   # but tests stay quiet)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/classify"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> StandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
