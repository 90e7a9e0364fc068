"""`outreach simulate NAME`: chat with a flow in the terminal."""

from __future__ import annotations

import click


@click.command()
@click.argument("name")
def simulate(name: str) -> None:
    """Chat with flow NAME in the terminal."""
    raise click.ClickException("not built yet")
