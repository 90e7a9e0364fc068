"""Helpers and fixtures for the channel tests (imported by conftest.py): a running stand-in, a client aimed at it, and a tiny app
server that validates X-Twilio-Signature with the twilio library and records what it got."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from bot.channels.twilio_client import make_client
from bot.devtools.fake_twilio import FAKE_AUTH_TOKEN, FakeTwilio

OUR_NUMBER = "+15550100001"


@dataclass
class Received:
    path: str
    url: str
    form: dict[str, str]
    signature_valid: bool


@dataclass
class Receiver:
    """A loopback HTTP server playing the app: records requests, answers per path."""

    base_url: str = ""
    requests: list[Received] = field(default_factory=list)
    #: path -> (status, content type, body)
    answers: dict[str, tuple[int, str, str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def received(self, path: str) -> list[Received]:
        with self.lock:
            return [r for r in self.requests if r.path.split("?")[0] == path]


def _receiver_handler(receiver: Receiver, token: str) -> type[BaseHTTPRequestHandler]:
    validator = RequestValidator(token)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode() if length else ""
            form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
            url = receiver.base_url + self.path
            valid = validator.validate(url, form, self.headers.get("X-Twilio-Signature", ""))
            with receiver.lock:
                receiver.requests.append(Received(self.path, url, form, valid))
            path = self.path.split("?")[0]
            status, ctype, body = receiver.answers.get(
                path, (200, "text/xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response />")
            )
            if not valid:
                status, ctype, body = 403, "text/plain", "bad signature"
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_POST = _handle
        do_GET = _handle

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _receiver_handler(receiver, FAKE_AUTH_TOKEN))
    server.daemon_threads = True
    receiver.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    stand_in = FakeTwilio(phone_numbers=[OUR_NUMBER], callback_delay_ms=5)
    stand_in.start()
    yield stand_in
    stand_in.stop()


@pytest.fixture
def client(fake: FakeTwilio) -> Client:
    return make_client(fake.account_sid, fake.auth_token, fake.base_url)
