"""Requests the stand-in makes to the app, signed the way Twilio signs them.

Status callbacks after a message is created (sent -> delivered, or undelivered/failed with an
ErrorCode), optionally shuffled or duplicated to exercise out-of-order handling, and inbound
SMS webhooks from the "patient side". Every request carries X-Twilio-Signature computed by the
twilio library's own RequestValidator over the exact URL and form parameters.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from twilio.request_validator import RequestValidator

from bot.devtools.fake_twilio_state import API_VERSION, FakeState, new_sid, now
from bot.i18n.sms_segments import segments

log = logging.getLogger(__name__)

#: Twilio waits 15 s in total for the app's answer (error 11205 after that).
WEBHOOK_TIMEOUT_SECONDS = 15
#: Statuses after which Twilio stops reporting on a message.
FINAL_FAILURES = {30034: "failed"}

GEO_FIELDS = (
    "FromCity", "FromState", "FromZip", "FromCountry", "ToCity", "ToState", "ToZip", "ToCountry",
)


@dataclass(frozen=True)
class WebhookResult:
    """The app's answer to a request the stand-in made."""

    status: int
    body: str
    message_sid: str = ""
    auto_reply: str | None = None


class Dispatcher:
    """Signs and sends requests to the app, in the background where Twilio would."""

    def __init__(self, state: FakeState, account_sid: str, auth_token: str) -> None:
        self.state = state
        self.account_sid = account_sid
        self.validator = RequestValidator(auth_token)
        self.stopping = threading.Event()
        self._executor = ThreadPoolExecutor(max_workers=32, thread_name_prefix="fake-twilio")
        self._pending = 0
        self._idle = threading.Condition()

    # -- plumbing -------------------------------------------------------------------------
    def post(self, url: str, params: dict[str, str]) -> WebhookResult:
        """POST `params` form-encoded to `url` with Twilio's signature header."""
        return self.request("POST", url, params)

    def request(self, method: str, url: str, params: dict[str, str]) -> WebhookResult:
        """Call the app as Twilio does: a signed POST with a form, or a signed GET whose
        parameters are appended to the query string (and then signed as part of the URL)."""
        if method.upper() == "GET":
            url = url + ("&" if "?" in url else "?") + urlencode(params)
            params = {}
        headers = {
            "X-Twilio-Signature": self.validator.compute_signature(url, params),
            "User-Agent": "TwilioProxy/1.1",
            "Accept": "*/*",
        }
        if method.upper() == "GET":
            response = requests.get(
                url, headers=headers, timeout=WEBHOOK_TIMEOUT_SECONDS, allow_redirects=False
            )
        else:
            headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
            response = requests.post(
                url, data=params, headers=headers, timeout=WEBHOOK_TIMEOUT_SECONDS,
                allow_redirects=False,
            )
        return WebhookResult(response.status_code, response.text)

    def submit(self, job: Callable[..., None], *args: Any) -> None:
        """Run `job` in the background; `wait_idle` waits for all such jobs."""
        with self._idle:
            self._pending += 1
        self._executor.submit(self._run, job, *args)

    def _run(self, job: Callable[..., None], *args: Any) -> None:
        try:
            job(*args)
        except Exception:  # a background job must never kill the pool; log the kind only
            log.exception("fake-twilio background job failed")
        finally:
            with self._idle:
                self._pending -= 1
                self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Block until no callback or call is in progress; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout=timeout)

    def sleep(self, milliseconds: int) -> bool:
        """Sleep unless stopping; True if the stand-in is shutting down."""
        return self.stopping.wait(milliseconds / 1000) if milliseconds > 0 else self.stopping.is_set()

    def shutdown(self) -> None:
        self.stopping.set()
        self._executor.shutdown(wait=True, cancel_futures=True)

    # -- outbound message status callbacks -------------------------------------------------
    def message_lifecycle(self, sid: str, error_code: int | None, pool: list[str]) -> None:
        """Advance a created message to its final status, posting each status callback."""
        record = self.state.messages[sid]
        steps: list[tuple[str, int | None]] = []
        if record.messaging_service_sid:
            steps.append(("queued", None))
        steps.append(("sent", None))
        if error_code:
            steps.append((FINAL_FAILURES.get(error_code, "undelivered"), error_code))
        else:
            steps.append(("delivered", None))
        collected: list[tuple[str, dict[str, str]]] = []
        for status, code in steps:
            if self.sleep(self.state.failures.callback_delay_ms):
                return
            with self.state.lock:
                if record.messaging_service_sid and record.from_ is None:
                    record.from_ = pool[0] if pool else None
            self.state.set_message_status(sid, status, code)
            if record.status_callback:
                collected.append((status, self._status_params(sid, status, code)))
            if not self._batched():
                for item in collected:
                    self._send_callback(record.status_callback or "", sid, *item)
                collected.clear()
        if collected:
            if self.state.failures.duplicate_callbacks:
                collected = collected + collected
            if self.state.failures.shuffle_callbacks:
                random.shuffle(collected)
            for item in collected:
                self._send_callback(record.status_callback or "", sid, *item)

    def _batched(self) -> bool:
        f = self.state.failures
        return f.shuffle_callbacks or f.duplicate_callbacks

    def _status_params(self, sid: str, status: str, code: int | None) -> dict[str, str]:
        record = self.state.messages[sid]
        params = {
            "AccountSid": record.account_sid,
            "ApiVersion": API_VERSION,
            "From": record.from_ or "",
            "To": record.to,
            "MessageSid": sid,
            "SmsSid": sid,
            "MessageStatus": status,
            "SmsStatus": status,
        }
        if record.messaging_service_sid:
            params["MessagingServiceSid"] = record.messaging_service_sid
        if code:
            params["ErrorCode"] = str(code)
        if status in ("delivered", "undelivered"):
            params["RawDlrDoneDate"] = now().strftime("%y%m%d%H%M")
        return params

    def _send_callback(self, url: str, sid: str, status: str, params: dict[str, str]) -> None:
        entry: dict[str, Any] = {"sid": sid, "status": status, "url": url}
        try:
            entry["http_status"] = self.post(url, params).status
        except requests.RequestException as exc:
            entry["error"] = type(exc).__name__
        log.debug("status callback %s %s -> %s", sid, status, entry.get("http_status"))
        with self.state.lock:
            self.state.callbacks.append(entry)

    # -- inbound SMS from the patient side ---------------------------------------------------
    def deliver_inbound(
        self, url: str, from_: str, to: str, body: str, message_sid: str | None = None,
        messaging_service_sid: str | None = None, block_key: str | None = None,
    ) -> WebhookResult:
        """Deliver an SMS from a patient to the app's webhook as Twilio does, and wait.

        Re-using `message_sid` re-sends the same message (Twilio's duplicate delivery).
        Opt-out keywords update the stand-in's block list first, as Twilio's STOP filtering
        does, and the message is still forwarded.
        """
        sid = message_sid or new_sid("SM")
        with self.state.lock:
            duplicate = any(entry["sid"] == sid for entry in self.state.inbound)
        auto_reply = None if duplicate else self.state.apply_keyword(from_, block_key or to, body)
        params = {
            "ToCountry": "", "ToState": "", "SmsMessageSid": sid, "NumMedia": "0",
            "ToCity": "", "FromZip": "", "SmsSid": sid, "FromState": "", "SmsStatus": "received",
            "FromCity": "", "Body": body, "FromCountry": "", "To": to, "ToZip": "",
            "NumSegments": str(segments(body)[1]), "MessageSid": sid,
            "AccountSid": self.account_sid, "From": from_, "ApiVersion": API_VERSION,
        }
        if messaging_service_sid:
            params["MessagingServiceSid"] = messaging_service_sid
        result = self.post(url, params)
        with self.state.lock:
            self.state.inbound.append(
                {"sid": sid, "http_status": result.status, "duplicate": duplicate}
            )
        log.debug("inbound %s delivered -> %s", sid, result.status)
        return WebhookResult(result.status, result.body, sid, auto_reply)
