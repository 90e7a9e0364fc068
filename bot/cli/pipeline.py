"""`outreach db upgrade`, `patients import`, `campaign start`, `tasks list`, `conversations show`.

The patients CSV (its columns, and why a file is imported whole or not at all) is described in
`bot.panel.patients_csv`.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from sqlalchemy import exists, select

from bot import defaults, metrics
from bot import settings as settings_mod
from bot.errors import OutreachError
from bot.flows import variants
from bot.panel import patients_csv
from bot.store import enrolments, rows
from bot.store import repositories as repo
from bot.store.db import get_database
from bot.store.models import (
    CONSENT_GRANTED,
    Conversation,
    FollowUpTask,
    InboxEvent,
    Message,
    Patient,
)

KNOWN_COLUMNS = ("phone", "first_name", "last_name", "external_ref", "preferred_language",
                 "timezone", "consent")


def _settings(require: frozenset[str] = settings_mod.DATABASE) -> settings_mod.Settings:
    try:
        return settings_mod.load(require=require)
    except OutreachError as exc:
        raise click.ClickException(str(exc)) from None


# --- db ---------------------------------------------------------------------------------------

@click.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration (safe to run on every release)."""
    from bot.store.migrate import current, upgrade

    url = _settings().DATABASE_URL
    upgrade(url)
    click.echo(f"database at revision {current(url)}")


# --- patients ---------------------------------------------------------------------------------

def import_patients(url: str, path: Path) -> tuple[int, list[tuple[int, str]]]:
    """Import `path` whole or not at all; returns (rows imported, [(line, problem)])."""
    result = patients_csv.import_patients(url, path, datetime.now(timezone.utc))
    return result.imported, result.problems


@click.group()
def patients() -> None:
    """Patient records."""


@patients.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def patients_import(file: Path) -> None:
    """Import patients from FILE.csv, whole or not at all."""
    imported, problems = import_patients(_settings().DATABASE_URL, file)
    for line in patients_csv.describe(problems, file):
        click.echo(line, err=True)
    if problems:
        click.echo(f"nothing imported: {len(problems)} problem(s); fix them and import the file "
                   "again", err=True)
        raise SystemExit(1)
    click.echo(f"imported {imported} patient(s)")


# Click keeps the help it read when the command was made; "\b" keeps the column list as laid out.
patients_import.help = (patients_import.help or "") + "\n\n" + "\n\n".join(
    "\b\n" + part for part in (patients_csv.__doc__ or "").split("\n\n")[1:])


# --- campaign ---------------------------------------------------------------------------------

#: How a CSV cell holds a list (e.g. appointment `slots`).
LIST_SEPARATOR = defaults.CSV_LIST_SEPARATOR


def flow_context(patient: Patient, flow: Any) -> dict[str, Any] | None:
    """What flow `flow` may use for `patient`, typed as the flow declares it.

    None when the patient lacks a field the flow requires (`settings.required_context`): a
    campaign enrols only the patients whose record carries what the flow needs, so a refill
    reminder goes to patients with a `due_date` and a missed-visit flow to those with `slots`.
    """
    context: dict[str, Any] = {"first_name": patient.first_name}
    context.update(patient.attributes or {})
    for name, spec in flow.context.items():
        value = context.get(name)
        if spec.type == "list" and isinstance(value, str):
            context[name] = [v.strip() for v in value.split(LIST_SEPARATOR) if v.strip()]
    if any(not context.get(name) for name in flow.settings.required_context):
        return None
    return context


def _channel_for(patient: Patient, flow: Any) -> str:
    """A patient who asked to be called gets the flow by phone when it has voice wording."""
    return "voice" if patient.preferred_channel == "voice" and "voice" in flow.channels else "sms"


#: Patients enrolled per transaction: memory and lock time stay the same at any panel size.
CAMPAIGN_BATCH = 1000


