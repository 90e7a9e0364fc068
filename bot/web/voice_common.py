"""Small pieces every voice endpoint shares: TwiML responses, the conversation id, busy retries."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Response, abort, request

from bot import i18n
from bot.channels import twilio_voice as tv
from bot.channels import voice_messages as vm
from bot.channels.voice_locales import VoiceProfile, voice_profile

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
