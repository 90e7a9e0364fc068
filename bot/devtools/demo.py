"""`make demo`: the whole product once, end to end, then a readable summary.

Starts the real stack (bot.devtools.devstack: a private Redis unless REDIS_URL is set, the Twilio
stand-in, gunicorn serving the app, an `rq worker --with-scheduler`), imports sample patients
in several languages, starts the three flows, and plays patients' replies as signed webhooks
delivered by the stand-in — including a duplicate webhook, a garbled reply, an opt-out, a crisis
reply and a silence whose timeout fires (the demo moves the scheduled timeout to now instead of
waiting a day). Then it prints what was sent and understood, each outcome and the tasks.
"""

from __future__ import annotations

import csv
import os
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bot.devtools.devstack import QUEUES, Stack, running_stack, zone_at

console = Console()

# (phone, first name, language, preferred zone, flow, script of replies)
PATIENTS: list[tuple[str, str, str, str, str, list[str]]] = [
    ("+16175550110", "Ana", "Spanish", "America/Los_Angeles", "refill_reminder", ["sí"]),
    ("+16175550120", "Minh", "vi", "America/Chicago", "refill_reminder",
     ["không", "2"]),  # no -> barrier 2 (side effects) -> pharmacy task
    ("+16175550130", "Robert", "English", "America/New_York", "refill_reminder",
     ["~~??", "no", "3"]),  # garbled, then no, then transport -> social work
    ("+16175550140", "Layla", "Arabic", "America/New_York", "appointment_recovery",
     ["نعم", "2", "1"]),  # yes, slot 2, confirm
    ("+16175550150", "Wei", "zh-TW", "America/Los_Angeles", "appointment_recovery",
     ["STOP"]),  # opts out
    ("+16175550160", "Jean", "Haitian Creole", "America/New_York", "engagement_checkin",
     [""]),  # silence: the timeout fires
    ("+16175550170", "Maria", "pt-BR", "America/Sao_Paulo", "engagement_checkin",
     ["5", "nao", "nao"]),  # doing well
    ("+16175550180", "Joon", "Korean", "America/Los_Angeles", "engagement_checkin",
     ["I don't want to live anymore"]),  # crisis -> urgent task at once
    ("+16175550190", "Ligaya", "Tagalog", "Asia/Manila", "refill_reminder", []),  # quiet hours
]


def _write_patients(path: Path, now: datetime) -> None:
    today = now.date()
    slots = ";".join((datetime.combine(today + timedelta(days=d), datetime.min.time())
                      + timedelta(hours=h)).replace(tzinfo=timezone.utc).isoformat()
                     for d, h in ((2, 15), (3, 18), (5, 21)))
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["phone", "first_name", "preferred_language", "timezone", "due_date",
                         "missed_date", "slots"])
        for i, (phone, name, lang, zone, flow, _) in enumerate(PATIENTS):
            quiet = i == len(PATIENTS) - 1
            writer.writerow([phone, name, lang, zone_at(now, zone, daytime=not quiet),
                             (today + timedelta(days=3)).isoformat() if flow == "refill_reminder" else "",
                             (today - timedelta(days=2)).isoformat() if flow == "appointment_recovery" else "",
                             slots if flow == "appointment_recovery" else ""])


def _wait(what: str, done: Callable[[], bool], timeout: float = 30,
          why: Callable[[], str] = lambda: "") -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}: {why()}")
        time.sleep(0.2)


def _idle(stack: Stack) -> bool:
    return not _busy(stack)


def _busy(stack: Stack) -> str:
    """What is still under way ('' when nothing): queued or running jobs, unprocessed inbox
    events, messages waiting to be sent, callbacks the stand-in has yet to post."""
    import redis
    from rq import Queue
    from rq.registry import StartedJobRegistry
    from sqlalchemy import func, select

    from bot.store.db import get_database
    from bot.store.models import InboxEvent, Message

    conn = redis.Redis.from_url(stack.env["REDIS_URL"])
    for name in QUEUES:
        if Queue(name, connection=conn).count or StartedJobRegistry(name, connection=conn).count:
            return f"jobs on queue {name}"
    with get_database(stack.env["DATABASE_URL"]).session() as s:
        if s.scalar(select(func.count()).where(InboxEvent.processed_at.is_(None))):
            return "unprocessed inbox events"
        busy = s.scalar(select(func.count()).where(
            Message.direction == "out", Message.status.in_(("pending", "sending")),
            (Message.send_after.is_(None)) | (Message.send_after <= datetime.now(timezone.utc))))
        if busy:
            return "messages waiting to be sent"
    return "" if stack.fake.wait_idle(0.1) else "stand-in callbacks"


def _settle(stack: Stack, timeout: float = 40) -> None:
    def twice_idle() -> bool:
        # A job may sit between its queue and the started registry for a moment.
        if not _idle(stack):
            return False
        time.sleep(0.3)
        return _idle(stack)

    _wait("the workers to finish", twice_idle, timeout, lambda: _busy(stack))


def _fast_forward(stack: Stack, hours: float) -> int:
    """Let `hours` pass for the no-reply waits: every timeout due by then runs now.

    Only timeouts move; messages held for quiet hours keep their time, as they would, and so
    do the waits for them.
    """
    import redis
    from rq import Queue
    from rq.registry import ScheduledJobRegistry
    from sqlalchemy import select

    from bot.store.db import get_database
    from bot.store.models import Message

    conn = redis.Redis.from_url(stack.env["REDIS_URL"])
    horizon = time.time() + hours * 3600
    with get_database(stack.env["DATABASE_URL"]).session() as s:
        # Only the clock of the waits moves, not the real one: a question still held for quiet
        # hours has not reached the patient, so its wait is left alone.
        held = set(s.scalars(select(Message.conversation_id).where(Message.status == "deferred")))
    fired = 0
    for name in QUEUES:
        registry = ScheduledJobRegistry(name, connection=conn)
        queue = Queue(name, connection=conn)
        for raw in conn.zrangebyscore(registry.key, 0, horizon):
            job_id = raw.decode() if isinstance(raw, bytes) else str(raw)
            if not job_id.startswith("timeout"):
                continue
            job = queue.fetch_job(job_id)
            if job is not None and job.args and job.args[0] not in held:
                registry.remove(job)
                queue.enqueue_job(job)
                fired += 1
    return fired


