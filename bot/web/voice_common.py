"""Small pieces every voice endpoint shares: TwiML responses, the conversation id, busy retries."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Response, abort, request

from bot import i18n
from bot.channels import twilio_voice as tv
from bot.channels import voice_messages as vm
from bot.channels.voice_locales import VoiceProfile, voice_profile
from bot.services import voice_turns as vt

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


def call_for(s: Any, cid: int) -> Any:
    """The conversation and patient of this call, or None when the request's number is not the
    patient's (a stale or forged callback)."""
    found = vt.load(s, cid)
    if found is None or found[1].phone != request.form.get("To"):
        return None
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
