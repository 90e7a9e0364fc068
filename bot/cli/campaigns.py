"""`outreach campaigns check|plan|run-due|advance`: date-relative campaigns from the panel."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from bot import settings as settings_mod
from bot.errors import OutreachError


def _settings(require: frozenset[str] = settings_mod.DATABASE) -> settings_mod.Settings:
    try:
        return settings_mod.load(require=require)
    except OutreachError as exc:
        raise click.ClickException(str(exc)) from None


def _flows(settings: settings_mod.Settings) -> object:
    from bot.flows.loader import default_flows_dir, load_dir

    return load_dir(settings.OUTREACH_FLOWS_DIR or default_flows_dir()).registry


def parse_at(value: str | None) -> datetime:
    """`--at` as an aware UTC time (ISO 8601; no offset means UTC); now when absent."""
    if not value:
        return datetime.now(timezone.utc)
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO time such as 2026-03-03T15:00Z",
                                 param_hint="--at") from None
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)


@click.group()
def campaigns() -> None:
    """Campaigns anchored on panel dates (conversation_flows/campaigns/*.yaml)."""


@campaigns.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def check(paths: tuple[Path, ...]) -> None:
    """Check campaign files (default: the campaigns folder). Exits 1 on any error."""
    from bot.campaigns.loader import load_paths
    from bot.campaigns.pilot import stage_label
    from bot.campaigns.schema import describe_offset
    from bot.campaigns.service import campaigns_dir

    settings = _settings(frozenset())
    result = load_paths(list(paths) or [campaigns_dir(settings)], _flows(settings))
    for issue in result.issues:
        click.echo(str(issue), err=issue.severity == "error")
    for c in result.campaigns.values():
        when = ", ".join(describe_offset(o) for o in c.offsets)
        if c.every_days:
            when += f", then every {c.every_days} days"
        click.echo(f"ok  {c.name}: {c.flow} for {c.audience}, {when} at "
                   f"{c.send_at:%H:%M} local, {c.start_mode}; pilot: "
                   f"{stage_label(c, 0)}  ({c.path})")
    if result.errors:
        click.echo(f"{len(result.errors)} error(s)", err=True)
        sys.exit(1)


def _enqueue(settings: settings_mod.Settings) -> Callable[[list[int]], None]:
    import redis

    from bot.services import queues

    conn = redis.Redis.from_url(settings.REDIS_URL or "")

    def enqueue(patient_ids: list[int]) -> None:
        queues.enqueue_process_patients(conn, patient_ids)

    return enqueue


@campaigns.command("run-due")
@click.option("--at", "at", default=None, help="Run the pass as of this time (ISO 8601).")
def run_due(at: str | None) -> None:
    """Run one scheduler pass: plan fires, start the due ones (the cron job's work)."""
    from bot.campaigns import service
    from bot.store.db import get_database

    settings = _settings(frozenset({"DATABASE_URL", "REDIS_URL"}))
    now = parse_at(at)
    flows = _flows(settings)
    try:
        sched = service.scheduler(get_database(settings.DATABASE_URL), settings, flows,
                                  _enqueue(settings))
    except OutreachError as exc:
        raise click.ClickException(str(exc)) from None
    total = None
    while total is None or total.more:
        report = sched.run_due(now, sync=total is None)
        if total is None:
            total = report
        else:
            for name in ("enrolled", "skipped", "cancelled", "waiting", "batches"):
                setattr(total, name, getattr(total, name) + getattr(report, name))
            total.more = report.more
            for reason, n in report.reasons.items():
                total.reasons[reason] = total.reasons.get(reason, 0) + n
    click.echo(f"pass at {now.isoformat()}: {total.enrolled} enrolled, {total.skipped} "
               f"skipped, {total.cancelled} cancelled, {total.waiting} waiting "
               f"({total.batches} batch(es))")
    for reason, n in sorted(total.reasons.items()):
        click.echo(f"  {n} {reason}")


@campaigns.command("plan")
@click.argument("name", required=False)
@click.option("--days", type=click.IntRange(min=0), default=None,
              help="How many days ahead to look (default 14).")
@click.option("--at", "at", default=None, help="Preview as of this time (ISO 8601).")
def plan(name: str | None, days: int | None, at: str | None) -> None:
    """Preview who gets which campaign, when (their local time) and why; and who is skipped."""
    from bot import defaults
    from bot.campaigns import service
    from bot.campaigns.plan import plan_campaign
    from bot.store.db import get_database

    settings = _settings()
    flows = _flows(settings)
    try:
        chosen = service.scheduler(get_database(settings.DATABASE_URL), settings, flows,
                                   lambda ids: None, [name] if name else None).campaigns
    except OutreachError as exc:
        raise click.ClickException(str(exc)) from None
    now = parse_at(at)
    console = Console(width=160)
    for campaign in chosen.values():
        rows = plan_campaign(get_database(settings.DATABASE_URL), campaign,
                             flows.get(campaign.flow), now,  # type: ignore[attr-defined]
                             days if days is not None else defaults.CAMPAIGN_PLAN_DAYS,
                             settings.DEFAULT_TIMEZONE)
        table = Table(title=f"{campaign.name}: {len(rows)} planned")
        for col in ("when (local)", "patient", "channel", "what", "why"):
            table.add_column(col)
        for r in rows:
            what = "start" if r.action == "start" else f"{r.action}: {r.reason}"
            table.add_row(r.local_time, r.patient, r.channel, what, r.why)
        console.print(table)


@campaigns.command("advance")
@click.argument("name")
@click.option("--by", "by", default="cli", help="Who approves the next stage (recorded).")
def advance(name: str, by: str) -> None:
    """Open the next pilot stage of campaign NAME after the team reviewed this one."""
    from bot.campaigns import pilot, service
    from bot.store.db import get_database

    settings = _settings()
    flows = _flows(settings)
    try:
        campaign = service.scheduler(get_database(settings.DATABASE_URL), settings, flows,
                                     lambda ids: None, [name]).campaigns[name]
        with get_database(settings.DATABASE_URL).session() as s:
            stage = pilot.advance(s, campaign, by, datetime.now(timezone.utc))
    except OutreachError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"campaign {name}: now at {pilot.stage_label(campaign, stage)}")
