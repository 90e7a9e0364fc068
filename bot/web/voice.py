"""Twilio's voice webhooks: answer, gather and call status, all signed like the SMS ones.

- POST /twilio/voice/answer?c=<conversation>: the patient (or a machine) picked up. A machine
  gets the voicemail (no health details); a person hears the flow's first question, or the
  current one when the conversation had already begun.
- POST /twilio/voice/gather?c=<conversation>&n=<silences>: Digits or SpeechResult becomes the
  engine's `Reply(text, channel="voice")`; silence repeats the question once, then ends the call
  (the conversation keeps waiting and its own timeout decides what comes next).
- POST /twilio/voice/status?c=<conversation>: call progress; a call nobody took goes to the
  retry policy (bot.services.calls).

Turns run the engine in the request under the patient's lock; the lock wait is short and a busy
lock answers "one moment" plus a <Redirect> back, so Twilio always has TwiML well within 15 s.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, request
from sqlalchemy import select

from bot import i18n
from bot.channels import twilio_voice as tv
from bot.channels import voice_messages as vm
from bot.channels.voice_locales import voice_profile
from bot.core.conversation import Reply, Start
from bot.core.messages import VOICEMAIL
from bot.services import calls as vc
from bot.services import voice_turns as vt
from bot.services.executor import AfterCommit
from bot.store import repositories as repo
from bot.store.models import INBOUND, STATUS_RANK, Conversation, Message, Patient, utcnow
from bot.web.context import runtime
from bot.web.webhooks import signed

log = logging.getLogger(__name__)
bp = Blueprint("twilio_voice", __name__, url_prefix="/twilio/voice")

#: Silent answers to one question before the call ends politely.
MAX_SILENCES = 1
#: Twilio's AnsweredBy values that mean nobody is listening live.
MACHINE = ("machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other", "fax")


def xml(body: str) -> Response:
    return Response(body, mimetype="text/xml")


def _conversation_id() -> int:
    raw = request.args.get("c", "")
    if not raw.isdigit():
        abort(400)
    return int(raw)


def _hangup() -> Response:
    return xml(tv.final_twiml([], voice_profile("en"), goodbye=None))  # type: ignore[arg-type]


@bp.post("/answer")
@signed
def answer() -> Response:
    conversation_id = _conversation_id()
    rt = runtime()
    host = vt.Host(rt, utcnow())
    base = rt.settings.public_base_url
    answered_by = request.form.get("AnsweredBy", "")
    with rt.db.session() as s:
        found = vt.load(s, conversation_id)
        if found is None or found[1].phone != request.form.get("To"):
            log.warning("voice answer for an unknown call conversation=%s", conversation_id)
            return _hangup()
        patient_id, fallback = found[1].id, _fallback_xml(host, *found)
    try:
        body, work = _answer_turn(host, conversation_id, patient_id, answered_by, base)
    except Exception:  # never leave the caller in Twilio's "application error" message
        log.exception("voice answer failed conversation=%s", conversation_id)
        return xml(fallback)
    vt.run_after_commit(host, work)
    return xml(body)


def _answer_turn(
    host: vt.Host, conversation_id: int, patient_id: int, answered_by: str, base: str
) -> tuple[str, AfterCommit | None]:
    rt = host.runtime
    work: AfterCommit | None = None
    with vt.patient_lock(rt.redis, patient_id) as held:
        if not held:
            return tv.retry_twiml(vc.answer_url(base, conversation_id)), work
        with rt.db.session() as s:
            row, patient = vt.load(s, conversation_id)  # type: ignore[misc]
            profile = vt.profile_for(row, patient)
            if profile is None or row.status != "active":
                return _hangup().get_data(as_text=True), work
            if answered_by in MACHINE:
                body = _voicemail(s, host, row, patient, profile)
            elif not row.state or row.wait_token is None:
                body, work = vt.step_twiml(s, host, row, patient, Start(),
                                           vc.gather_url(base, row.id))
            else:
                body = vt.replay_twiml(s, host, row, patient, vc.gather_url(base, row.id))
    return body, work


def _fallback_xml(host: vt.Host, row: Conversation, patient: Patient) -> str:
    """What the caller hears if the turn fails: sorry, our number, goodbye (their language)."""
    profile = vt.profile_for(row, patient) or voice_profile("en")
    return vt.cannot_continue(host, row, profile)  # type: ignore[arg-type]


def _voicemail(s, host, row, patient, profile) -> str:  # type: ignore[no-untyped-def]
    """Leave the voicemail and note it; the status callback then applies the retry policy."""
    text = i18n.render(VOICEMAIL, host.host_params, row.locale, row.timezone)
    vt.record_said(s, row, patient, [VOICEMAIL], [text], "system", host.now)
    repo.audit(s, "voicemail_left", "answering machine", host.now, patient_id=patient.id,
               conversation_id=row.id, detail={"call_sid": request.form.get("CallSid")})
    return tv.voicemail_twiml(profile, row.locale, row.timezone, host.host_params)


@bp.post("/gather")
@signed
def gather() -> Response:
    conversation_id = _conversation_id()
    silences = int(request.args.get("n", "0") or 0)
    rt = runtime()
    host = vt.Host(rt, utcnow())
    base = rt.settings.public_base_url
    text = (request.form.get("Digits") or request.form.get("SpeechResult") or "").strip()
    with rt.db.session() as s:
        found = vt.load(s, conversation_id)
        if found is None or found[1].phone != request.form.get("To"):
            return _hangup()
        row, patient = found
        if request.args.get("m", "").isdigit():
            # Back from a busy-lock redirect: the answer was stored on the first try.
            heard = s.get(Message, int(request.args["m"]))
            if heard is None or heard.conversation_id != row.id or heard.direction != INBOUND:
                abort(400)
            message_id, text = heard.id, heard.body
        elif text:
            message_id = vt.record_heard(s, row, patient, text, host.now)
        else:
            message_id = None
        patient_id, fallback = patient.id, _fallback_xml(host, row, patient)
    try:
        body, work = _gather_turn(host, conversation_id, patient_id, message_id, text,
                                  silences, base)
    except Exception:  # never leave the caller in Twilio's "application error" message
        log.exception("voice gather failed conversation=%s", conversation_id)
        return xml(fallback)
    vt.run_after_commit(host, work)
    return xml(body)


def _gather_turn(
    host: vt.Host, conversation_id: int, patient_id: int, message_id: int | None, text: str,
    silences: int, base: str,
) -> tuple[str, AfterCommit | None]:
    work: AfterCommit | None = None
    with vt.patient_lock(host.runtime.redis, patient_id) as held:
        if not held:
            # Twilio's <Redirect> does not re-post the answer, so point at the stored one.
            again = vc.gather_url(base, conversation_id, silences)
            return tv.retry_twiml(again + (f"&m={message_id}" if message_id else "")), work
        with host.runtime.db.session() as s:
            row, patient = vt.load(s, conversation_id)  # type: ignore[misc]
            profile = vt.profile_for(row, patient) or voice_profile("en")
            if row.status != "active":
                return vt.say_then_hangup(host, row, profile, vm.GOODBYE), work  # type: ignore[arg-type]
            if message_id is None:
                if silences >= MAX_SILENCES:
                    return vt.say_then_hangup(host, row, profile, vm.NO_INPUT_GOODBYE), work  # type: ignore[arg-type]
                sorry = i18n.render(vm.NO_INPUT, host.host_params, row.locale, row.timezone)
                body = vt.replay_twiml(s, host, row, patient,
                                       vc.gather_url(base, row.id, silences + 1), prefix=[sorry])
            else:
                body, work = vt.step_twiml(
                    s, host, row, patient,
                    Reply(text=text, channel="voice", message_id=str(message_id)),
                    vc.gather_url(base, row.id),
                )
    return body, work


@bp.post("/status")
@signed
def status() -> Response:
    conversation_id = _conversation_id()
    sid = request.form.get("CallSid", "")
    call_status = (request.form.get("CallStatus") or "").lower()
    answered_by = request.form.get("AnsweredBy", "")
    rt = runtime()
    now = utcnow()
    with rt.db.session() as s:
        call = s.scalar(select(Message).where(Message.twilio_sid == sid))
        if call is None or call.conversation_id != conversation_id:
            return xml(str(tv.VoiceResponse()))
        call.status, call.updated_at = call_status, now
        call.status_rank = STATUS_RANK.get("delivered" if call_status == "completed" else "sent", 3)
        if call_status in vc.UNREACHED:
            repo.audit(s, "call_unreached", call_status, now, patient_id=call.patient_id,
                       conversation_id=conversation_id, detail={"call_sid": sid})
    unreached = call_status in vc.UNREACHED or (
        call_status == "completed" and answered_by in MACHINE
    )
    if unreached:
        vc.after_unreached(rt, conversation_id, call_status if call_status in vc.UNREACHED
                           else "voicemail", now)
    return xml(str(tv.VoiceResponse()))

