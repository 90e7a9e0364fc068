"""`outreach flows check|graph|test`."""

from __future__ import annotations

import click


@click.group()
def flows() -> None:
    """Check, draw and test conversation flows."""
