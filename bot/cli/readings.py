"""`outreach readings export`: patients' readings, one CSV row per reading, for the registry."""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import click

from bot import settings as settings_mod
from bot.errors import OutreachError
from bot.store.db import get_database
from bot.understanding.readings import READING_KINDS


@click.group()
def readings() -> None:
    """Readings patients sent (blood pressure, glucose, weight ...)."""


@readings.command("export")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Only readings recorded on or after this day (UTC), YYYY-MM-DD.")
@click.option("--kind", type=click.Choice(READING_KINDS), default=None, help="Only this kind of reading.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
def readings_export(since: datetime | None, kind: str | None, output: Path | None) -> None:
    """Export readings as CSV: ids, kind, time, values with units; never phone numbers."""
    from bot.services.readings_export import export_rows, write_csv

    try:
        settings = settings_mod.load(require=settings_mod.DATABASE)
    except OutreachError as exc:
        raise click.ClickException(str(exc)) from None
    start = since.replace(tzinfo=timezone.utc) if since else None
    with get_database(settings.DATABASE_URL).session() as s:
        if output is None:
            count = write_csv(export_rows(s, since=start, kind=kind), sys.stdout)
        else:
            with output.open("w", encoding="utf-8", newline="") as out:
                count = write_csv(export_rows(s, since=start, kind=kind), out)
    click.echo(f"{count} reading(s) exported", err=True)
