"""Carrier keywords: our consent state agrees with Twilio's block, and no second confirmation.

The patient texts through the Twilio stand-in, which behaves as Twilio does: a one-word STOP
blocks the number (later sends fail with 21610) and START lifts the block.
"""

from __future__ import annotations

import pytest
from pipeline_helpers import add_patient, enrol_in_refill, messages_for
from sqlalchemy import select

from bot.store.db import get_database
from bot.store.models import ConsentChange, Conversation, Patient


@pytest.mark.parametrize("keyword", ["STOP", "cancel", "Unsubscribe"])
def test_carrier_stop_revokes_consent_without_a_second_confirmation(stack, keyword):
    pid, phone = enrol_in_refill(stack)
    result = stack.fake.send_inbound(phone, keyword)
    assert result.status == 200
    stack.drain()
    with get_database(stack.database_url).session() as s:
        patient = s.get(Patient, pid)
        conv = s.scalar(select(Conversation).where(Conversation.patient_id == pid))
        change = s.scalars(select(ConsentChange).where(ConsentChange.patient_id == pid)
                           .order_by(ConsentChange.id.desc())).first()
    assert patient.consent_status == "revoked"
    assert conv.status == "ended" and conv.outcome == "opted_out"
    assert change is not None and change.source == "carrier_keyword"
    outbound = [m for m in messages_for(stack.database_url, pid) if m.direction == "out"]
    # Only the first reminder: Twilio confirms a carrier keyword itself; nothing failed on 21610.
    assert len(outbound) == 1
    assert all(m.error_code is None for m in outbound)


def test_carrier_stop_outside_a_conversation_queues_no_confirmation_either(stack):
    """The reply no flow waits for uses the engine's own mapping of global intents."""
    from stack_support import daytime_timezone

    pid = add_patient(stack.database_url, timezone=daytime_timezone())
    with get_database(stack.database_url).session() as s:
        phone = s.get(Patient, pid).phone
    assert stack.fake.send_inbound(phone, "STOP").status == 200
    stack.drain()
    with get_database(stack.database_url).session() as s:
        patient = s.get(Patient, pid)
        change = s.scalars(select(ConsentChange).where(ConsentChange.patient_id == pid)).first()
    assert patient.consent_status == "revoked"
    assert change is not None and change.source == "carrier_keyword"
    assert [m for m in messages_for(stack.database_url, pid) if m.direction == "out"] == []


def test_start_after_stop_resubscribes_in_step_with_the_carrier(stack):
    pid, phone = enrol_in_refill(stack)
    stack.fake.send_inbound(phone, "STOP")
    stack.drain()
    stack.fake.send_inbound(phone, "START")
    stack.drain()
    with get_database(stack.database_url).session() as s:
        assert s.get(Patient, pid).consent_status == "granted"
    outbound = [m for m in messages_for(stack.database_url, pid) if m.direction == "out"]
    confirmation = outbound[-1]
    assert confirmation.kind == "system"
    assert confirmation.status in ("sent", "delivered"), confirmation.status
