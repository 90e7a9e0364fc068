"""send_sms, classify_error and reconciliation against the stand-in over HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from channels_support import OUR_NUMBER, Receiver
from twilio.rest import Client

from bot.channels.twilio_client import RebasedHttpClient, make_client
from bot.channels.twilio_sms import (
    SendOutcome,
    classify_error,
    find_sent,
    list_recent,
    send_sms,
)
from bot.devtools.fake_twilio import FakeTwilio

PATIENT = "+15550105555"


@pytest.mark.parametrize(
    ("code", "http_status", "outcome"),
    [
        (21610, 400, SendOutcome.OPTED_OUT),
        (21211, 400, SendOutcome.INVALID_NUMBER),
        (30005, None, SendOutcome.INVALID_NUMBER),
        (21614, 400, SendOutcome.NOT_MOBILE),
        (30006, None, SendOutcome.NOT_MOBILE),
        (30004, None, SendOutcome.BLOCKED),
        (30007, None, SendOutcome.BLOCKED),
        (30034, None, SendOutcome.BLOCKED),
        (30003, None, SendOutcome.RETRY),
        (30008, None, SendOutcome.RETRY),
        (20429, 429, SendOutcome.RETRY),
        (None, 503, SendOutcome.RETRY),
        (None, None, SendOutcome.RETRY),
        (21617, 400, SendOutcome.FAILED),
        (None, 400, SendOutcome.FAILED),
    ],
)
def test_classify_error(code: int | None, http_status: int | None, outcome: SendOutcome) -> None:
    assert classify_error(code, http_status) is outcome
    assert isinstance(outcome.value, str) and outcome == outcome.value


def _send(client: Client, receiver: Receiver, to: str = PATIENT, body: str = "Hello") -> object:
    return send_sms(
        client, to=to, body=body, status_callback=receiver.base_url + "/status",
        from_number=OUR_NUMBER,
    )


def test_send_sms_success(fake: FakeTwilio, client: Client, receiver: Receiver) -> None:
    result = _send(client, receiver)
    assert result.ok and result.sid.startswith("SM") and result.status == "queued"
    assert result.num_segments == 1 and not result.uncertain
    [sent] = fake.messages()
    assert sent["status_callback"] == receiver.base_url + "/status"


@pytest.mark.parametrize(
    ("setting", "outcome"),
    [
        ("unsubscribed", SendOutcome.OPTED_OUT),
        ("invalid", SendOutcome.INVALID_NUMBER),
        ("not_mobile", SendOutcome.NOT_MOBILE),
    ],
)
def test_send_sms_refusals(
    fake: FakeTwilio, client: Client, receiver: Receiver, setting: str, outcome: SendOutcome
) -> None:
    fake.configure(**{setting: [PATIENT]})
    result = _send(client, receiver)
    assert result.outcome is outcome and result.sid is None and not result.uncertain


def test_send_sms_429_and_500_are_retry(fake: FakeTwilio, client: Client, receiver: Receiver) -> None:
    fake.configure(rate_limit_burst=1, server_errors=1)
    first, second = _send(client, receiver), _send(client, receiver)
    assert {first.http_status, second.http_status} == {429, 500}
    assert first.outcome is second.outcome is SendOutcome.RETRY
    assert [r.uncertain for r in (first, second) if r.http_status == 500] == [True]
    assert _send(client, receiver).ok


def test_lost_response_is_uncertain_and_reconciled(
    fake: FakeTwilio, client: Client, receiver: Receiver
) -> None:
    since = datetime.now(timezone.utc)
    fake.configure(lost_responses=1)
    result = _send(client, receiver, body="Your appointment is tomorrow")
    assert result.outcome is SendOutcome.RETRY and result.uncertain
    # Twilio did create it: a worker must find it instead of sending again.
    found = find_sent(client, PATIENT, "Your appointment is tomorrow", since)
    assert found is not None and found.sid == fake.messages()[0]["sid"]
    assert find_sent(client, PATIENT, "Another text", since) is None


def test_list_recent_stops_at_since(fake: FakeTwilio, client: Client, receiver: Receiver) -> None:
    for i in range(3):
        _send(client, receiver, body=f"m{i}")
    _send(client, receiver, to="+15550106666")
    recent = list_recent(client, PATIENT, datetime.now(timezone.utc) - timedelta(minutes=1))
    assert sorted(m.body for m in recent) == ["m0", "m1", "m2"]
    assert list_recent(client, PATIENT, datetime.now(timezone.utc) + timedelta(minutes=1)) == []


def test_network_error_is_uncertain_retry() -> None:
    dead = make_client("AC" + "1" * 32, "token", "http://127.0.0.1:9")
    result = send_sms(dead, to=PATIENT, body="x", status_callback="http://127.0.0.1:9/s",
                      from_number=OUR_NUMBER)
    assert result.outcome is SendOutcome.RETRY and result.uncertain


def test_rebased_client_rewrites_scheme_and_host() -> None:
    with pytest.raises(ValueError):
        RebasedHttpClient("127.0.0.1:8080")
    client = make_client("AC" + "1" * 32, "token", None)
    assert not isinstance(client.http_client, RebasedHttpClient)
    assert client.edge is None and client.region is None
    assert isinstance(make_client("AC" + "1" * 32, "t", "http://x:1").http_client, RebasedHttpClient)


def test_send_requires_a_sender(client: Client) -> None:
    with pytest.raises(ValueError):
        send_sms(client, to=PATIENT, body="x", status_callback="http://127.0.0.1:9/s")
