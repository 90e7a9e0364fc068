"""A campaign works through the panel in batches: every eligible patient once, no matter where
the batch boundaries fall, and a second run the same day enrols nobody."""

from __future__ import annotations

from typing import Any

import pytest
import redis as redis_lib
from pipeline_helpers import add_patient
from rq import Queue
from sqlalchemy import select

from bot import settings as settings_mod
from bot.cli import pipeline
from bot.store.db import get_database
from bot.store.models import Conversation, InboxEvent, Patient


def test_a_campaign_in_batches_enrols_each_eligible_patient_once(
        stack: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "CAMPAIGN_BATCH", 3)
    due = {"due_date": "2030-01-15"}
    with get_database(stack.database_url).session() as s:
        for patient in s.scalars(select(Patient).where(Patient.phone_status.is_(None))):
            patient.phone_status = "test-skip"  # earlier modules' patients stay out
    eligible = [add_patient(stack.database_url, attributes=due) for _ in range(7)]
    no_due_date = add_patient(stack.database_url)
    busy = add_patient(stack.database_url, attributes=due)
    with get_database(stack.database_url).session() as s:
        s.add(Conversation(patient_id=busy, flow="refill_reminder", version=2, state="ask",
                           context={}, channel="sms", status="active"))
    queued_before = Queue("inbound", connection=redis_lib.Redis.from_url(stack.redis_url)).count

    settings = settings_mod.load(stack.env)
    assert pipeline.start_campaign(settings, "refill_reminder") == eligible
    assert pipeline.start_campaign(settings, "refill_reminder") == []

    with get_database(stack.database_url).session() as s:
        enrolled = s.scalars(select(Conversation.patient_id).where(
            Conversation.campaign == "refill_reminder")).all()
        starts = s.scalars(select(InboxEvent.patient_id).where(InboxEvent.kind == "start",
                                                               InboxEvent.patient_id.in_(
                                                                   [*eligible, no_due_date,
                                                                    busy]))).all()
    assert sorted(enrolled) == eligible and sorted(starts) == eligible
    queued = Queue("inbound", connection=redis_lib.Redis.from_url(stack.redis_url)).count
    assert queued - queued_before == len(eligible)


def test_a_limit_across_batches(stack: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "CAMPAIGN_BATCH", 2)
    with get_database(stack.database_url).session() as s:
        for patient in s.scalars(select(Patient).where(Patient.phone_status.is_(None))):
            patient.phone_status = "test-skip"
    eligible = [add_patient(stack.database_url, attributes={"due_date": "2030-01-15"})
                for _ in range(5)]
    settings = settings_mod.load(stack.env)
    assert pipeline.start_campaign(settings, "refill_reminder", limit=3) == eligible[:3]
    assert pipeline.start_campaign(settings, "refill_reminder") == eligible[3:]