def _summary(stack: Stack) -> dict[str, Any]:
    from sqlalchemy import select

    from bot.store.db import get_database
    from bot.store.models import Conversation, FollowUpTask, Message, Patient

    out: dict[str, Any] = {"patients": [], "tasks": []}
    with get_database(stack.env["DATABASE_URL"]).session() as s:
        for patient in s.scalars(select(Patient).order_by(Patient.id)):
            convs = list(s.scalars(select(Conversation).where(
                Conversation.patient_id == patient.id).order_by(Conversation.id)))
            msgs = list(s.scalars(select(Message).where(
                Message.patient_id == patient.id).order_by(Message.id)))
            out["patients"].append({
                "name": patient.first_name, "locale": patient.locale,
                "consent": patient.consent_status,
                "flows": [(c.flow, c.state, c.outcome or c.status) for c in convs],
                "messages": [(m.direction, m.status, m.body or "") for m in msgs],
            })
        for task in s.scalars(select(FollowUpTask).order_by(FollowUpTask.id)):
            owner = s.get(Patient, task.patient_id) if task.patient_id else None
            out["tasks"].append({"team": task.team, "priority": task.priority,
                                 "reason": task.reason,
                                 "patient": owner.first_name if owner else "?"})
    return out


def _print(summary: dict[str, Any]) -> None:
    for p in summary["patients"]:
        flows = ", ".join(f"{f} -> {o} (at {st})" for f, st, o in p["flows"]) or "no flow"
        console.rule(f"[bold]{p['name']}[/] · {p['locale']} · consent {p['consent']} · {flows}")
        for direction, status, body in p["messages"]:
            arrow = "[cyan]patient >[/]" if direction == "in" else "[green]< program[/]"
            console.print(f"  {arrow} {body!s}  [dim]({status})[/]", highlight=False)
    table = Table(title="Follow-up tasks")
    for col in ("team", "priority", "patient", "reason"):
        table.add_column(col)
    order = {"urgent": 0, "high": 1, "routine": 2, "low": 3}
    for t in sorted(summary["tasks"], key=lambda t: (order.get(t["priority"], 9), t["team"])):
        table.add_row(t["team"], t["priority"], t["patient"], t["reason"])
    console.print(table)


def run() -> dict[str, Any]:
    """Run the demo; returns the summary (also printed)."""
    started = time.monotonic()
    now = datetime.now(timezone.utc)
    # No `clock`: the demo runs the campaign passes itself, so its story reads in order.
    with running_stack(quiet=not os.environ.get("DEMO_VERBOSE"),
                       processes=("web", "worker")) as stack:
        console.print(f"[bold]care-outreach demo[/] · web {stack.base_url} · "
                      f"Twilio stand-in {stack.env['TWILIO_API_BASE_URL']}")
        csv_path = stack.workdir / "patients.csv"
        _write_patients(csv_path, now)
        console.print(stack.outreach("patients", "import", str(csv_path)).strip())
        for flow in ("refill_reminder", "appointment_recovery", "engagement_checkin"):
            console.print(stack.outreach("campaign", "start", flow).strip())
        _settle(stack)

        # Patients answer, one turn at a time, as signed webhooks through the stand-in.
        scripts = {phone: list(replies) for phone, *_, replies in PATIENTS}
        turn = 0
        while any(scripts.values()):
            for phone, replies in scripts.items():
                if not replies:
                    continue
                body = replies.pop(0)
                if body:
                    sid = f"SM{turn:04d}{phone[-4:]}" + "0" * 24
                    stack.fake.send_inbound(phone, body, message_sid=sid)
                    if turn == 0 and phone.endswith("0110"):
                        stack.fake.send_inbound(phone, body, message_sid=sid)  # Twilio retry
            turn += 1
            _settle(stack)
        for step in (1, 2):
            fired = _fast_forward(stack, hours=49)
            console.print(f"fast-forward {step}: two days pass; {fired} no-reply timeout(s) "
                          "fire now instead of later")
            _settle(stack)
        from bot.devtools import panel_demo

        panel_demo.run(stack, console, _settle, zone_at(now, "America/New_York"))
        summary = _summary(stack)
        # What the run achieved, as the results page and the export count it.
        summary["results"] = stack.outreach("results", "summary").rstrip()
        summary["export"] = stack.outreach("results", "export").splitlines()
    _print(summary)
    console.print(summary["results"], highlight=False)
    console.print(f"`outreach results export`: {len(summary['export']) - 1} row(s), one per "
                  "enrolment; the first:", highlight=False)
    for line in summary["export"][:2]:
        console.print("  " + line, highlight=False, markup=False)
    console.print(f"[bold green]demo finished[/] in {time.monotonic() - started:.1f}s")
    return summary


def main() -> None:
    try:
        run()
    except Exception as exc:  # the one place a traceback would only confuse a first-time user
        console.print(f"[bold red]demo failed:[/] {exc}")
        sys.exit(1)


if __name__ == "__main__":
    _ = date  # keep the import list honest for type checkers
    main()
