"""One base class for every error the product raises on purpose.

Flow-content problems are not exceptions: the loader reports them as `Issue` records with
path:line:col. These classes are for misuse by a caller and for configuration that cannot work.
"""

from __future__ import annotations


class OutreachError(Exception):
    """Base class for errors raised by care-outreach itself."""


class SettingsError(OutreachError):
    """A setting is missing or malformed; the message names it in one line."""


class FlowError(OutreachError):
    """A flow could not be loaded; `issues` holds the path:line:col reports."""

    def __init__(self, message: str, issues: list | None = None) -> None:
        super().__init__(message)
        self.issues = issues or []


class UnknownFlow(OutreachError):
    """No flow (or no such version) is loaded under that name."""


class EngineError(OutreachError):
    """The engine was called in a way that cannot work (a bug in the caller, not in a flow)."""


class TransientSendError(OutreachError):
    """Sending failed in a way worth retrying later (429, 5xx, network)."""