def start_campaign(
    settings: settings_mod.Settings, name: str, limit: int | None = None,
    today: date | None = None,
) -> list[int]:
    """Enrol eligible patients in flow `name`; returns the patient ids enqueued.

    Works through the panel in batches of CAMPAIGN_BATCH patients by id: each batch is one
    transaction (a session that is then closed, so no batch's rows stay in memory), and its
    patients' workers are woken once it is committed. A crash part-way leaves whole batches
    started; running the campaign again the same day picks up the rest (the per-day dedupe key
    and the one-active-conversation rule skip the ones done).
    """
    import redis

    from bot.services import queues, sweeper
    from bot.services.runtime import build_runtime

    rt = build_runtime(settings)
    flow = rt.flows.get(name)
    now = datetime.now(timezone.utc)
    day = (today or now.date()).isoformat()
    conn = redis.Redis.from_url(settings.REDIS_URL or "")
    started: list[int] = []
    after = 0
    while limit is None or len(started) < limit:
        room = CAMPAIGN_BATCH if limit is None else min(CAMPAIGN_BATCH, limit - len(started))
        with rt.db.session() as s:
            # One conversation at a time per patient, so a reply is never ambiguous; a patient
            # in another flow now is picked up by a later run of this campaign. NOT EXISTS
            # (not NOT IN) so each patient costs one index probe however many are active.
            busy = exists().where(Conversation.patient_id == Patient.id,
                                  Conversation.status == "active")
            patients = list(s.scalars(
                select(Patient).where(Patient.consent_status == CONSENT_GRANTED, ~busy,
                                      Patient.phone_status.is_(None), Patient.id > after)
                .order_by(Patient.id).limit(CAMPAIGN_BATCH)))
            if not patients:
                break
            after = patients[-1].id
            keys = {p.id: f"campaign-{name}-{p.id}-{day}" for p in patients}
            done = set(s.scalars(select(InboxEvent.dedupe_key)
                                 .where(InboxEvent.dedupe_key.in_(list(keys.values())))))
            enrol: list[tuple[int, Conversation]] = []
            for patient in patients:
                if len(enrol) >= room:
                    break
                context = flow_context(patient, flow)
                if context is None or keys[patient.id] in done:
                    continue
                enrol.append((patient.id, Conversation(
                    patient_id=patient.id, flow=flow.name, version=flow.version,
                    state=flow.start, context=context, locale=patient.locale,
                    timezone=patient.timezone, channel=_channel_for(patient, flow), status="active",
                     campaign=name,
                    started_at=now, updated_at=now)))
            s.add_all([conv for _, conv in enrol])
            s.flush()
            s.add_all([rows.start_event(pid, conv.id, keys[pid], now, {"campaign": name})
                       for pid, conv in enrol])
            refs = {p.id: p.external_ref or f"patient-{p.id}" for p in patients}
            for pid, conv in enrol:
                enrolments.enrol(s, conv, variant=variants.assign(flow.variant_names, name,
                                                                  refs[pid]))
            if enrol:
                metrics.count_after_commit(s, partial(
                    metrics.ENROLMENTS.labels(campaign=name).inc, len(enrol)))
        batch = [pid for pid, _ in enrol]
        queues.enqueue_process_patients(conn, batch)
        started.extend(batch)
    sweeper.schedule_sweep(conn, settings.SWEEP_INTERVAL_SECONDS)
    return started


@click.group()
def campaign() -> None:
    """Outreach campaigns."""


@campaign.command("start")
@click.argument("name")
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="Enrol at most this many patients.")
def campaign_start(name: str, limit: int | None) -> None:
    """Start flow NAME for every consented patient with the data it needs and no active conversation."""
    settings = _settings(frozenset({"DATABASE_URL", "REDIS_URL"}))
    try:
        started = start_campaign(settings, name, limit)
    except OutreachError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"campaign {name}: {len(started)} patient(s) enrolled")


# --- tasks and conversations ------------------------------------------------------------------

@click.group()
def tasks() -> None:
    """Follow-up tasks for the care team."""


@tasks.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--status", default=None, help="Only tasks with this status (open, claimed, resolved).")
def tasks_list(as_json: bool, status: str | None) -> None:
    """List follow-up tasks, most urgent first."""
    order = {"urgent": 0, "high": 1, "routine": 2, "low": 3}
    with get_database(_settings().DATABASE_URL).session() as s:
        stmt = select(FollowUpTask)
        if status:
            stmt = stmt.where(FollowUpTask.status == status)
        rows = sorted(s.scalars(stmt), key=lambda t: (order.get(t.priority, 9), t.sla_due_at))
        data: list[dict[str, Any]] = [{"id": t.id, "patient_id": t.patient_id, "team": t.team, "priority": t.priority,
                 "status": t.status, "reason": t.reason, "category": t.category,
                 "sla_due_at": t.sla_due_at.isoformat(), "assignee": t.assignee} for t in rows]
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    table = Table(title=f"{len(data)} task(s)")
    for col in ("id", "priority", "team", "status", "patient", "due (UTC)", "reason"):
        table.add_column(col)
    for t in data:
        table.add_row(str(t["id"]), t["priority"], t["team"], t["status"],
                      str(t["patient_id"] or "-"), t["sla_due_at"][:16], t["reason"])
    Console().print(table)


@click.group()
def conversations() -> None:
    """Conversations with patients."""


@conversations.command("show")
@click.argument("patient")
def conversations_show(patient: str) -> None:
    """Show PATIENT's conversations and messages (PATIENT: id, external ref or phone)."""
    console = Console()
    with get_database(_settings().DATABASE_URL).session() as s:
        found = repo.find_patient(s, patient)
        if found is None:
            raise click.ClickException(f"no patient {patient!r}")
        console.print(f"[bold]Patient {found.id}[/bold] {found.first_name} {found.last_name} "
                      f"locale={found.locale} consent={found.consent_status}")
        for conv in s.scalars(select(Conversation).where(Conversation.patient_id == found.id)
                              .order_by(Conversation.id)):
            console.print(f"conversation {conv.id}: {conv.flow} v{conv.version} "
                          f"state={conv.state} status={conv.status} outcome={conv.outcome or '-'}")
        table = Table()
        for col in ("when (UTC)", "dir", "kind", "status", "text"):
            table.add_column(col)
        for m in s.scalars(select(Message).where(Message.patient_id == found.id)
                           .order_by(Message.created_at, Message.id)):
            table.add_row(m.created_at.isoformat()[:19], m.direction, m.kind, m.status, m.body)
        console.print(table)


COMMANDS: list[click.Command] = [db, patients, campaign, tasks, conversations]
