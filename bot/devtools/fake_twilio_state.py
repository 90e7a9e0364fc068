"""What the local Twilio stand-in remembers: messages, calls, opt-out blocks, injected failures.

All state sits behind one lock in `FakeState`; the HTTP handler, the callback dispatcher and the
call runner only go through its methods. Records are shaped so that `to_json()` gives what
Twilio's REST API returns, which the real twilio client then parses.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from typing import Any

from bot.i18n.sms_segments import segments

API_VERSION = "2010-04-01"

#: Twilio's default opt-out / opt-in keywords on long codes (single-word messages only).
STOP_KEYWORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
)
START_KEYWORDS = frozenset({"START", "UNSTOP", "YES"})
STOP_AUTO_REPLY = (
    "You have successfully been unsubscribed. You will not receive any more messages from this "
    "number. Reply START to resubscribe."
)
START_AUTO_REPLY = (
    "You have successfully been re-subscribed to messages from this number. Reply HELP for "
    "help. Reply STOP to unsubscribe. Msg&Data Rates May Apply."
)

#: Twilio's magic test numbers (test credentials) and what they answer at create.
MAGIC_NUMBERS = {"+15005550001": 21211, "+15005550004": 21610, "+15005550009": 21614}

#: Block key used when the stand-in has no configured numbers: a STOP then blocks every sender.
ANY_SENDER = "*"

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")

#: Messages for the error codes the stand-in produces (Twilio's wording, shortened).
ERROR_MESSAGES = {
    20003: "Authenticate",
    20004: "Method not allowed",
    20404: "The requested resource {path} was not found",
    20429: "Too Many Requests",
    20500: "An internal server error has occurred",
    21211: "The 'To' number {to} is not a valid phone number.",
    21266: "'To' and 'From' number cannot be the same",
    21602: "Message body is required.",
    21603: "A 'From' phone number is required.",
    21604: "A 'To' phone number is required.",
    21606: "The 'From' phone number provided is not a valid message-capable Twilio phone number.",
    21609: "Invalid StatusCallback url",
    21610: "Attempt to send to unsubscribed recipient",
    21614: "'To' number is not a valid mobile number",
    21617: "The concatenated message body exceeds the 1600 character limit.",
    21205: "Url parameter is required.",
}
CARRIER_ERROR_MESSAGES = {
    30003: "Unreachable destination handset",
    30004: "Message blocked",
    30005: "Unknown destination handset",
    30006: "Landline or unreachable carrier",
    30007: "Message filtered",
    30008: "Unknown error",
    30034: "Message from an Unregistered Number",
}


def new_sid(prefix: str) -> str:
    """A Twilio-shaped sid: two-letter prefix and 32 lowercase hex digits."""
    return prefix + secrets.token_hex(16)


def now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def rfc2822(moment: datetime | None) -> str | None:
    """Twilio's date format, e.g. 'Thu, 30 Jul 2015 20:12:31 +0000'."""
    return moment.strftime("%a, %d %b %Y %H:%M:%S +0000") if moment else None


def is_e164(number: str) -> bool:
    return bool(_E164.match(number))


