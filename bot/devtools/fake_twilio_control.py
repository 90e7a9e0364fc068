"""Steer a stand-in running in another process through its /_fake/ control API.

Used by end-to-end tests, `make demo` and benchmarks that start `outreach fake-twilio` as a
process; it mirrors the in-process methods of `FakeTwilio`.
"""

from __future__ import annotations

from typing import Any

import requests


class FakeTwilioControl:
    def __init__(self, base_url: str, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def _call(self, method: str, path: str, json: Any = None, **params: Any) -> Any:
        response = requests.request(
            method, f"{self.base_url}/_fake/{path}", json=json, params=params or None,
            timeout=self.timeout,
        )
        response.raise_for_status()
        return response.json()

    def health(self) -> bool:
        return bool(self._call("GET", "health").get("ok"))

    def messages(self, to: str | None = None) -> list[dict[str, Any]]:
        params = {"to": to} if to else {}
        return self._call("GET", "messages", **params)["messages"]

    def calls(self) -> list[dict[str, Any]]:
        return self._call("GET", "calls")["calls"]

    def callbacks(self) -> list[dict[str, Any]]:
        return self._call("GET", "callbacks")["callbacks"]

    def configure(self, **changes: Any) -> dict[str, Any]:
        return self._call("POST", "config", json=changes)

    def reset(self) -> None:
        self._call("POST", "reset")

    def set_call_script(self, to: str, script: dict[str, Any]) -> None:
        self._call("POST", "call-scripts", json={to: script})

    def send_inbound(
        self, from_: str, body: str, *, to: str | None = None, url: str | None = None,
        message_sid: str | None = None,
    ) -> dict[str, Any]:
        """Deliver a signed inbound SMS webhook; returns {status, body, message_sid, auto_reply}."""
        payload = {"from": from_, "body": body, "to": to, "url": url, "message_sid": message_sid}
        return self._call("POST", "inbound", json={k: v for k, v in payload.items() if v})

    def wait_idle(self, timeout: float = 10.0) -> bool:
        return bool(self._call("GET", "idle", timeout=timeout)["idle"])

    def wait_creates(self, *, received: int = 0, in_flight: int = 0,
                     timeout: float = 10.0) -> bool:
        """See `FakeTwilio.wait_creates`."""
        answer = self._call("GET", "creates", received=received, in_flight=in_flight,
                            timeout=timeout)
        return bool(answer["reached"])
