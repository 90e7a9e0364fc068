"""Small pieces every voice endpoint shares: TwiML responses, the conversation id, busy retries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Response, abort, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import i18n
from bot.channels import twilio_voice as tv
from bot.channels import voice_messages as vm
from bot.channels.voice_locales import VoiceProfile, voice_profile
from bot.services import calls as vc
from bot.services import voice_turns as vt
from bot.store.enums import MessageStatus
from bot.store.models import INBOUND, STATUS_RANK, Conversation, Message, Patient

#: Busy-record redirects one answer may take before the call apologises and ends; each waits
#: `tv.RETRY_PAUSE_SECONDS` plus the lock wait, so the caller never hears a long silence.
MAX_BUSY_REDIRECTS = 3


def xml(body: str) -> Response:
    return Response(body, mimetype="text/xml")


def conversation_id() -> int:
    raw = request.args.get("c", "")
    if not raw.isdigit():
        abort(400)
    return int(raw)


def caller_answer() -> tuple[str, bool, str]:
    """What the caller answered: (keys or speech, whether it was keyed, the CallSid)."""
    digits = (request.form.get("Digits") or "").strip()
    text = digits or (request.form.get("SpeechResult") or "").strip()
    keyed = bool(digits) or request.args.get("k") == "1"
    return text, keyed, request.form.get("CallSid", "")


def turn() -> int:
    """Which answer of the call this request carries (`t` in the signed URL; 0 the first)."""
    raw = request.args.get("t", "0")
    return int(raw) if raw.isdigit() else 0


@dataclass(frozen=True)
class Heard:
    """The answer a voice request carries, stored once per (CallSid, turn)."""

    message_id: int | None  # None: silence
    text: str
    #: This turn was already acted on (a replayed or repeated request): change nothing.
    replay: bool = False
    #: Another request is storing this same answer right now: ask Twilio to come back.
    racing: bool = False

    @property
    def next_turn(self) -> int:
        return turn() + (1 if self.message_id is not None else 0)


def heard(s: Session, row: Conversation, patient: Patient, text: str, call_sid: str,
          now: datetime) -> Heard:
    """Store this request's answer, or find it stored: the (CallSid, turn) key makes every
    answer count once, whether Twilio retries it, a busy record sends it back (`m`), or
    someone replays a signed request."""
    key = vc.answer_key(call_sid, turn())
    found: Message | None = None
    if request.args.get("m", "").isdigit():  # back from a busy redirect: stored the first time
        found = s.get(Message, int(request.args["m"]))
        if found is None or found.conversation_id != row.id or found.direction != INBOUND:
            abort(400)
    elif key is not None:
        found = s.scalar(select(Message).where(Message.twilio_sid == key))
        if found is not None and found.conversation_id != row.id:
            abort(400)
    if found is not None:
        return Heard(found.id, found.body, replay=found.status == MessageStatus.READ)
    if not text:
        return Heard(None, "")
    try:
        with s.begin_nested():
            message_id = vt.record_heard(s, row, patient, text, now, key)
    except IntegrityError:  # the same answer, stored by a request running beside this one
        return Heard(None, text, racing=True)
    return Heard(message_id, text)


def acted_on(s: Session, message_id: int | None) -> None:
    """Mark a heard answer as acted on (inside the turn's transaction): a replay is a no-op."""
    if message_id is not None:
        found = s.get(Message, message_id)
        if found is not None:
            found.status = MessageStatus.READ
            found.status_rank = STATUS_RANK[MessageStatus.READ]


def speech_confidence(keyed: bool) -> float:
    """Twilio's recogniser confidence for a spoken answer (keys and a missing value: 1.0);
    back from a busy redirect, the value the first request carried (`q`)."""
    raw = request.form.get("Confidence", request.args.get("q"))
    if keyed or raw is None:
        return 1.0
    try:
        return float(raw)
    except ValueError:
        return 0.0


def call_for(s: Any, cid: int) -> Any:
    """The conversation and patient of this call, or None when the request's number is not the
    patient's (a stale or forged callback)."""
    found = vt.load(s, cid)
    if found is None or found[1].phone != request.form.get("To"):
        return None
    if vc.call_over(s, request.form.get("CallSid", "")):
        return None  # the call ended: a late or replayed request changes nothing
    return found


def hangup() -> Response:
    return xml(tv.final_twiml([], voice_profile("en"), goodbye=None))  # type: ignore[arg-type]


def busy_twiml(url: str, profile: VoiceProfile, locale: str, timezone: str,
               params: dict[str, object], **extra: str) -> str:
    """"One moment, please" and a redirect back (with `extra` query values), a bounded number
    of times; then the call ends with the care team's number instead of looping."""
    tries = int(request.args.get("r", "0") or 0)
    if tries >= MAX_BUSY_REDIRECTS:
        text = i18n.render(vm.CANNOT_CONTINUE, params, locale, timezone)
        return tv.final_twiml([text], profile, goodbye=None)
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(extra, r=str(tries + 1))
    again = urlunsplit(parts._replace(query=urlencode(query)))
    line = i18n.render(vm.ONE_MOMENT, params, locale, timezone) if tries == 0 else None
    return tv.retry_twiml(again, profile, line)
