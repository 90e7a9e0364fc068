"""Whole calls through the stand-in: TwiML fetched from an app, gathers answered by script."""

from __future__ import annotations

from channels_support import OUR_NUMBER, Receiver
from twilio.rest import Client
from twilio.twiml.voice_response import Gather, VoiceResponse

from bot.devtools.fake_twilio import FakeTwilio

PATIENT = "+15550104444"


def _app(receiver: Receiver) -> None:
    """A two-step voice app: ask, then confirm or re-ask via Redirect."""
    ask = VoiceResponse()
    gather = Gather(input="dtmf speech", action="/voice/gather", num_digits=1, language="es-US")
    gather.say("Pulse 1 para confirmar.", language="es-US", voice="Polly.Lupe")
    ask.append(gather)
    ask.redirect("/voice/answer")
    done = VoiceResponse()
    done.say("Gracias.", language="es-US")
    done.hangup()
    receiver.answers["/voice/answer"] = (200, "text/xml", str(ask))
    receiver.answers["/voice/gather"] = (200, "text/xml", str(done))


def _call(client: Client, receiver: Receiver, **extra: object) -> str:
    return client.calls.create(
        to=PATIENT, from_=OUR_NUMBER, url=receiver.base_url + "/voice/answer",
        status_callback=receiver.base_url + "/voice/status", **extra,
    ).sid


def test_call_with_keypad_answer(fake: FakeTwilio, client: Client, receiver: Receiver) -> None:
    _app(receiver)
    fake.set_call_script(PATIENT, {"answer": "human", "inputs": [{"digits": "1"}]})
    sid = _call(client, receiver)
    assert sid.startswith("CA") and len(sid) == 34
    assert fake.wait_idle(10)
    answer = receiver.received("/voice/answer")[0]
    assert answer.signature_valid and answer.form["CallSid"] == sid
    assert answer.form["Direction"] == "outbound-api" and answer.form["CallStatus"] == "in-progress"
    assert "AnsweredBy" not in answer.form
    [gathered] = receiver.received("/voice/gather")
    assert gathered.signature_valid and gathered.form["Digits"] == "1"
    call = client.calls(sid).fetch()
    assert call.status == "completed" and int(call.duration) >= 1
    [status] = receiver.received("/voice/status")
    assert status.signature_valid and status.form["CallStatus"] == "completed"
    said = [item["say"] for item in fake.calls()[0]["transcript"] if "say" in item]
    assert said == ["Pulse 1 para confirmar.", "Gracias."]


def test_silence_follows_redirect_then_speech(
    fake: FakeTwilio, client: Client, receiver: Receiver
) -> None:
    _app(receiver)
    fake.set_call_script(PATIENT, {"inputs": [{"silence": True}, "sí por favor"]})
    _call(client, receiver)
    assert fake.wait_idle(10)
    assert len(receiver.received("/voice/answer")) == 2  # re-asked through <Redirect>
    [gathered] = receiver.received("/voice/gather")
    assert gathered.form["SpeechResult"] == "sí por favor" and "Digits" not in gathered.form
    transcript = fake.calls()[0]["transcript"]
    assert any(item.get("redirect", "").endswith("/voice/answer") for item in transcript)


def test_machine_detection_and_unanswered(
    fake: FakeTwilio, client: Client, receiver: Receiver
) -> None:
    _app(receiver)
    fake.set_call_script(PATIENT, {"answer": "machine", "inputs": ["1"]})
    sid = _call(client, receiver, machine_detection="DetectMessageEnd")
    fake.set_call_script("+15550104445", {"answer": "no-answer"})
    missed = client.calls.create(
        to="+15550104445", from_=OUR_NUMBER, url=receiver.base_url + "/voice/answer",
        status_callback=receiver.base_url + "/voice/status",
        status_callback_event=["initiated", "ringing", "answered", "completed"],
    ).sid
    assert fake.wait_idle(10)
    assert receiver.received("/voice/answer")[0].form["AnsweredBy"] == "machine_end_beep"
    assert client.calls(sid).fetch().answered_by == "machine_end_beep"
    assert client.calls(missed).fetch().status == "no-answer"
    statuses = [r.form["CallStatus"] for r in receiver.received("/voice/status")
                if r.form["CallSid"] == missed]
    assert statuses == ["initiated", "ringing", "no-answer"]
    assert len([c for c in client.calls.list(to=PATIENT)]) == 1
