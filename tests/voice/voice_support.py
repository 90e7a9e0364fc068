"""Helpers for whole calls through the local Twilio stand-in (enrol a patient, place a call,
read what was said). Kept out of conftest.py so the voice tests import it by name."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select

from bot.services import calls as vc
from bot.store.db import get_database
from bot.store.models import Conversation, FollowUpTask, Patient

NOW_DUE = (date.today() + timedelta(days=3)).isoformat()


def _slots() -> list[str]:
    base = datetime.now(timezone.utc).replace(microsecond=0, second=0, minute=0) + timedelta(days=2)
    return [(base + timedelta(hours=h)).isoformat() for h in (0, 3, 24)]


CONTEXT = {
    "refill_reminder": {"first_name": "Ana", "due_date": NOW_DUE},
    "appointment_recovery": {"first_name": "Ana", "missed_date": NOW_DUE, "slots": _slots()},
    "engagement_checkin": {"first_name": "Ana"},
    "bp_checkin": {"first_name": "Ana"},
}


def zone_at(local_hour: int) -> str:
    """An Etc/GMT zone where it is about `local_hour` o'clock now (POSIX signs: GMT-5 = UTC+5)."""
    offset = (local_hour - datetime.now(timezone.utc).hour + 36) % 24 - 12
    if offset == 0:
        return "Etc/GMT"
    return f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


def daytime_timezone() -> str:
    return zone_at(12)


def _phone() -> str:
    return "+1555" + str(uuid.uuid4().int)[:7]


def enrol(stack: Any, flow: str, locale: str = "en", *, preference: str | None = None) -> int:
    rt = stack.app.extensions["outreach"]
    version = rt.flows.get(flow).version
    with get_database(stack.database_url).session() as s:
        patient = Patient(phone=_phone(), first_name="Ana", locale=locale,
                          preferred_language=preference, timezone=daytime_timezone())
        s.add(patient)
        s.flush()
        row = Conversation(patient_id=patient.id, flow=flow, version=version, state="",
                           context=dict(CONTEXT[flow]), locale=locale,
                           timezone=patient.timezone, channel="voice")
        s.add(row)
        s.flush()
        return row.id


def call(stack: Any, conversation_id: int, script: dict[str, Any], *,
         confirm: bool = True, day: int = 0) -> dict[str, Any]:
    """Place the call, let the stand-in play `script`, return the stand-in's call record.

    Every call first asks who is on the line; with `confirm` the script's person presses 1.
    `day` places it that many days (27 h each, like a retry) from now: one call a day.
    """
    rt = stack.app.extensions["outreach"]
    if confirm and script.get("answer", "human") == "human" and "inputs" in script:
        script = {**script, "inputs": ["1", *script["inputs"]]}
    with get_database(stack.database_url).session() as s:
        phone = s.get(Conversation, conversation_id).patient.phone
    stack.fake.set_call_script(phone, script)
    sid = vc.place_call(rt, conversation_id,
                        datetime.now(timezone.utc) + day * vc.RETRY_SPACING[0])
    assert sid is not None
    assert stack.fake.wait_idle(30)
    [record] = [c for c in stack.fake.calls() if c["sid"] == sid]
    return record


def said(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for item in record["transcript"] if "say" in item]


def conversation(stack: Any, conversation_id: int) -> Conversation:
    with get_database(stack.database_url).session() as s:
        return s.get(Conversation, conversation_id)


def tasks(stack: Any, conversation_id: int) -> list[tuple[str, str]]:
    with get_database(stack.database_url).session() as s:
        rows = s.scalars(select(FollowUpTask).where(FollowUpTask.conversation_id == conversation_id))
        return [(t.team, t.priority) for t in rows]
