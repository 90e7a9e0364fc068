"""`outreach fake-twilio`: run the local Twilio stand-in."""

from __future__ import annotations

import click


@click.command("fake-twilio")
def fake_twilio() -> None:
    """Run the local Twilio stand-in (for demos and tests)."""
    raise click.ClickException("not built yet")
