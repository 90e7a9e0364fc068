"""The stand-in's phone calls: fetch TwiML from the app and play the callee from a script.

A call script says how the person at a number behaves (set with `FakeTwilio.set_call_script`
or POST /_fake/call-scripts):

```yaml
answer: human            # human | machine | no-answer | busy | failed (default human)
inputs:                  # consumed one per <Gather>, in order
  - {digits: "1"}
  - {speech: "yes please", confidence: 0.92}
  - {silence: true}      # lets the Gather time out
```

A call runs as Twilio runs it: a signed request to the call's Url (CallSid, From, To,
CallStatus, Direction, and AnsweredBy when MachineDetection is set); then <Say> and <Play> are
recorded, <Gather> posts Digits or SpeechResult to its action (or falls through on silence
unless actionOnEmptyResult), <Redirect> fetches a new document, <Hangup>/<Reject> or the end of
the document ends the call, and the status callback reports the outcome. The transcript is kept
on the call record for tests and `outreach simulate`.
"""

from __future__ import annotations

import logging
import math
import time
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urljoin

import requests

from bot.devtools.fake_twilio_callbacks import Dispatcher
from bot.devtools.fake_twilio_state import API_VERSION, CallRecord, FakeState, now, rfc2822

log = logging.getLogger(__name__)

#: TwiML documents fetched per call before the stand-in decides the app is looping.
MAX_TWIML_FETCHES = 40
UNANSWERED = ("no-answer", "busy", "failed")

Next = tuple[str, str, dict[str, str]]  # (url, method, extra params)


