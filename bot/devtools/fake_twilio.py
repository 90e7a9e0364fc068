"""A local stand-in for the part of Twilio the product uses, as a real HTTP server.

Production code talks to it with the real twilio client, pointed here only by
TWILIO_API_BASE_URL. It speaks Messages and Calls (create, fetch, list) with Twilio's JSON and
error JSON, sends signed status callbacks, delivers inbound SMS as signed webhooks, places
calls that fetch TwiML from the app, and fails on request. Steer it in-process through
`FakeTwilio`'s methods or from another process through the JSON control API under `/_fake/`
(see `FakeTwilioControl`):

    GET  /_fake/health                    {"ok": true}
    GET  /_fake/messages[?to=]            sent and received messages (to, body, status, ...)
    GET  /_fake/calls                     calls with their transcripts
    GET  /_fake/callbacks                 status callbacks made (sid, status, http_status)
    GET  /_fake/inbound                   inbound deliveries (sid, http_status, duplicate)
    GET  /_fake/config  POST /_fake/config   injected failures (partial JSON update)
    POST /_fake/inbound                   {"from", "to", "body", "url"?, "message_sid"?}
    POST /_fake/call-scripts              {"+1555...": {"answer": "human", "inputs": [...]}}
    POST /_fake/reset                     forget everything, back to the start-up failures
    GET  /_fake/idle?timeout=S            wait until no callback or call is in progress
    GET  /_fake/creates?in_flight=N&received=N&timeout=S
                                          wait until that many creates arrived / are unanswered

Logs carry sids, counts and paths only, never bodies or phone numbers.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from dataclasses import asdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.devtools.fake_twilio_callbacks import Dispatcher, WebhookResult
from bot.devtools.fake_twilio_calls import CallRunner
from bot.devtools.fake_twilio_rest import LOST, RestRequest, handle
from bot.devtools.fake_twilio_state import ANY_SENDER, Failures, FakeState

log = logging.getLogger(__name__)

#: Credentials the stand-in accepts when none are configured (local use only, not secrets).
FAKE_ACCOUNT_SID = "AC" + "fa4e" * 8
FAKE_AUTH_TOKEN = "fake-twilio-auth-token"
FAKE_PHONE_NUMBER = "+15005550006"


class FakeTwilio:
    """The stand-in: `start()` returns its base URL, `stop()` shuts it down."""

    def __init__(
        self,
        account_sid: str = FAKE_ACCOUNT_SID,
        auth_token: str = FAKE_AUTH_TOKEN,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        failures: Failures | None = None,
        sms_url: str | None = None,
        phone_numbers: tuple[str, ...] | list[str] = (),
        **failure_settings: Any,
    ) -> None:
        failures = Failures(**asdict(failures or Failures()))
        failures.update(failure_settings)
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.host, self.port = host, port
        self.sms_url = sms_url
        self.phone_numbers = list(phone_numbers)
        self.state = FakeState(failures)
        self.dispatcher = Dispatcher(self.state, account_sid, auth_token)
        self.call_runner = CallRunner(self.state, self.dispatcher)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeTwilio is not started")
        host, port = self._server.server_address[:2]
        if isinstance(host, bytes):
            host = host.decode()
        return f"http://{host}:{port}"

    def start(self) -> str:
        """Bind (a free port when port=0), serve in a background thread, return the base URL."""
        server = ThreadingHTTPServer((self.host, self.port), _make_handler(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-twilio-http",
            daemon=True,
        )
        self._thread.start()
        log.info("fake twilio listening on %s", self.base_url)
        return self.base_url

    def stop(self) -> None:
        """Stop serving and stop background callbacks and calls."""
        self.dispatcher.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        self.dispatcher.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeTwilio:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the Python face of the control API ---------------------------------------------------
    def configure(self, **changes: Any) -> None:
        """Change injected failures (and `sms_url`) at runtime."""
        with self.state.lock:
            if "sms_url" in changes:
                self.sms_url = changes.pop("sms_url")
            self.state.failures.update(changes)

    def reset(self) -> None:
        self.state.reset()

    def messages(self, to: str | None = None) -> list[dict[str, Any]]:
        with self.state.lock:
            records = [m.summary() for m in self.state.messages.values()]
        return [m for m in records if to is None or m["to"] == to]

    def calls(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return [c.summary() for c in self.state.calls.values()]

    def callbacks(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return list(self.state.callbacks)

    def set_call_script(self, to: str, script: dict[str, Any]) -> None:
        """How the callee at `to` behaves: see fake_twilio_calls.CallRunner."""
        with self.state.lock:
            self.state.call_scripts[to] = script

    def send_inbound(
        self, from_: str, body: str, *, to: str | None = None, url: str | None = None,
        message_sid: str | None = None,
    ) -> WebhookResult:
        """A patient texts us: deliver a signed webhook to `url` (default `sms_url`) and wait."""
        target = url or self.sms_url
        if not target:
            raise ValueError("no webhook URL: pass url= or configure sms_url")
        ours = to or (self.phone_numbers[0] if self.phone_numbers else FAKE_PHONE_NUMBER)
        # With no configured numbers the stand-in cannot tell our senders apart, so a STOP
        # blocks every sender rather than one the app never uses.
        block_key = ours if (to or self.phone_numbers) else ANY_SENDER
        return self.dispatcher.deliver_inbound(
            target, from_, ours, body, message_sid, block_key=block_key
        )

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until every scheduled callback and running call has finished."""
        return self.dispatcher.wait_idle(timeout)

    def wait_creates(self, *, received: int = 0, in_flight: int = 0,
                     timeout: float = 10.0) -> bool:
        """Wait until `received` create requests (messages or calls) have arrived in all and
        `in_flight` of them are still unanswered (held by an injected latency); False on
        timeout. This is how a test knows a send is on the wire without guessing a sleep."""
        return self.state.wait_creates(received=received, in_flight=in_flight, timeout=timeout)

    def creates(self) -> dict[str, int]:
        with self.state.lock:
            return {"received": self.state.creates_received,
                    "in_flight": self.state.creates_in_flight}

    # -- control API routing -----------------------------------------------------------------
    def control(self, method: str, path: str, query: dict[str, str], data: Any) -> tuple[int, Any]:
        """Answer one /_fake/ request with (status, JSON)."""
        route = (method, path.rstrip("/"))
        if route == ("GET", "/_fake/health"):
            return 200, {"ok": True, "account_sid": self.account_sid}
        if route == ("GET", "/_fake/messages"):
            return 200, {"messages": self.messages(query.get("to"))}
        if route == ("GET", "/_fake/calls"):
            return 200, {"calls": self.calls()}
        if route == ("GET", "/_fake/callbacks"):
            return 200, {"callbacks": self.callbacks()}
        if route == ("GET", "/_fake/inbound"):
            with self.state.lock:
                return 200, {"inbound": list(self.state.inbound)}
        if route == ("GET", "/_fake/config"):
            return 200, {**self.state.failures.to_json(), "sms_url": self.sms_url}
        if route == ("POST", "/_fake/config"):
            try:
                self.configure(**(data or {}))
            except (ValueError, TypeError) as exc:
                return 400, {"error": str(exc)}
            return 200, {**self.state.failures.to_json(), "sms_url": self.sms_url}
        if route == ("POST", "/_fake/reset"):
            self.reset()
            return 200, {"ok": True}
        if route == ("POST", "/_fake/call-scripts"):
            for number, script in (data or {}).items():
                self.set_call_script(number, script)
            return 200, {"ok": True}
        if route == ("GET", "/_fake/idle"):
            return 200, {"idle": self.wait_idle(float(query.get("timeout", "10")))}
        if route == ("GET", "/_fake/creates"):
            reached = self.wait_creates(received=int(query.get("received", "0")),
                                        in_flight=int(query.get("in_flight", "0")),
                                        timeout=float(query.get("timeout", "0")))
            return 200, {**self.creates(), "reached": reached}
        if route == ("POST", "/_fake/inbound"):
            return self._control_inbound(data or {})
        return 404, {"error": "no such control endpoint"}

    def _control_inbound(self, data: dict[str, Any]) -> tuple[int, Any]:
        try:
            result = self.send_inbound(
                data["from"], data["body"], to=data.get("to"), url=data.get("url"),
                message_sid=data.get("message_sid"),
            )
        except (KeyError, ValueError) as exc:
            return 400, {"error": f"bad inbound request: {exc}"}
        return 200, {
            "status": result.status, "body": result.body, "message_sid": result.message_sid,
            "auto_reply": result.auto_reply,
        }


def _make_handler(fake: FakeTwilio) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "FakeTwilio/1.0"
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes; with Nagle on, a keep-alive client waits for
        # its delayed ACK (~40 ms) before the body arrives. Twilio does not add that.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            self._dispatch("GET")

        def do_POST(self) -> None:
            self._dispatch("POST")

        def do_DELETE(self) -> None:
            self._dispatch("DELETE")

        def _dispatch(self, method: str) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
            if parts.path.startswith("/_fake/"):
                try:
                    data = json.loads(raw) if raw else None
                except json.JSONDecodeError:
                    self._answer(400, {"error": "body must be JSON"})
                    return
                self._answer(*fake.control(method, parts.path, query, data))
                return
            form = parse_qs(raw.decode("utf-8"), keep_blank_values=True) if raw else {}
            request = RestRequest(method, parts.path, query, form, self.headers.get("Authorization"))
            status, payload = handle(fake, request)
            if payload is LOST:
                # Twilio acted on the request but the client never hears back.
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            self._answer(status, payload)

        def _answer(self, status: int, payload: Any) -> None:
            body = json.dumps(payload).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            # The default logs the full request line, whose query may hold phone numbers.
            log.debug("%s %s", self.command, urlsplit(self.path).path)

    return Handler
