"""`outreach panel import PATH...` (FHIR R4 Bulk ndjson or CSV) and `outreach panel fetch`."""

from __future__ import annotations

from collections.abc import Callable
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


def _enqueue(settings: settings_mod.Settings) -> Callable[[list[int]], None]:
    """Wake the worker for patients whose conversation a met need ended (needs REDIS_URL)."""
    def enqueue(patient_ids: list[int]) -> None:
        if not settings.REDIS_URL:
            click.echo(f"{len(patient_ids)} conversation(s) to close: set REDIS_URL so a "
                       "worker closes them (the sweeper will otherwise)", err=True)
            return
        import redis

        from bot.services import queues

        queues.enqueue_process_patients(redis.Redis.from_url(settings.REDIS_URL), patient_ids)

    return enqueue


def run_import(settings: settings_mod.Settings, paths: list[Path]) -> int:
    """Import `paths`; prints problems as file:line: reason; returns the number of problems."""
    from bot.campaigns import service
    from bot.cli.pipeline import import_patients
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


def fetch_config(settings: settings_mod.Settings) -> object:
    """The Bulk Data client's configuration, or a clear error naming what is missing."""
    from bot.panel.bulk_client import FetchConfig

    key = None
    if settings.FHIR_PRIVATE_KEY_FILE:
        key = Path(settings.FHIR_PRIVATE_KEY_FILE).read_bytes()
    if not settings.FHIR_BEARER_TOKEN and not (settings.FHIR_CLIENT_ID and key):
        raise click.ClickException(
            "setting FHIR_CLIENT_ID and FHIR_PRIVATE_KEY_FILE (SMART Backend Services), or "
            "FHIR_BEARER_TOKEN: missing")
    return FetchConfig(base_url=settings.FHIR_BASE_URL or "", group_id=settings.FHIR_GROUP_ID or "",
                       client_id=settings.FHIR_CLIENT_ID, private_key_pem=key,
                       key_id=settings.FHIR_KEY_ID, token_url=settings.FHIR_TOKEN_URL,
                       bearer_token=settings.FHIR_BEARER_TOKEN, scope=settings.FHIR_SCOPE)


@panel.command("fetch")
@click.option("--since", default=None,
              help='Only resources changed since this time (ISO 8601), or "last" for the '
                   "previous export's transaction time.")
@click.option("--dest", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to put the files (default FHIR_EXPORT_DIR/<time>).")
@click.option("--import/--no-import", "do_import", default=True,
              help="Import the files once downloaded (default yes).")
def panel_fetch(since: str | None, dest: Path | None, do_import: bool) -> None:
    """Export the panel Group from the EHR (FHIR Bulk Data) and import it."""
    from bot.panel.bulk_client import BulkClient, BulkDataError

    settings = _settings(settings_mod.FHIR_FETCH)
    root = Path(settings.FHIR_EXPORT_DIR)
    marker = root / "last-transaction-time"
    if since == "last":
        since = marker.read_text().strip() if marker.exists() else None
    dest = dest or root / datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    try:
        result = BulkClient(fetch_config(settings)).fetch(dest, since)  # type: ignore[arg-type]
    except BulkDataError as exc:
        raise click.ClickException(str(exc)) from None
    for url in result.errors:
        click.echo(f"the EHR reported an error file: {url}", err=True)
    click.echo(f"downloaded {len(result.files)} file(s) to {dest}"
               + (f" (since {since})" if since else ""))
    if result.transaction_time:
        root.mkdir(parents=True, exist_ok=True)
        marker.write_text(result.transaction_time + "\n")
    if do_import and result.files and run_import(settings, [dest]):
        raise SystemExit(1)