class CallRunner:
    """Runs each created call in the background (submitted by the REST create handler)."""

    def __init__(self, state: FakeState, dispatcher: Dispatcher) -> None:
        self.state = state
        self.dispatcher = dispatcher

    def run(self, sid: str) -> None:
        call = self.state.calls[sid]
        with self.state.lock:
            script = dict(self.state.call_scripts.get(call.to, {}))
        answer = script.get("answer", "human")
        sequence = iter(range(100))
        self._event(call, "initiated", "initiated", sequence)
        if self.dispatcher.sleep(self.state.failures.callback_delay_ms):
            return
        self._set(call, status="ringing")
        self._event(call, "ringing", "ringing", sequence)
        if answer in UNANSWERED:
            self._set(call, status=answer, duration=0, end_time=now())
            self._event(call, "completed", answer, sequence)
            return
        self._set(call, status="in-progress", start_time=now(), answered_by=self._answered_by(call, answer))
        self._event(call, "answered", "in-progress", sequence)
        started = time.monotonic()
        self._converse(call, list(script.get("inputs", [])))
        seconds = max(1, math.ceil(time.monotonic() - started))
        self._set(call, status="completed", duration=seconds, end_time=now())
        self._event(call, "completed", "completed", sequence)

    # -- helpers --------------------------------------------------------------------------------
    def _set(self, call: CallRecord, **changes: Any) -> None:
        with self.state.lock:
            for key, value in changes.items():
                setattr(call, key, value)
            call.date_updated = now()

    @staticmethod
    def _answered_by(call: CallRecord, answer: str) -> str | None:
        if not call.machine_detection:
            return None
        if answer == "machine":
            return "machine_end_beep" if call.machine_detection == "DetectMessageEnd" else "machine_start"
        return "human"

    def _params(self, call: CallRecord, status: str) -> dict[str, str]:
        params = {
            "AccountSid": call.account_sid, "ApiVersion": API_VERSION, "CallSid": call.sid,
            "CallStatus": status, "Called": call.to, "Caller": call.from_,
            "Direction": "outbound-api", "From": call.from_, "To": call.to,
        }
        if call.answered_by:
            params["AnsweredBy"] = call.answered_by
        return params

    def _event(self, call: CallRecord, event: str, status: str, sequence: Any) -> None:
        """Post a status callback if the call asked for this event."""
        if not call.status_callback or event not in call.status_callback_events:
            return
        params = self._params(call, status)
        params.update(
            CallbackSource="call-progress-events", SequenceNumber=str(next(sequence)),
            Timestamp=rfc2822(now()) or "",
        )
        if event == "completed":
            params["CallDuration"] = str(call.duration or 0)
            params["Duration"] = str(math.ceil((call.duration or 0) / 60))
        entry: dict[str, Any] = {"sid": call.sid, "status": status, "url": call.status_callback}
        try:
            entry["http_status"] = self.dispatcher.post(call.status_callback, params).status
        except requests.RequestException as exc:
            entry["error"] = type(exc).__name__
        with self.state.lock:
            self.state.callbacks.append(entry)

    def _note(self, call: CallRecord, item: dict[str, Any]) -> None:
        with self.state.lock:
            call.transcript.append(item)

    # -- the TwiML loop ---------------------------------------------------------------------------
    def _converse(self, call: CallRecord, inputs: list[Any]) -> None:
        step: Next | None = (call.url or "", call.method, {})
        document = call.twiml
        for _ in range(MAX_TWIML_FETCHES):
            if step is None or self.dispatcher.stopping.is_set():
                return
            url, method, extra = step
            if document is None:
                try:
                    reply = self.dispatcher.request(method, url, {**self._params(call, "in-progress"), **extra})
                except requests.RequestException as exc:
                    self._note(call, {"error": f"fetch failed: {type(exc).__name__}", "url": url})
                    return
                if not 200 <= reply.status < 300:
                    self._note(call, {"error": f"HTTP {reply.status}", "url": url})
                    return
                document = reply.body
            try:
                root = ET.fromstring(document) if document.strip() else ET.Element("Response")
            except ET.ParseError:
                self._note(call, {"error": "invalid TwiML", "url": url})
                return
            document = None
            step = self._execute(call, root, url, inputs)
        self._note(call, {"error": "too many TwiML documents"})

    def _execute(self, call: CallRecord, root: ET.Element, url: str, inputs: list[Any]) -> Next | None:
        """Run one TwiML document; return where to go next, or None when the call ends."""
        for verb in root:
            if verb.tag in ("Say", "Play"):
                self._speak(call, verb, in_gather=False)
            elif verb.tag == "Pause":
                continue
            elif verb.tag == "Gather":
                step = self._gather(call, verb, url, inputs)
                if step is not None:
                    return step
            elif verb.tag == "Redirect":
                target = urljoin(url, (verb.text or "").strip() or url)
                self._note(call, {"redirect": target})
                return target, verb.get("method", "POST").upper(), {}
            elif verb.tag in ("Hangup", "Reject"):
                self._note(call, {"hangup": True})
                return None
            else:
                self._note(call, {"unsupported": verb.tag})
        return None

    def _speak(self, call: CallRecord, verb: ET.Element, *, in_gather: bool) -> None:
        item: dict[str, Any] = {"in_gather": in_gather}
        if verb.tag == "Say":
            item.update(say=(verb.text or "").strip(), language=verb.get("language", "en-US"))
            if verb.get("voice"):
                item["voice"] = verb.get("voice")
        else:
            item["play"] = (verb.text or "").strip()
        self._note(call, item)

    def _gather(self, call: CallRecord, verb: ET.Element, url: str, inputs: list[Any]) -> Next | None:
        for child in verb:
            if child.tag in ("Say", "Play"):
                self._speak(call, child, in_gather=True)
        modes = (verb.get("input") or "dtmf").split()
        answer = _normalise(inputs.pop(0)) if inputs else {"silence": True}
        if call.answered_by and call.answered_by != "human":
            answer = {"silence": True}  # a machine presses nothing
        action = urljoin(url, verb.get("action") or url)
        method = verb.get("method", "POST").upper()
        extra: dict[str, str] = {}
        if "digits" in answer and "dtmf" in modes:
            extra = {"Digits": str(answer["digits"]), "FinishedOnKey": ""}
        elif "speech" in answer and "speech" in modes:
            extra = {
                "SpeechResult": str(answer["speech"]),
                "Confidence": str(answer.get("confidence", 0.9)),
                "Language": verb.get("language", "en-US"),
            }
        self._note(call, {"gather": {"input": " ".join(modes), "action": action}, "answer": extra})
        if extra or verb.get("actionOnEmptyResult") == "true":
            return action, method, extra
        return None  # no usable input: Twilio goes on with the verb after <Gather>


def _normalise(value: Any) -> dict[str, Any]:
    """A script input may be a dict, or a bare string: keypad if it is all digits, else speech."""
    if isinstance(value, dict):
        return value
    text = str(value)
    return {"digits": text} if text and all(c in "0123456789*#" for c in text) else {"speech": text}
