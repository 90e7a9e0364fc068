"""`outreach results`: what outreach achieved, for people and for other tools.

`export` writes one row per enrolment (CSV or Parquet) to a file or standard output;
`summary` prints the funnel and its breakdowns, the same numbers as the `/results` page.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from bot import settings as settings_mod
from bot.errors import OutreachError
from bot.services import results
from bot.services import results_export as export
from bot.store.db import get_database


def _database_url() -> str:
    try:
        return settings_mod.load(require=settings_mod.DATABASE).DATABASE_URL
    except OutreachError as exc:
        raise click.ClickException(str(exc)) from None


@click.group("results")
def results_group() -> None:
    """Outcomes of campaigns: exports and summaries."""


@results_group.command("export")
@click.option("--campaign", default=None, help="Only enrolments in this campaign.")
@click.option("--flow", default=None, help="Only enrolments in this flow.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Only enrolments from this day on (YYYY-MM-DD, UTC).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Only enrolments up to and including this day.")
@click.option("--format", "fmt", type=click.Choice(export.FORMATS), default="csv",
              show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write here (default: standard output; Parquet needs a file).")
@click.option("--include-contact", "contact_by", default=None, metavar="YOUR_EMAIL",
              help="Add phone numbers and the patient's replies; names who asked (audited).")
def export_command(campaign: str | None, flow: str | None, since: datetime | None,
                   until: datetime | None, fmt: str, output: Path | None,
                   contact_by: str | None) -> None:
    """One row per enrolment, with an external patient reference and no phone numbers or
    message text unless --include-contact is given."""
    filters = results.Filters(since=since.date() if since else None,
                              until=until.date() if until else None,
                              campaign=campaign, flow=flow)
    request = export.ExportRequest(filters, with_contact=bool(contact_by),
                                   requested_by=contact_by)
    now = datetime.now(timezone.utc)
    with get_database(_database_url()).session() as s:
        if fmt == "parquet":
            if output is None:
                raise click.UsageError("--format parquet needs --output FILE")
            written = export.write_parquet(output, s, request, now)
        elif output is None:
            written = export.write_csv(sys.stdout, s, request, now)
        else:
            with output.open("w", encoding="utf-8", newline="") as out:
                written = export.write_csv(out, s, request, now)
    if output is not None:
        click.echo(f"{written} enrolment(s) written to {output}", err=True)


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def print_summary(console: Console, database_url: str, filters: results.Filters) -> None:
    """The funnel, per campaign and per language (what the demo prints at the end)."""
    with get_database(database_url).read() as s:
        total = results.funnel(s, filters)
        groups = [(dim, results.breakdown(s, filters, dim)) for dim in ("campaign", "language")]
    table = Table(title=f"Results: {total.enrolled} enrolment(s)")
    for col in ("group", "enrolled", "reached", "replied", "success", "opted out", "escalated"):
        table.add_column(col)

    def add(name: str, f: results.Funnel) -> None:
        table.add_row(name, str(f.enrolled), f"{f.reached} ({_pct(f.reached, f.enrolled)})",
                      f"{f.replied} ({_pct(f.replied, f.enrolled)})",
                      f"{f.success} ({_pct(f.success, f.enrolled)})", str(f.opted_out),
                      str(f.escalated))

    add("all", total)
    for dim, rows in groups:
        for value, f in rows:
            add(f"{dim}: {value}", f)
    console.print(table)


@results_group.command("summary")
@click.option("--campaign", default=None)
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None)
def summary_command(campaign: str | None, since: datetime | None) -> None:
    """The funnel enrolled -> reached -> replied -> success, per campaign and language."""
    filters = results.Filters(since=since.date() if since else None, campaign=campaign)
    # Piped (the demo, a log), the table keeps a readable width instead of 80 columns.
    print_summary(Console(width=None if sys.stdout.isatty() else 120), _database_url(), filters)