@dataclass
class Failures:
    """Injected failures; every field can be set by constructor or the /_fake/config API.

    Number lists name recipients; counters (`rate_limit_burst`, `server_errors`,
    `lost_responses`) are consumed one per REST create request.
    """

    unsubscribed: list[str] = field(default_factory=list)  # 21610 at create
    invalid: list[str] = field(default_factory=list)  # 21211 at create
    not_mobile: list[str] = field(default_factory=list)  # 21614 at create
    landline: list[str] = field(default_factory=list)  # accepted, then undelivered 30006
    #: number -> how many next sends fail with 30003 in the callback before one is delivered.
    transient: dict[str, int] = field(default_factory=dict)
    #: number -> carrier error code reported in the callback for every send (e.g. 30007).
    callback_errors: dict[str, int] = field(default_factory=dict)
    rate_limit_burst: int = 0  # next N creates answer HTTP 429 / 20429
    server_errors: int = 0  # next N creates answer HTTP 500 / 20500
    #: next N creates are carried out but the connection closes without an answer (a crash
    #: between Twilio accepting and the client hearing about it).
    lost_responses: int = 0
    latency_ms: int = 0
    callback_delay_ms: int = 20
    shuffle_callbacks: bool = False
    duplicate_callbacks: bool = False
    #: Post a message's status callbacks before answering its create request, so they reach
    #: the app before the sender has stored (committed) the sid: Twilio gives no ordering.
    callbacks_before_answer: bool = False

    def update(self, changes: dict[str, Any]) -> None:
        """Apply a partial update; unknown keys are a caller error."""
        names = {f.name for f in fields(self)}
        unknown = set(changes) - names
        if unknown:
            raise ValueError(f"unknown failure settings: {sorted(unknown)}")
        for key, value in changes.items():
            setattr(self, key, value)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class MessageRecord:
    sid: str
    account_sid: str
    to: str
    from_: str | None
    body: str
    status: str
    direction: str = "outbound-api"
    messaging_service_sid: str | None = None
    status_callback: str | None = None
    error_code: int | None = None
    num_segments: int = 1
    date_created: datetime = field(default_factory=now)
    date_updated: datetime = field(default_factory=now)
    date_sent: datetime | None = None
    #: When the create request arrived, to the microsecond (Unix time): the control API's
    #: `accepted_at`, for measuring a send rate (Twilio's own dates are whole seconds).
    accepted_at: float = field(default_factory=time.time)

    def uri(self) -> str:
        return f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{self.sid}.json"

    def to_json(self) -> dict[str, Any]:
        """The resource as Twilio's REST API returns it (counts as strings, RFC 2822 dates)."""
        pending_service = self.messaging_service_sid and self.status == "accepted"
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": self.body,
            "date_created": rfc2822(self.date_created),
            "date_sent": rfc2822(self.date_sent),
            "date_updated": rfc2822(self.date_updated),
            "direction": self.direction,
            "error_code": self.error_code,
            "error_message": CARRIER_ERROR_MESSAGES.get(self.error_code or 0),
            "from": self.from_,
            "messaging_service_sid": self.messaging_service_sid,
            "num_media": "0",
            "num_segments": "0" if pending_service else str(self.num_segments),
            "price": None,
            "price_unit": "USD",
            "sid": self.sid,
            "status": self.status,
            "subresource_uris": {
                "media": self.uri().replace(".json", "/Media.json"),
                "feedback": self.uri().replace(".json", "/Feedback.json"),
            },
            "to": self.to,
            "uri": self.uri(),
        }

    def summary(self) -> dict[str, Any]:
        """The control API's view: what tests inspect."""
        return {
            "sid": self.sid,
            "to": self.to,
            "from": self.from_,
            "body": self.body,
            "status": self.status,
            "direction": self.direction,
            "status_callback": self.status_callback,
            "error_code": self.error_code,
            "num_segments": self.num_segments,
            "messaging_service_sid": self.messaging_service_sid,
            "date_created": self.date_created.isoformat(),
            "accepted_at": self.accepted_at,
        }


@dataclass
class CallRecord:
    sid: str
    account_sid: str
    to: str
    from_: str
    url: str | None
    twiml: str | None
    method: str = "POST"
    status: str = "queued"
    status_callback: str | None = None
    status_callback_events: list[str] = field(default_factory=lambda: ["completed"])
    machine_detection: str | None = None
    answered_by: str | None = None
    duration: int | None = None
    date_created: datetime = field(default_factory=now)
    date_updated: datetime = field(default_factory=now)
    start_time: datetime | None = None
    end_time: datetime | None = None
    #: What happened on the call: said text, gathers and their answers, redirects, errors.
    transcript: list[dict[str, Any]] = field(default_factory=list)

    def uri(self) -> str:
        return f"/{API_VERSION}/Accounts/{self.account_sid}/Calls/{self.sid}.json"

    def to_json(self) -> dict[str, Any]:
        return {
            "account_sid": self.account_sid,
            "answered_by": self.answered_by,
            "api_version": API_VERSION,
            "caller_name": None,
            "date_created": rfc2822(self.date_created),
            "date_updated": rfc2822(self.date_updated),
            "direction": "outbound-api",
            "duration": str(self.duration) if self.duration is not None else None,
            "end_time": rfc2822(self.end_time),
            "forwarded_from": None,
            "from": self.from_,
            "from_formatted": self.from_,
            "parent_call_sid": None,
            "phone_number_sid": None,
            "price": None,
            "price_unit": "USD",
            "sid": self.sid,
            "start_time": rfc2822(self.start_time),
            "status": self.status,
            "subresource_uris": {},
            "to": self.to,
            "to_formatted": self.to,
            "uri": self.uri(),
        }

    def summary(self) -> dict[str, Any]:
        return {
            "sid": self.sid,
            "to": self.to,
            "from": self.from_,
            "status": self.status,
            "answered_by": self.answered_by,
            "url": self.url,
            "status_callback": self.status_callback,
            "duration": self.duration,
            "transcript": list(self.transcript),
        }


