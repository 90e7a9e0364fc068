"""`outreach users add EMAIL --role ROLE`."""

from __future__ import annotations

import click


@click.group()
def users() -> None:
    """Staff accounts."""
