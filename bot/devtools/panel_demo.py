"""The panel path of `make demo`: a small FHIR export imported, the plan previewed, the due
fires run, a dispense from the EHR cancelling a reminder, and one pilot stage opened.

Patients from the export get their time zone from their address; the demo then moves them to a
zone where it is daytime now, so their texts are not held for quiet hours while you watch.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import requests

from bot.devtools import fhir_samples as fx

#: (FHIR id, first name, language, mobile, landline): six patients due for a refill; the
#: refill_due pilot's first stage takes five, the sixth waits for the next stage.
PANEL = [
    ("d1", "Carmen", "es", "617-555-0911", None),
    ("d2", "Tuan", "vi", None, "617-555-0912"),  # landline only: called, not texted
    ("d3", "Grace", "en", "617-555-0913", None),
    ("d4", "Olga", "ru", "617-555-0914", None),
    ("d5", "Samir", "ar", "617-555-0915", None),
    ("d6", "Mei", "zh-Hans", "617-555-0916", None),
]


def export(directory: Any, today: Any) -> list[dict[str, Any]]:
    due_on = today + timedelta(days=3)
    handed = due_on - timedelta(days=30)
    resources: list[dict[str, Any]] = []
    for pid, name, lang, mobile, landline in PANEL:
        resources += [fx.patient(pid, name, "Demo", mobile=mobile, landline=landline,
                                 language=lang),
                      fx.med_request(f"r-{pid}", pid, authored=handed),
                      fx.dispense(f"f-{pid}", pid, f"r-{pid}", handed_over=handed)]
    # Grace joined care management a week ago: her next check-in is a week away.
    resources.append(fx.episode("ep-d3", "d3", start=today - timedelta(days=7)))
    fx.write_export(directory, resources, gzipped=True)
    return resources


def run(stack: Any, console: Any, settle: Any, zone: str) -> None:
    from sqlalchemy import select

    from bot.store.db import get_database
    from bot.store.models import Patient

    console.rule("[bold]The panel path: FHIR export -> campaigns")
    today = datetime.now(ZoneInfo(zone)).date()
    folder = stack.workdir / "fhir-export"
    export(folder, today)
    console.print(stack.outreach("panel", "import", str(folder)).strip())
    with get_database(stack.env["DATABASE_URL"]).session() as s:
        for p in s.scalars(select(Patient).where(Patient.external_ref.like("MRN-d%"))):
            p.timezone = zone
    console.print(stack.outreach("campaigns", "plan", "refill_due", "--days", "4").rstrip())
    at = max(datetime.now(timezone.utc), datetime.combine(
        today, datetime.min.time(), ZoneInfo(zone)).replace(hour=10).astimezone(timezone.utc))
    console.print(stack.outreach("campaigns", "run-due", "--at", at.isoformat()).rstrip())
    settle(stack)

    from bot.store import users as users_store

    with get_database(stack.env["DATABASE_URL"]).session() as s:  # the EHR's account
        token = users_store.issue_token(
            s, users_store.add_user(s, "ehr@clinic.example", "integration"))
    dispense = fx.dispense("f-d1-b", "d1", "r-d1", handed_over=today)
    resp = requests.post(stack.base_url + "/api/events", json=dispense, timeout=30,
                         headers={"Authorization": f"Bearer {token}"})
    console.print(f"EHR event (Carmen picked up her refill): {resp.status_code} {resp.json()}")
    settle(stack)

    console.print(stack.outreach("campaigns", "advance", "refill_due", "--by",
                                 "supervisor@clinic.example").strip())
    console.print(stack.outreach("campaigns", "run-due", "--at", at.isoformat()).rstrip())
    settle(stack)
    _print_fires(stack, console)


def _print_fires(stack: Any, console: Any) -> None:
    from rich.table import Table
    from sqlalchemy import select

    from bot.store.db import get_database
    from bot.store.models import Conversation, Patient
    from bot.store.panel_models import CampaignFire

    table = Table(title="Campaign starts from the panel")
    for col in ("campaign", "patient", "status", "channel", "conversation outcome"):
        table.add_column(col)
    with get_database(stack.env["DATABASE_URL"]).session() as s:
        rows = s.execute(select(CampaignFire, Patient.first_name, Conversation)
                         .join(Patient, Patient.id == CampaignFire.patient_id)
                         .outerjoin(Conversation, Conversation.id == CampaignFire.conversation_id)
                         .order_by(CampaignFire.id)).all()
        for fire, name, conv in rows:
            table.add_row(fire.campaign, name, fire.status + (f" ({fire.reason})" if
                                                              fire.reason else ""),
                          fire.channel or "-", (conv.outcome or conv.status) if conv else "-")
    console.print(table)
