"""A local stand-in for a machine-translation service (bot/services/gloss.py), over real HTTP.

It answers ``POST /`` with ``{"translation": ...}`` from a small phrase table (or `fail=True`
answers 503), and counts requests, so tests can see the product call it only when configured.
It logs nothing about the text.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: (source, target, text) -> translation: enough to test the gloss on the staff pages.
PHRASES: dict[tuple[str, str, str], str] = {
    ("ar", "en", "نفد الدواء، الموعد ٧:٠٠ م"): "The medicine ran out, the appointment is 7:00 PM",
    ("es", "en", "me da mucho mareo la pastilla nueva"): "the new pill makes me very dizzy",
}


class FakeTranslator:
    """`start()` returns the URL to set as TRANSLATION_GLOSS_URL; `stop()` shuts it down."""

    def __init__(self, phrases: dict[tuple[str, str, str], str] | None = None) -> None:
        self.phrases = dict(PHRASES if phrases is None else phrases)
        self.requests: list[dict[str, Any]] = []
        self.fail = False
        #: Where it listens once started.
        self.url = ""
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> str:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                owner.requests.append(body)
                if owner.fail:
                    self._answer(503, {"error": "unavailable"})
                    return
                key = (body.get("source"), body.get("target"), body.get("text"))
                found = owner.phrases.get(key)  # type: ignore[arg-type]
                self._answer(200, {"translation": found or f"[{body.get('source')}] "
                                                           f"{body.get('text')}"})

            def _answer(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