class FakeState:
    """Thread-safe store of everything the stand-in has seen and been told to do."""

    def __init__(self, failures: Failures | None = None) -> None:
        self.lock = threading.RLock()
        self._initial_failures = Failures(**asdict(failures or Failures()))
        self.failures = Failures(**asdict(self._initial_failures))
        self.messages: dict[str, MessageRecord] = {}
        self.calls: dict[str, CallRecord] = {}
        self.inbound: list[dict[str, Any]] = []
        self.callbacks: list[dict[str, Any]] = []
        #: (patient number, our number) pairs blocked by a STOP keyword.
        self.opt_outs: set[tuple[str, str]] = set()
        #: To-number -> call script (see fake_twilio_calls.CallScript).
        self.call_scripts: dict[str, dict[str, Any]] = {}
        #: Create requests (Messages and Calls) received so far and those not yet answered:
        #: a test waits on these to act while a send is in flight, instead of guessing a sleep.
        self.creates_received = 0
        self.creates_in_flight = 0
        self.creates_changed = threading.Condition(self.lock)

    def create_arrived(self) -> None:
        with self.creates_changed:
            self.creates_received += 1
            self.creates_in_flight += 1
            self.creates_changed.notify_all()

    def create_answered(self) -> None:
        with self.creates_changed:
            self.creates_in_flight -= 1
            self.creates_changed.notify_all()

    def wait_creates(self, *, received: int = 0, in_flight: int = 0, timeout: float) -> bool:
        """Block until at least `received` creates arrived and `in_flight` are unanswered."""
        with self.creates_changed:
            return self.creates_changed.wait_for(
                lambda: self.creates_received >= received and self.creates_in_flight >= in_flight,
                timeout=timeout)

    def reset(self) -> None:
        with self.lock:
            self.creates_received = 0
            self.failures = Failures(**asdict(self._initial_failures))
            self.messages.clear()
            self.calls.clear()
            self.inbound.clear()
            self.callbacks.clear()
            self.opt_outs.clear()
            self.call_scripts.clear()

    def take(self, counter: str) -> bool:
        """Consume one unit of a failure counter; True if there was one."""
        with self.lock:
            left = getattr(self.failures, counter)
            if left > 0:
                setattr(self.failures, counter, left - 1)
                return True
            return False

    def create_error(self, to: str, senders: list[str]) -> int | None:
        """The Twilio error code a create to `to` answers with, or None to accept it."""
        with self.lock:
            f = self.failures
            if to in f.invalid or not is_e164(to) or MAGIC_NUMBERS.get(to) == 21211:
                return 21211
            if to in f.unsubscribed or MAGIC_NUMBERS.get(to) == 21610:
                return 21610
            if any((to, sender) in self.opt_outs for sender in [*senders, ANY_SENDER]):
                return 21610
            if to in f.not_mobile or MAGIC_NUMBERS.get(to) == 21614:
                return 21614
            return None

    def delivery_error(self, to: str) -> int | None:
        """The carrier error the callback will report for a send to `to` (None: delivered)."""
        with self.lock:
            f = self.failures
            if to in f.landline:
                return 30006
            if f.transient.get(to, 0) > 0:
                f.transient[to] -= 1
                return 30003
            return f.callback_errors.get(to)

    def add_message(self, to: str, from_: str | None, body: str, **extra: Any) -> MessageRecord:
        record = MessageRecord(
            sid=new_sid("SM"), to=to, from_=from_, body=body, num_segments=segments(body)[1],
            **extra,
        )
        with self.lock:
            self.messages[record.sid] = record
        return record

    def set_message_status(self, sid: str, status: str, error_code: int | None = None) -> None:
        with self.lock:
            record = self.messages[sid]
            record.status = status
            record.date_updated = now()
            if status == "sent":
                record.date_sent = record.date_updated
            if error_code is not None:
                record.error_code = error_code

    def apply_keyword(self, patient: str, ours: str, body: str) -> str | None:
        """Twilio's STOP filtering: block or unblock on a single-word keyword.

        Returns the auto-reply Twilio would send, or None when `body` is not a keyword.
        """
        word = body.strip().strip(".!").upper()
        with self.lock:
            if word in STOP_KEYWORDS:
                self.opt_outs.add((patient, ours))
                return STOP_AUTO_REPLY
            if word in START_KEYWORDS and (patient, ours) in self.opt_outs:
                self.opt_outs.discard((patient, ours))
                return START_AUTO_REPLY
        return None

    def list_messages(self, account_sid: str, query: dict[str, str]) -> list[MessageRecord]:
        """Messages of one account, newest first, filtered like Twilio's list endpoint."""
        with self.lock:
            records = [m for m in self.messages.values() if m.account_sid == account_sid]
        if query.get("To"):
            records = [m for m in records if m.to == query["To"]]
        if query.get("From"):
            records = [m for m in records if m.from_ == query["From"]]
        for key, keep in (
            ("DateSent", lambda sent, bound: _same_moment(sent, bound)),
            ("DateSent>", lambda sent, bound: sent >= bound),
            ("DateSent<", lambda sent, bound: sent <= bound),
        ):
            if query.get(key):
                bound = parse_date(query[key])
                records = [m for m in records if m.date_sent and keep(m.date_sent, bound)]
        records.sort(key=lambda m: (m.date_created, m.sid), reverse=True)
        return records


def parse_date(text: str) -> datetime:
    """Accept Twilio's filter formats: YYYY-MM-DD or ISO-8601 with a Z."""
    text = text.strip()
    if len(text) == 10:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=timezone.utc)
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


def _same_moment(sent: datetime, bound: datetime) -> bool:
    if bound.hour == bound.minute == bound.second == 0:
        return sent.date() == bound.date()
    return sent == bound
