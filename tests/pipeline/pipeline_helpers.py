"""Helpers for the pipeline tests: seed patients, read rows back."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from unique_ids import next_phone

from bot.store.db import get_database
from bot.store.models import InboxEvent, Message, Patient


def new_phone() -> str:
    """A number no other patient in this test run has (see tests/unique_ids.py)."""
    return next_phone()


def add_patient(database_url: str, **fields: Any) -> int:
    fields.setdefault("phone", new_phone())
    fields.setdefault("first_name", "Ana")
    with get_database(database_url).session() as s:
        patient = Patient(**fields)
        s.add(patient)
        s.flush()
        return patient.id


def count(database_url: str, model: Any, *where: Any) -> int:
    with get_database(database_url).session() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def messages_for(database_url: str, patient_id: int) -> list[Message]:
    with get_database(database_url).session() as s:
        return list(s.scalars(select(Message).where(Message.patient_id == patient_id)
                              .order_by(Message.id)))


def events_for(database_url: str, patient_id: int) -> list[InboxEvent]:
    with get_database(database_url).session() as s:
        return list(s.scalars(select(InboxEvent).where(InboxEvent.patient_id == patient_id)
                              .order_by(InboxEvent.id)))


def only_patient(database_url: str, patient_id: int) -> None:
    """Park every other patient so a campaign started by the test enrols just this one."""
    with get_database(database_url).session() as s:
        for other in s.scalars(select(Patient).where(Patient.id != patient_id,
                                                     Patient.phone_status.is_(None))):
            other.phone_status = "test-skip"


def enrol_in_refill(stack: Any, **fields: Any) -> tuple[int, str]:
    """A daytime patient alone in a refill_reminder campaign, its first text sent: (id, phone)."""
    from stack_support import daytime_timezone

    from bot import settings as settings_mod
    from bot.cli.pipeline import start_campaign

    fields.setdefault("timezone", daytime_timezone())
    fields.setdefault("attributes", {"due_date": "2030-01-15"})
    pid = add_patient(stack.database_url, **fields)
    only_patient(stack.database_url, pid)
    with get_database(stack.database_url).session() as s:
        phone = s.get(Patient, pid).phone
    assert start_campaign(settings_mod.load(stack.env), "refill_reminder") == [pid]
    stack.drain()
    return pid, phone
