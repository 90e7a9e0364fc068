"""Build the twilio REST client, optionally aimed at another base URL (the local stand-in).

TWILIO_API_BASE_URL is the only switch between Twilio and the stand-in: the same client and
the same code paths run in both cases. The switch is a TwilioHttpClient that rewrites the
scheme and host of every request, so every Twilio domain (api, messaging, lookups...) is
covered, not only `client.api`. Edge and region stay unset: with them the client rebuilds the
host name and would mangle a localhost URL.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit, urlunsplit

from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

#: The twilio HTTP client logs full requests (phone numbers, message bodies) at INFO; give it a
#: logger of its own held at WARNING so an app-wide INFO level never writes PHI to the logs.
_http_log = logging.getLogger("bot.channels.twilio_http")
_http_log.setLevel(logging.WARNING)

#: Seconds the client waits for Twilio before giving up on a request (connect and read).
REQUEST_TIMEOUT_SECONDS = 15.0


class RebasedHttpClient(TwilioHttpClient):
    """A TwilioHttpClient that sends every request to `base_url` instead of *.twilio.com."""

    def __init__(self, base_url: str, timeout: float = REQUEST_TIMEOUT_SECONDS) -> None:
        super().__init__(timeout=timeout, logger=_http_log)
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("TWILIO_API_BASE_URL must look like http://host:port")
        self._scheme, self._netloc = parts.scheme, parts.netloc
        self._prefix = parts.path.rstrip("/")

    def request(  # type: ignore[override]
        self, method: str, url: str, params: object = None, data: object = None,
        headers: dict | None = None, auth: tuple[str, str] | None = None,
        timeout: float | None = None, allow_redirects: bool = False,
    ) -> Response:
        parts = urlsplit(url)
        rebased = urlunsplit(
            (self._scheme, self._netloc, self._prefix + parts.path, parts.query, parts.fragment)
        )
        return super().request(
            method, rebased, params=params, data=data, headers=headers, auth=auth,
            timeout=timeout, allow_redirects=allow_redirects,
        )


def make_client(account_sid: str, auth_token: str, api_base_url: str | None = None) -> Client:
    """The twilio Client the product uses; `api_base_url` (TWILIO_API_BASE_URL) re-aims it."""
    if api_base_url:
        return Client(account_sid, auth_token, http_client=RebasedHttpClient(api_base_url))
    http_client = TwilioHttpClient(timeout=REQUEST_TIMEOUT_SECONDS, logger=_http_log)
    return Client(account_sid, auth_token, http_client=http_client)
