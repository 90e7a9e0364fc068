"""`outreach panel import PATH...` (FHIR R4 Bulk ndjson or CSV) and `outreach panel fetch`."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import click

from bot import settings as settings_mod
from bot.errors import OutreachError


def _settings(require: frozenset[str] = settings_mod.DATABASE) -> settings_mod.Settings:
    try:
        return settings_mod.load(require=require)
    except OutreachError as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
def panel() -> None:
    """Patient panels from the EHR."""


def _enqueue(settings: settings_mod.Settings):  # type: ignore[no-untyped-def]
    """Wake the worker for patients whose conversation a met need ended (needs REDIS_URL)."""
    def enqueue(patient_ids: list[int]) -> None:
        if not settings.REDIS_URL:
            click.echo(f"{len(patient_ids)} conversation(s) to close: set REDIS_URL so a "
                       "worker closes them (the sweeper will otherwise)", err=True)
            return
        import redis

        from workers import queues

        queues.enqueue_process_patients(redis.Redis.from_url(settings.REDIS_URL), patient_ids)

    return enqueue


def run_import(settings: settings_mod.Settings, paths: list[Path]) -> int:
    """Import `paths`; prints problems as file:line: reason; returns the number of problems."""
    from bot.campaigns import service
    from bot.commands.pipeline import import_patients
    from bot.flows.loader import default_flows_dir, load_dir
    from bot.store.db import get_database

    flows = load_dir(settings.OUTREACH_FLOWS_DIR or default_flows_dir()).registry
    now = datetime.now(timezone.utc)
    try:
        result = service.import_ndjson(get_database(settings.DATABASE_URL), settings, flows,
                                       paths, now, _enqueue(settings))
    except OutreachError as exc:
        raise click.ClickException(str(exc)) from None
    report = result.report
    problems = list(report.problems)
    for csv_path in result.csv_files:
        imported, rows = import_patients(settings.DATABASE_URL, csv_path)
        problems += [f"{csv_path}:{line}: {why}" for line, why in rows]
        click.echo(f"{csv_path}: {imported} patient(s) imported")
    for problem in problems:
        click.echo(problem, err=True)
    click.echo(f"{report.lines} FHIR line(s): {report.changed} new or changed, "
               f"{report.unchanged} unchanged, {report.ignored} of other types; "
               f"{report.patients} patient(s) and {report.facts_changed} due fact(s) updated; "
               f"{result.resolver.cancelled} pending reminder(s) cancelled, "
               f"{result.resolver.resolved} conversation(s) resolved elsewhere; "
               f"{len(problems)} problem(s)")
    return len(problems)


@panel.command("import")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
def panel_import(paths: tuple[Path, ...]) -> None:
    """Import a FHIR Bulk Data export (a folder of <Type>.ndjson[.gz] files), single ndjson
    files, or a patients CSV. Bad lines are reported as file:line: reason; the rest imports.
    Importing the same files again changes nothing."""
    if run_import(_settings(), list(paths)):
        raise SystemExit(1)
