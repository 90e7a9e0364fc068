"""The identity question every call asks first, and the crisis transfer's return.

- POST /twilio/voice/identify?c=<conversation>&n=<tries>: the answer to "This is {program}
  calling for {first_name}. If this is {first_name}, press 1 or say yes..." Only a confirmed
  answer leads to the flow (`bot.services.call_identity`); "not available" and silence end the
  call with no detail said; "wrong number" stops outreach to the number; "stop calling", a
  crisis or a request for a person are acted on as anywhere else in a call.
- POST /twilio/voice/dialed?c=<conversation>: Twilio's report on the crisis `<Dial>`; when
  nobody answered, the caller hears the crisis numbers again, slowly, before the call ends.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, request
from sqlalchemy.orm import Session

from bot import i18n
from bot.channels import voice_messages as vm
from bot.channels.voice_locales import voice_profile
from bot.core import call_messages as cm
from bot.core.conversation import Start
from bot.services import call_identity as ci
from bot.services import calls as vc
from bot.services import voice_turns as vt
from bot.services.executor import AfterCommit
from bot.store import repositories as repo
from bot.store.enums import MessageStatus
from bot.store.models import Conversation, Message, Patient, utcnow
from bot.understanding import call_intents
from bot.web.context import runtime
from bot.web.voice_common import (
    acted_on,
    busy_twiml,
    call_for,
    caller_answer,
    conversation_id,
    hangup,
    heard,
    speech_confidence,
    xml,
)
from bot.web.webhooks import signed

log = logging.getLogger(__name__)
bp = Blueprint("twilio_voice_identity", __name__, url_prefix="/twilio/voice")

#: Unclear or silent answers to the identity question before the call ends politely.
MAX_IDENTITY_TRIES = 1


@bp.post("/identify")
@signed
def identify() -> Response:
    cid = conversation_id()
    tries = int(request.args.get("n", "0") or 0)
    rt = runtime()
    host = vt.Host(rt, utcnow())
    text, keyed, sid = caller_answer()
    with rt.db.session() as s:
        found = call_for(s, cid)
        if found is None:
            return hangup()
        row, patient = found
        answer = heard(s, row, patient, text, sid, host.now)
        if answer.replay:  # acted on already: a replayed request changes nothing
            return hangup()
        patient_id = patient.id
        profile = vt.profile_for(row, patient) or voice_profile("en")
        busy = busy_twiml(request.url, profile, row.locale, row.timezone,  # type: ignore[arg-type]
                          host.host_params, **({"m": str(answer.message_id),
                                                "k": "1" if keyed else "0",
                                                "q": f"{speech_confidence(keyed):.2f}"}
                                               if answer.message_id else {}))
    if answer.racing:
        return xml(busy)
    work: AfterCommit | None = None
    with vt.patient_lock(rt.redis, patient_id) as held:
        if not held:
            return xml(busy)
        with rt.db.session() as s:
            row, patient = vt.load(s, cid)  # type: ignore[misc]
            if row.status != "active":
                profile = vt.profile_for(row, patient) or voice_profile("en")
                return xml(vt.say_then_hangup(host, row, profile, vm.GOODBYE))  # type: ignore[arg-type]
            current = s.get(Message, answer.message_id) if answer.message_id else None
            if current is not None and current.status == MessageStatus.READ:
                return hangup()  # acted on by a request that held the lock first
            acted_on(s, answer.message_id)
            clear = call_intents.heard_clearly(answer.text, keyed, speech_confidence(keyed),
                                               row.locale)
            body, work = _answer(s, host, row, patient, answer.text, keyed, sid, tries,
                                 answer.next_turn, clear)
    vt.run_after_commit(host, work)
    return xml(body)


def _answer(s: Session, host: vt.Host, row: Conversation, patient: Patient, text: str,
            keyed: bool, sid: str, tries: int, next_turn: int, clear: bool,
            ) -> tuple[str, AfterCommit | None]:
    """What the identity answer leads to: (TwiML, after-commit work); `next_turn` numbers the
    call's next answer; an answer not `clear` (low confidence, noise) confirms nothing."""
    base = host.runtime.settings.public_base_url
    again = vc.identify_url(base, row.id, tries + 1, next_turn)
    if not text:
        if tries >= MAX_IDENTITY_TRIES:
            ci.not_available(s, row, sid, "silence", host.now)
            return ci.closing_twiml(s, host, row, patient, cm.IDENTITY_NOT_CONFIRMED), None
        sorry = i18n.render(vm.NO_INPUT, host.host_params, row.locale, row.timezone)
        return ci.identity_twiml(s, host, row, patient, again, prefix=(sorry,)), None
    hit = call_intents.classify_call(text, row.locale, keyed=keyed,
                                     keypad=call_intents.Keypad(person=False, repeat=False))
    if hit is not None and hit.kind in ("urgent", "stop", "person"):
        return vt.apply_global(s, host, row, patient, hit)
    if hit is not None and hit.kind == "language" and hit.locale:
        # "Español" at the first words: ask again in that language (or hand to an interpreter).
        row.locale = patient.locale = hit.locale
        repo.audit(s, "language_changed", "chosen on a call", host.now, patient_id=patient.id,
                   conversation_id=row.id, detail={"locale": hit.locale})
        if vt.profile_for(row, patient) is None:
            return vt.interpreter_instead_twiml(s, host, row, patient), None
        return ci.identity_twiml(s, host, row, patient, again), None
    kind = ci.answer_kind(text, keyed, row.locale) if clear else ci.UNCLEAR
    if hit is not None and hit.kind == "wrong_number":
        kind = ci.WRONG
    if kind == ci.WRONG:
        work = ci.wrong_number(s, row, patient, sid, "keypad" if keyed else "speech", host.now)
        return ci.closing_twiml(s, host, row, patient, cm.WRONG_NUMBER), work
    if kind == ci.NOT_AVAILABLE:
        ci.not_available(s, row, sid, "keypad" if keyed else "speech", host.now)
        return ci.closing_twiml(s, host, row, patient, cm.IDENTITY_NOT_CONFIRMED), None
    if kind == ci.CONFIRMED:
        ci.record_confirmed(s, row, sid, "keypad" if keyed else "speech", host.now)
        gather = vc.gather_url(base, row.id, turn=next_turn)
        if not row.state or row.wait_token is None:
            return vt.step_twiml(s, host, row, patient, Start(), gather)
        return vt.replay_twiml(s, host, row, patient, gather), None
    if tries >= MAX_IDENTITY_TRIES:
        ci.not_available(s, row, sid, "not understood", host.now)
        return ci.closing_twiml(s, host, row, patient, cm.IDENTITY_NOT_CONFIRMED), None
    lead = cm.CONFIRM_STOP if hit is not None and hit.kind == "confirm_stop" else cm.NOT_SURE
    sorry = i18n.render(lead, host.host_params, row.locale, row.timezone)
    return ci.identity_twiml(s, host, row, patient, again, prefix=(sorry,)), None


@bp.post("/dialed")
@signed
def dialed() -> Response:
    """After the crisis transfer: nothing more if a person took it, else the numbers again."""
    cid = conversation_id()
    outcome = (request.form.get("DialCallStatus") or "").lower()
    rt = runtime()
    host = vt.Host(rt, utcnow())
    with rt.db.session() as s:
        found = call_for(s, cid)
        if found is None:
            return hangup()
        row, patient = found
        repo.audit(s, "crisis_transfer_result", outcome or "unknown", host.now,
                   patient_id=patient.id, conversation_id=row.id)
        if outcome == "completed":
            return hangup()
        return xml(ci.closing_twiml(s, host, row, patient, cm.CRISIS_NOT_CONNECTED))
