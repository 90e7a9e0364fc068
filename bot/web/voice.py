"""Twilio's voice webhooks: answer, gather and call status, all signed like the SMS ones.

- POST /twilio/voice/answer?c=<conversation>: someone (or something) picked up. A definite
  machine gets the voicemail (no health details, at most once per question); anyone else,
  including answering-machine detection's `unknown`, first hears who is calling and for whom
  and is asked to confirm (`bot.web.voice_identity`).
- POST /twilio/voice/gather?c=<conversation>&n=<silences>: only for a call whose identity was
  confirmed (`bot.services.call_identity.confirmed`; otherwise the identity question again).
  The answer is read as a call answer first (`bot.understanding.call_intents`: a crisis,
  "stop calling", key 9, "wrong number", "repeat", "operator"), then by the flow. Silence
  repeats the question once, then ends the call (the conversation's own timeout goes on).
- POST /twilio/voice/status?c=<conversation>: call progress, forward only (a late `ringing`
  after `completed`, or the same status twice, changes nothing); a call that reached nobody
  (no answer, a machine, or nobody confirmed who they are) goes to the retry policy.

Every answer counts once: the signed URL names the call's turn (`t`), and the answer is stored
under (CallSid, turn) (`bot.web.voice_common.heard`) and marked when acted on, so a Twilio retry,
a busy-record redirect or a replayed request is a no-op; a request for a call Twilio already
reported ended is answered with a hang-up and changes nothing.

Turns run the engine in the request under the patient's lock; the lock wait is short and a busy
lock answers "one moment" plus a bounded number of <Redirect>s back, so Twilio always has TwiML
well within 15 s.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import i18n
from bot.channels import twilio_voice as tv
from bot.channels import voice_messages as vm
from bot.channels.voice_locales import VoiceProfile, voice_profile
from bot.core import call_messages as cm
from bot.core.conversation import Reply
from bot.core.messages import VOICEMAIL
from bot.services import call_identity as ci
from bot.services import calls as vc
from bot.services import voice_turns as vt
from bot.services.executor import AfterCommit
from bot.store import repositories as repo
from bot.store.enums import MessageStatus
from bot.store.models import AuditEvent, Conversation, Message, Patient, utcnow
from bot.understanding.safety import GlobalIntent
from bot.web.context import runtime
from bot.web.voice_common import (
    Heard,
    acted_on,
    busy_twiml,
    call_for,
    caller_answer,
    conversation_id,
    hangup,
    heard,
    speech_confidence,
    turn,
    xml,
)
from bot.web.webhooks import signed

log = logging.getLogger(__name__)
bp = Blueprint("twilio_voice", __name__, url_prefix="/twilio/voice")



@bp.post("/answer")
@signed
def answer() -> Response:
    cid = conversation_id()
    rt = runtime()
    host = vt.Host(rt, utcnow())
    base = rt.settings.public_base_url
    answered_by = request.form.get("AnsweredBy", "")
    with rt.db.session() as s:
        found = call_for(s, cid)
        if found is None:
            log.warning("voice answer for an unknown call conversation=%s", cid)
            return hangup()
        row, patient = found
        profile = vt.profile_for(row, patient)
        if profile is None or row.status != "active":
            return hangup()
        if ci.is_machine(answered_by):
            return xml(_voicemail(s, host, row, patient, profile))
        return xml(ci.identity_twiml(s, host, row, patient, vc.identify_url(base, row.id)))


def _voicemail(s: Session, host: vt.Host, row: Conversation, patient: Patient,
               profile: VoiceProfile) -> str:
    """Leave the voicemail once per question (a retry's machine hears nothing and is hung up
    on) and note it; the status callback then applies the retry policy."""
    question = row.state or "start"
    if _voicemail_left(s, row.id, question):
        repo.audit(s, "voicemail_skipped", "a voicemail was already left for this question",
                   host.now, patient_id=patient.id, conversation_id=row.id,
                   detail={"call_sid": request.form.get("CallSid"), "state": question})
        return tv.final_twiml([], profile, goodbye=None)
    text = i18n.render(VOICEMAIL, host.host_params, row.locale, row.timezone)
    vt.record_said(s, row, patient, [VOICEMAIL], [text], "system", host.now)
    repo.audit(s, "voicemail_left", "answering machine", host.now, patient_id=patient.id,
               conversation_id=row.id,
               detail={"call_sid": request.form.get("CallSid"), "state": question})
    return tv.voicemail_twiml(profile, row.locale, row.timezone, host.host_params)


def _voicemail_left(s: Session, conversation_id: int, state: str) -> bool:
    details = s.scalars(select(AuditEvent.detail).where(
        AuditEvent.conversation_id == conversation_id, AuditEvent.action == "voicemail_left"))
    return any((d or {}).get("state", "start") == state for d in details)


def _fallback_xml(host: vt.Host, row: Conversation, patient: Patient) -> str:
    """What the caller hears if the turn fails: sorry, our number, goodbye (their language)."""
    profile = vt.profile_for(row, patient) or voice_profile("en")
    return vt.cannot_continue(host, row, profile)  # type: ignore[arg-type]


@bp.post("/gather")
@signed
def gather() -> Response:
    cid = conversation_id()
    silences = int(request.args.get("n", "0") or 0)
    rt = runtime()
    host = vt.Host(rt, utcnow())
    base = rt.settings.public_base_url
    text, keyed, sid = caller_answer()
    with rt.db.session() as s:
        found = call_for(s, cid)
        if found is None:
            return hangup()
        row, patient = found
        if not ci.confirmed(s, row.id, sid):
            # One rule for every path: nothing about the patient before they said who they are.
            return xml(ci.identity_twiml(s, host, row, patient,
                                         vc.identify_url(base, row.id, turn=turn())))
        answer = heard(s, row, patient, text, sid, host.now)
        patient_id, fallback = patient.id, _fallback_xml(host, row, patient)
        profile = vt.profile_for(row, patient) or voice_profile("en")
        if answer.replay:  # this turn was acted on: the question as it stands, nothing changed
            return xml(vt.replay_twiml(s, host, row, patient,
                                       vc.gather_url(base, cid, turn=answer.next_turn),
                                       record=False))
        confidence = speech_confidence(keyed)
        busy = busy_twiml(vc.gather_url(base, cid, silences, turn()), profile,  # type: ignore[arg-type]
                          row.locale, row.timezone, host.host_params,
                          **({"m": str(answer.message_id), "k": "1" if keyed else "0",
                              "q": f"{confidence:.2f}"} if answer.message_id else {}))
    if answer.racing:
        return xml(busy)
    try:
        body, work = _gather_turn(host, cid, patient_id, answer, keyed, confidence, silences,
                                  base, busy)
    except Exception:  # never leave the caller in Twilio's "application error" message
        log.exception("voice gather failed conversation=%s", cid)
        return xml(fallback)
    vt.run_after_commit(host, work)
    return xml(body)


def _gather_turn(
    host: vt.Host, conversation_id: int, patient_id: int, answer: Heard, keyed: bool,
    confidence: float, silences: int, base: str, busy: str,
) -> tuple[str, AfterCommit | None]:
    with vt.patient_lock(host.runtime.redis, patient_id) as held:
        if not held:
            return busy, None
        with host.runtime.db.session() as s:
            row, patient = vt.load(s, conversation_id)  # type: ignore[misc]
            profile = vt.profile_for(row, patient) or voice_profile("en")
            if row.status != "active":
                return vt.say_then_hangup(host, row, profile, vm.GOODBYE), None  # type: ignore[arg-type]
            if answer.message_id is None:
                if silences >= vt.MAX_SILENCES:
                    return vt.say_then_hangup(host, row, profile, vm.NO_INPUT_GOODBYE), None  # type: ignore[arg-type]
                sorry = i18n.render(vm.NO_INPUT, host.host_params, row.locale, row.timezone)
                return vt.replay_twiml(s, host, row, patient,
                                       vc.gather_url(base, row.id, silences + 1, turn()),
                                       prefix=[sorry]), None
            current = s.get(Message, answer.message_id)
            if current is None or current.status == MessageStatus.READ:
                # Another request acted on this answer while this one waited for the lock.
                return vt.replay_twiml(s, host, row, patient,
                                       vc.gather_url(base, row.id, turn=answer.next_turn),
                                       record=False), None
            acted_on(s, answer.message_id)
            return _heard(s, host, row, patient, answer.message_id, answer.text, keyed,
                          confidence, vc.gather_url(base, row.id, turn=answer.next_turn))


def _heard(s: Session, host: vt.Host, row: Conversation, patient: Patient, message_id: int,
           text: str, keyed: bool, confidence: float, gather: str,
           ) -> tuple[str, AfterCommit | None]:
    """Read one answer as a call answer (`voice_turns.read_answer`), then act on it; `gather`
    is where the next answer goes."""
    flow = vt.flow_of(host, row)
    answer = vt.read_answer(flow, row.state, text, row.locale, keyed=keyed,
                            confidence=confidence)
    if answer.action == vt.WRONG_NUMBER:
        work = ci.wrong_number(s, row, patient, request.form.get("CallSid", ""),
                               "keypad" if keyed else "speech", host.now)
        return ci.closing_twiml(s, host, row, patient, cm.WRONG_NUMBER), work
    if answer.action == vt.REPEAT:
        return vt.replay_twiml(s, host, row, patient, gather), None
    if answer.action == vt.ASK_BACK:
        sorry = i18n.render(cm.NOT_SURE, host.host_params, row.locale, row.timezone)
        return vt.replay_twiml(s, host, row, patient, gather, prefix=[sorry]), None
    hit = answer.hit

    def classify(_text: str, _locale: str, **_: object) -> GlobalIntent | None:
        return hit  # read once above, with this answer's keypad facts

    return vt.step_twiml(s, host, row, patient,
                         Reply(text=answer.text, channel="voice", message_id=str(message_id)),
                         gather, classify=classify)


@bp.post("/status")
@signed
def status() -> Response:
    cid = conversation_id()
    sid = request.form.get("CallSid", "")
    call_status = (request.form.get("CallStatus") or "").lower()
    answered_by = request.form.get("AnsweredBy", "")
    rt = runtime()
    now = utcnow()
    with rt.db.session() as s:
        call = s.scalar(select(Message).where(Message.twilio_sid == sid))
        if call is None or call.conversation_id != cid:
            return xml(str(tv.VoiceResponse()))
        if not vc.moves_forward(call.status, call_status):
            return xml(str(tv.VoiceResponse()))  # a repeat or a late, older status
        call.status, call.updated_at = call_status, now
        call.status_rank = vc.status_rank(call_status)
        if call_status in vc.UNREACHED:
            repo.audit(s, "call_unreached", call_status, now, patient_id=call.patient_id,
                       conversation_id=cid, detail={"call_sid": sid})
        why = call_status if call_status in vc.UNREACHED else None
        if call_status == "completed" and why is None:
            if ci.is_machine(answered_by):
                why = "voicemail"
            elif not ci.confirmed(s, cid, sid):
                why = "identity not confirmed"
    if why is not None:
        vc.after_unreached(rt, cid, why, now)
    return xml(str(tv.VoiceResponse()))
