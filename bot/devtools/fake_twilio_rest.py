"""The REST half of the stand-in: Twilio's 2010-04-01 Messages and Calls resources.

Each function takes the parsed request and returns (HTTP status, JSON payload). Errors use
Twilio's error JSON ``{code, message, more_info, status}`` so the real twilio client raises
`TwilioRestException` with the right `.code`.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hmac
import re
import time
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

from bot.devtools.fake_twilio_callbacks import Dispatcher
from bot.devtools.fake_twilio_calls import CallRunner
from bot.devtools.fake_twilio_state import (
    API_VERSION,
    ERROR_MESSAGES,
    CallRecord,
    FakeState,
    new_sid,
)


class FakeTwilio(Protocol):
    """What the REST handlers use of the stand-in (`bot.devtools.fake_twilio.FakeTwilio`)."""

    account_sid: str
    auth_token: str
    phone_numbers: list[str]
    state: FakeState
    dispatcher: Dispatcher
    call_runner: CallRunner

ROUTE = re.compile(
    r"^/2010-04-01/Accounts/(?P<account>AC[0-9a-fA-F]{32})/(?P<kind>Messages|Calls)"
    r"(?:/(?P<sid>[A-Za-z0-9]+))?\.json$"
)
#: Sentinel payload: carry the request out, then close the connection without answering.
LOST = {"__lost__": True}
DEFAULT_PAGE_SIZE = 50
MAX_BODY = 1600


@dataclass
class RestRequest:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, list[str]]
    authorization: str | None
    #: Arrival time (Unix seconds), before any injected latency: when Twilio would count it.
    received_at: float = dataclasses.field(default_factory=time.time)

    def field(self, name: str) -> str | None:
        values = self.form.get(name)
        return values[0] if values else None


def error(code: int, status: int, **fmt: str) -> tuple[int, dict[str, Any]]:
    template = ERROR_MESSAGES.get(code, "Error {code}")
    try:
        message = template.format(code=code, **fmt)
    except KeyError:
        message = template
    return status, {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def _authorized(fake: FakeTwilio, header: str | None) -> bool:
    if not header or not header.startswith("Basic "):
        return False
    try:
        user, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return hmac.compare_digest(user, fake.account_sid) and hmac.compare_digest(
        password, fake.auth_token
    )


def handle(fake: FakeTwilio, request: RestRequest) -> tuple[int, dict[str, Any]]:
    """Route one REST request after checking auth, account, latency and injected failures."""
    match = ROUTE.match(request.path)
    if not match:
        return error(20404, 404, path=request.path)
    if not _authorized(fake, request.authorization):
        return error(20003, 401)
    if match["account"] != fake.account_sid:
        return error(20404, 404, path=request.path)
    kind, sid = match["kind"], match["sid"]
    if request.method == "POST" and sid is None:
        fake.state.create_arrived()
        try:
            fake.dispatcher.sleep(fake.state.failures.latency_ms)
            if fake.state.take("server_errors"):
                return error(20500, 500)
            if fake.state.take("rate_limit_burst"):
                return error(20429, 429)
            if kind == "Messages":
                return create_message(fake, request)
            return create_call(fake, request)
        finally:
            fake.state.create_answered()
    fake.dispatcher.sleep(fake.state.failures.latency_ms)
    if request.method == "GET" and sid is None:
        return list_resources(fake, request, kind)
    if request.method == "GET":
        store = fake.state.messages if kind == "Messages" else fake.state.calls
        record = store.get(sid)
        if record is None or record.account_sid != fake.account_sid:
            return error(20404, 404, path=request.path)
        return 200, record.to_json()
    return error(20004, 405)


def _valid_callback(url: str | None) -> bool:
    if url is None:
        return True
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and "_" not in parts.netloc


def create_message(fake: FakeTwilio, request: RestRequest) -> tuple[int, dict[str, Any]]:
    to, from_ = request.field("To"), request.field("From")
    body = request.field("Body")
    service = request.field("MessagingServiceSid")
    callback = request.field("StatusCallback")
    if not to:
        return error(21604, 400)
    if not body and not request.form.get("MediaUrl"):
        return error(21602, 400)
    if not from_ and not service:
        return error(21603, 400)
    if from_ and fake.phone_numbers and from_ not in fake.phone_numbers:
        return error(21606, 400)
    if body and len(body) > MAX_BODY:
        return error(21617, 400)
    if to == from_:
        return error(21266, 400)
    if not _valid_callback(callback):
        return error(21609, 400)
    senders = [from_] if from_ else list(fake.phone_numbers)
    code = fake.state.create_error(to, senders)
    if code is not None:
        return error(code, 400, to=to)
    record = fake.state.add_message(
        to, from_, body or "", account_sid=fake.account_sid,
        status="accepted" if service else "queued", messaging_service_sid=service,
        status_callback=callback, accepted_at=request.received_at,
    )
    delivery_error = fake.state.delivery_error(to)
    lifecycle = (record.sid, delivery_error, list(fake.phone_numbers))
    if fake.state.failures.callbacks_before_answer:
        fake.dispatcher.message_lifecycle(*lifecycle)
    else:
        fake.dispatcher.submit(fake.dispatcher.message_lifecycle, *lifecycle)
    if fake.state.take("lost_responses"):
        return 201, LOST
    return 201, record.to_json()


def create_call(fake: FakeTwilio, request: RestRequest) -> tuple[int, dict[str, Any]]:
    to, from_ = request.field("To"), request.field("From")
    url, twiml = request.field("Url"), request.field("Twiml")
    if not to:
        return error(21604, 400)
    if not from_:
        return error(21603, 400)
    if not url and not twiml and not request.field("ApplicationSid"):
        return error(21205, 400)
    code = fake.state.create_error(to, [])
    if code == 21211:
        return error(code, 400, to=to)
    record = CallRecord(
        sid=new_sid("CA"), account_sid=fake.account_sid, to=to, from_=from_, url=url,
        twiml=twiml, method=(request.field("Method") or "POST").upper(),
        status_callback=request.field("StatusCallback"),
        status_callback_events=request.form.get("StatusCallbackEvent") or ["completed"],
        machine_detection=request.field("MachineDetection"),
    )
    with fake.state.lock:
        fake.state.calls[record.sid] = record
    fake.dispatcher.submit(fake.call_runner.run, record.sid)
    if fake.state.take("lost_responses"):
        return 201, LOST
    return 201, record.to_json()


def list_resources(fake: FakeTwilio, request: RestRequest, kind: str) -> tuple[int, dict[str, Any]]:
    """A page of Messages or Calls, with Twilio's paging fields."""
    query = request.query
    page_size = max(1, min(1000, int(query.get("PageSize") or DEFAULT_PAGE_SIZE)))
    page = max(0, int(query.get("Page") or 0))
    if kind == "Messages":
        records: list[Any] = fake.state.list_messages(fake.account_sid, query)
    else:
        with fake.state.lock:
            records = [c for c in fake.state.calls.values() if c.account_sid == fake.account_sid]
        for name, attr in (("To", "to"), ("From", "from_"), ("Status", "status")):
            if query.get(name):
                records = [c for c in records if getattr(c, attr) == query[name]]
        records.sort(key=lambda c: (c.date_created, c.sid), reverse=True)
    start = page * page_size
    chunk = records[start : start + page_size]
    base = f"/{API_VERSION}/Accounts/{fake.account_sid}/{kind}.json"
    filters = {k: v for k, v in query.items() if k not in ("Page", "PageSize", "PageToken")}

    def page_uri(number: int) -> str:
        return base + "?" + urlencode({**filters, "PageSize": page_size, "Page": number})

    has_next = start + page_size < len(records)
    return 200, {
        kind.lower(): [r.to_json() for r in chunk],
        "end": start + max(len(chunk) - 1, 0),
        "first_page_uri": page_uri(0),
        "next_page_uri": page_uri(page + 1) if has_next else None,
        "page": page,
        "page_size": page_size,
        "previous_page_uri": page_uri(page - 1) if page > 0 else None,
        "start": start,
        "uri": page_uri(page),
    }
