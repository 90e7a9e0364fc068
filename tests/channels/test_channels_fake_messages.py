"""The stand-in's Messages API, driven by the real twilio client over HTTP."""

from __future__ import annotations

import threading

import pytest
from channels_support import OUR_NUMBER, Receiver
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from bot.channels.twilio_client import make_client
from bot.devtools.fake_twilio import FakeTwilio
from bot.devtools.fake_twilio_control import FakeTwilioControl

PATIENT = "+15550109999"


def test_create_fetch_and_list(fake: FakeTwilio, client: Client, receiver: Receiver) -> None:
    body = "Your refill is ready. Reply YES or NO. €" + "x" * 150
    message = client.messages.create(
        to=PATIENT, from_=OUR_NUMBER, body=body, status_callback=receiver.base_url + "/status"
    )
    assert message.sid.startswith("SM") and len(message.sid) == 34
    assert message.status == "queued"
    assert message.num_segments == "2"
    assert message.date_created is not None and message.date_created.tzinfo is not None
    assert fake.wait_idle(10)
    fetched = client.messages(message.sid).fetch()
    assert fetched.status == "delivered"
    assert fetched.date_sent is not None
    assert [m.sid for m in client.messages.list(to=PATIENT)] == [message.sid]
    assert client.messages.list(to="+15550108888") == []
    assert client.messages.list(from_=OUR_NUMBER, date_sent=fetched.date_sent)[0].sid == message.sid


def test_list_pages_like_twilio(fake: FakeTwilio, client: Client) -> None:
    sids = {
        client.messages.create(to=PATIENT, from_=OUR_NUMBER, body=f"n{i}").sid for i in range(7)
    }
    page = client.messages.page(to=PATIENT, page_size=3)
    assert page.next_page_url is not None
    assert len(list(page)) == 3
    assert {m.sid for m in client.messages.stream(to=PATIENT, page_size=3)} == sids


def test_fetch_unknown_sid_is_20404(client: Client) -> None:
    with pytest.raises(TwilioRestException) as caught:
        client.messages("SM" + "0" * 32).fetch()
    assert caught.value.status == 404 and caught.value.code == 20404


def test_wrong_credentials_get_401_with_twilio_error(fake: FakeTwilio) -> None:
    intruder = make_client(fake.account_sid, "wrong-token", fake.base_url)
    with pytest.raises(TwilioRestException) as caught:
        intruder.messages.create(to=PATIENT, from_=OUR_NUMBER, body="hi")
    assert caught.value.status == 401 and caught.value.code == 20003
    assert fake.messages() == []


@pytest.mark.parametrize(
    ("setting", "number", "code"),
    [
        ("unsubscribed", "+15550102001", 21610),
        ("invalid", "+15550102002", 21211),
        ("not_mobile", "+15550102003", 21614),
        (None, "5550102004", 21211),  # not E.164
        (None, "+15005550004", 21610),  # Twilio's magic test numbers
        (None, "+15005550009", 21614),
    ],
)
def test_create_errors_raise_with_code(
    fake: FakeTwilio, client: Client, setting: str | None, number: str, code: int
) -> None:
    if setting:
        fake.configure(**{setting: [number]})
    with pytest.raises(TwilioRestException) as caught:
        client.messages.create(to=number, from_=OUR_NUMBER, body="hi")
    assert caught.value.code == code and caught.value.status == 400
    assert fake.messages() == []


def test_validation_errors(client: Client) -> None:
    with pytest.raises(TwilioRestException) as caught:
        client.messages.create(to=PATIENT, from_="+15550100999", body="hi")
    assert caught.value.code == 21606
    with pytest.raises(TwilioRestException) as caught:
        client.messages.create(to=PATIENT, from_=OUR_NUMBER, body="x" * 1601)
    assert caught.value.code == 21617


def test_429_burst_then_success(fake: FakeTwilio, client: Client) -> None:
    fake.configure(rate_limit_burst=3)
    for _ in range(3):
        with pytest.raises(TwilioRestException) as caught:
            client.messages.create(to=PATIENT, from_=OUR_NUMBER, body="hi")
        assert caught.value.status == 429 and caught.value.code == 20429
    assert client.messages.create(to=PATIENT, from_=OUR_NUMBER, body="hi").status == "queued"
    assert len(fake.messages()) == 1


def test_server_error_then_success(fake: FakeTwilio, client: Client) -> None:
    fake.configure(server_errors=1)
    with pytest.raises(TwilioRestException) as caught:
        client.messages.create(to=PATIENT, from_=OUR_NUMBER, body="hi")
    assert caught.value.status == 500
    assert client.messages.create(to=PATIENT, from_=OUR_NUMBER, body="hi").sid


def test_messaging_service_send(fake: FakeTwilio, client: Client) -> None:
    message = client.messages.create(
        to=PATIENT, messaging_service_sid="MG" + "1" * 32, body="hello"
    )
    assert message.status == "accepted" and message.num_segments == "0"
    assert fake.wait_idle(10)
    fetched = client.messages(message.sid).fetch()
    assert fetched.status == "delivered" and fetched.from_ == OUR_NUMBER
    assert fetched.num_segments == "1"


def test_the_stand_in_reports_a_create_in_flight(fake: FakeTwilio, client: Client) -> None:
    """A test can act while a send is on the wire by waiting on this, not on a sleep."""
    fake.configure(latency_ms=60_000)
    sender = threading.Thread(target=lambda: client.messages.create(
        to=PATIENT, from_=OUR_NUMBER, body="slow"), daemon=True)
    try:
        sender.start()
        assert fake.wait_creates(received=1, in_flight=1, timeout=10)
        assert fake.creates() == {"received": 1, "in_flight": 1}
        assert fake.messages() == []  # held: not carried out yet
        control = FakeTwilioControl(fake.base_url)
        assert control.wait_creates(in_flight=1, timeout=1)
        assert not control.wait_creates(received=2, timeout=0.2)
    finally:
        fake.stop()  # ends the held request's latency at once
        sender.join(timeout=10)
    assert not sender.is_alive()


def test_callbacks_before_the_answer_reach_the_app_before_the_sid_does(
        fake: FakeTwilio, client: Client, receiver: Receiver) -> None:
    fake.configure(callbacks_before_answer=True, callback_delay_ms=0)
    message = client.messages.create(to=PATIENT, from_=OUR_NUMBER, body="hi",
                                      status_callback=receiver.base_url + "/status")
    # By the time the client holds the sid, every status callback has been answered.
    statuses = [r.form["MessageStatus"] for r in receiver.received("/status")]
    assert statuses == ["sent", "delivered"]
    assert {r.form["MessageSid"] for r in receiver.received("/status")} == {message.sid}
