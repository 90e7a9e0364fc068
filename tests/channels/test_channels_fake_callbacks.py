"""Status callbacks and inbound webhooks from the stand-in, checked by an app-side receiver
that validates X-Twilio-Signature with the twilio library's RequestValidator."""

from __future__ import annotations

from channels_support import OUR_NUMBER, Receiver
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from bot.channels.twilio_client import make_client
from bot.devtools.fake_twilio import FakeTwilio
from bot.devtools.fake_twilio_control import FakeTwilioControl

PATIENT = "+15550107777"


def _send(client: Client, receiver: Receiver, to: str = PATIENT) -> str:
    return client.messages.create(
        to=to, from_=OUR_NUMBER, body="Reminder", status_callback=receiver.base_url + "/status"
    ).sid


def test_status_callbacks_are_signed_and_ordered(
    fake: FakeTwilio, client: Client, receiver: Receiver
) -> None:
    sid = _send(client, receiver)
    assert fake.wait_idle(10)
    got = receiver.received("/status")
    assert [r.form["MessageStatus"] for r in got] == ["sent", "delivered"]
    assert all(r.signature_valid for r in got)
    assert {r.form["MessageSid"] for r in got} == {sid}
    assert got[0].form["AccountSid"] == fake.account_sid and got[0].form["To"] == PATIENT
    assert "ErrorCode" not in got[1].form and "RawDlrDoneDate" in got[1].form
    assert [c["http_status"] for c in fake.callbacks()] == [200, 200]


def test_landline_is_accepted_then_undelivered_30006(
    fake: FakeTwilio, client: Client, receiver: Receiver
) -> None:
    fake.configure(landline=[PATIENT])
    sid = _send(client, receiver)
    assert fake.wait_idle(10)
    final = receiver.received("/status")[-1].form
    assert final["MessageStatus"] == "undelivered" and final["ErrorCode"] == "30006"
    fetched = client.messages(sid).fetch()
    assert fetched.status == "undelivered" and fetched.error_code == 30006


def test_transient_30003_then_delivered(
    fake: FakeTwilio, client: Client, receiver: Receiver
) -> None:
    fake.configure(transient={PATIENT: 1})
    first, second = _send(client, receiver), _send(client, receiver)
    assert fake.wait_idle(10)
    assert client.messages(first).fetch().error_code == 30003
    assert client.messages(second).fetch().status == "delivered"


def test_shuffled_and_duplicated_callbacks(
    fake: FakeTwilio, client: Client, receiver: Receiver
) -> None:
    fake.configure(shuffle_callbacks=True, duplicate_callbacks=True)
    sids = [_send(client, receiver) for _ in range(6)]
    assert fake.wait_idle(10)
    got = receiver.received("/status")
    assert len(got) == 6 * 4 and all(r.signature_valid for r in got)
    for sid in sids:
        statuses = sorted(r.form["MessageStatus"] for r in got if r.form["MessageSid"] == sid)
        assert statuses == ["delivered", "delivered", "sent", "sent"]
        assert client.messages(sid).fetch().status == "delivered"  # the store stays in order


def test_inbound_is_signed_like_twilio(fake: FakeTwilio, receiver: Receiver) -> None:
    result = fake.send_inbound(PATIENT, "Yes, thanks", url=receiver.base_url + "/twilio/sms")
    assert result.status == 200 and "<Response" in result.body
    [got] = receiver.received("/twilio/sms")
    assert got.signature_valid
    form = got.form
    assert form["MessageSid"] == form["SmsSid"] == result.message_sid
    assert form["From"] == PATIENT and form["To"] == OUR_NUMBER and form["Body"] == "Yes, thanks"
    assert form["NumMedia"] == "0" and form["NumSegments"] == "1"
    assert form["SmsStatus"] == "received" and form["ApiVersion"] == "2010-04-01"
    assert form["FromZip"] == "" and form["AccountSid"] == fake.account_sid


def test_inbound_duplicate_reuses_message_sid(fake: FakeTwilio, receiver: Receiver) -> None:
    url = receiver.base_url + "/twilio/sms"
    first = fake.send_inbound(PATIENT, "1", url=url)
    again = fake.send_inbound(PATIENT, "1", url=url, message_sid=first.message_sid)
    got = receiver.received("/twilio/sms")
    assert again.message_sid == first.message_sid
    assert [r.form["MessageSid"] for r in got] == [first.message_sid] * 2


def test_inbound_with_wrong_token_is_rejected_by_the_app(receiver: Receiver) -> None:
    with FakeTwilio(auth_token="another-token") as other:
        result = other.send_inbound(PATIENT, "hi", url=receiver.base_url + "/twilio/sms")
    assert result.status == 403


def test_stop_blocks_sends_until_start(
    fake: FakeTwilio, client: Client, receiver: Receiver
) -> None:
    url = receiver.base_url + "/twilio/sms"
    stop = fake.send_inbound(PATIENT, " stop ", url=url)
    assert stop.auto_reply and "unsubscribed" in stop.auto_reply
    assert receiver.received("/twilio/sms")[0].form["Body"] == " stop "  # still forwarded
    try:
        _send(client, receiver)
        raise AssertionError("send after STOP was accepted")
    except TwilioRestException as exc:
        assert exc.code == 21610
    assert fake.send_inbound(PATIENT, "stop please", url=url).auto_reply is None
    assert fake.send_inbound(PATIENT, "START", url=url).auto_reply
    assert _send(client, receiver).startswith("SM")


def test_control_api_from_another_process_view(
    fake: FakeTwilio, client: Client, receiver: Receiver
) -> None:
    control = FakeTwilioControl(fake.base_url)
    assert control.health()
    control.configure(unsubscribed=[PATIENT], sms_url=receiver.base_url + "/twilio/sms")
    try:
        _send(client, receiver)
        raise AssertionError("send to an unsubscribed number was accepted")
    except TwilioRestException as exc:
        assert exc.code == 21610
    control.reset()
    sid = _send(client, receiver)
    assert control.wait_idle(10)
    [message] = control.messages(to=PATIENT)
    assert message["sid"] == sid and message["body"] == "Reminder"
    assert message["status"] == "delivered"
    assert message["status_callback"] == receiver.base_url + "/status"
    inbound = control.send_inbound(PATIENT, "NO", url=receiver.base_url + "/twilio/sms")
    assert inbound["status"] == 200 and inbound["message_sid"].startswith("SM")
    assert [c["status"] for c in control.callbacks()] == ["sent", "delivered"]


def test_stop_without_configured_numbers_blocks_any_sender(receiver: Receiver) -> None:
    with FakeTwilio(callback_delay_ms=1) as bare:
        client = make_client(bare.account_sid, bare.auth_token, bare.base_url)
        bare.send_inbound(PATIENT, "STOP", url=receiver.base_url + "/twilio/sms")
        try:
            client.messages.create(to=PATIENT, from_="+15550100042", body="x")
            raise AssertionError("send after STOP was accepted")
        except TwilioRestException as exc:
            assert exc.code == 21610
