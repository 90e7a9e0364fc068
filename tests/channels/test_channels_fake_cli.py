"""`outreach fake-twilio` as a process: URL on stdout's first line, clean exit on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from bot.channels.twilio_client import make_client
from bot.channels.twilio_sms import SendOutcome, send_sms
from bot.devtools.fake_twilio import FAKE_ACCOUNT_SID, FAKE_AUTH_TOKEN
from bot.devtools.fake_twilio_control import FakeTwilioControl


def test_cli_serves_and_stops_on_sigterm() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli.main", "fake-twilio", "--port", "0", "--phone-number",
         "+15550100001", "--landline", "+15550103333", "--callback-delay-ms", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        base_url = process.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:")
        client = make_client(FAKE_ACCOUNT_SID, FAKE_AUTH_TOKEN, base_url)
        result = send_sms(client, to="+15550103333", body="hi", from_number="+15550100001",
                          status_callback="http://127.0.0.1:9/status")
        assert result.outcome is SendOutcome.SENT
        control = FakeTwilioControl(base_url)
        assert control.wait_idle(10)
        [message] = control.messages()
        assert message["status"] == "undelivered" and message["error_code"] == 30006
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=20)
    assert code == 0
    assert "stopped" in process.stderr.read()
