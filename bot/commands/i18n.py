"""`outreach i18n extract|update|compile|check|status`."""

from __future__ import annotations

import click


@click.group()
def i18n() -> None:
    """Translation catalogs."""
