"""`outreach fake-twilio`: run the local Twilio stand-in as a process.

Prints its base URL as the first line of stdout (so a parent process can read it), then serves
until SIGTERM or SIGINT, and exits 0 after a clean shutdown.
"""

from __future__ import annotations

import signal
import sys
import threading

import click

from bot.devtools.fake_twilio import FAKE_ACCOUNT_SID, FAKE_AUTH_TOKEN, FakeTwilio


@click.command("fake-twilio")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=0, show_default=True, help="Port to bind (0: a free one).")
@click.option("--account-sid", envvar="TWILIO_ACCOUNT_SID", default=FAKE_ACCOUNT_SID,
              show_default=True, help="Account sid accepted (env TWILIO_ACCOUNT_SID).")
@click.option("--auth-token", envvar="TWILIO_AUTH_TOKEN", default=FAKE_AUTH_TOKEN,
              help="Auth token accepted and used to sign webhooks (env TWILIO_AUTH_TOKEN).")
@click.option("--phone-number", "phone_numbers", multiple=True, envvar="TWILIO_FROM_NUMBER",
              help="Our number(s); sends From any other number get 21606. Repeatable.")
@click.option("--sms-url", envvar="FAKE_TWILIO_SMS_URL",
              help="The app's inbound SMS webhook, for /_fake/inbound.")
@click.option("--latency-ms", default=0, show_default=True, help="Delay per REST request.")
@click.option("--callback-delay-ms", default=20, show_default=True,
              help="Delay before each status callback.")
@click.option("--shuffle-callbacks", is_flag=True, help="Deliver status callbacks out of order.")
@click.option("--duplicate-callbacks", is_flag=True, help="Deliver every status callback twice.")
@click.option("--unsubscribed", multiple=True, help="Number answering 21610 at create.")
@click.option("--invalid", multiple=True, help="Number answering 21211 at create.")
@click.option("--not-mobile", multiple=True, help="Number answering 21614 at create.")
@click.option("--landline", multiple=True, help="Number accepted, then undelivered 30006.")
@click.option("--rate-limit-burst", default=0, help="The next N creates answer 429 (20429).")
@click.option("--server-errors", default=0, help="The next N creates answer 500.")
def fake_twilio(
    host: str, port: int, account_sid: str, auth_token: str, phone_numbers: tuple[str, ...],
    sms_url: str | None, latency_ms: int, callback_delay_ms: int, shuffle_callbacks: bool,
    duplicate_callbacks: bool, unsubscribed: tuple[str, ...], invalid: tuple[str, ...],
    not_mobile: tuple[str, ...], landline: tuple[str, ...], rate_limit_burst: int,
    server_errors: int,
) -> None:
    """Run the local Twilio stand-in (for demos and tests); steer it under /_fake/."""
    if isinstance(phone_numbers, str):  # a single value from the environment
        phone_numbers = (phone_numbers,)
    fake = FakeTwilio(
        account_sid, auth_token, host=host, port=port, sms_url=sms_url,
        phone_numbers=[n for n in phone_numbers if n],
        latency_ms=latency_ms, callback_delay_ms=callback_delay_ms,
        shuffle_callbacks=shuffle_callbacks, duplicate_callbacks=duplicate_callbacks,
        unsubscribed=list(unsubscribed), invalid=list(invalid), not_mobile=list(not_mobile),
        landline=list(landline), rate_limit_burst=rate_limit_burst, server_errors=server_errors,
    )
    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    click.echo(fake.start())
    sys.stdout.flush()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        fake.stop()
        click.echo("fake-twilio stopped", err=True)
