"""A question asked again on a call (silence, or a new call mid-conversation) is the engine's
own prompt: the same words and the same keypad menu as the first time."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from typing import Any

from bot import settings as settings_mod
from bot.services import voice_turns as vt
from bot.services.runtime import build_runtime
from bot.store.models import Conversation, Patient

ACTION = "https://app.example/twilio/voice/gather?c=1"
NOW = datetime(2026, 3, 2, 15, tzinfo=timezone.utc)


def _says(twiml: str) -> list[str]:
    root = ET.fromstring(twiml)
    return [el.text or "" for el in root.iter("Say")]


def test_silence_at_a_state_with_a_menu_repeats_the_menu(database_url: str) -> None:
    rt: Any = build_runtime(settings_mod.load({"DATABASE_URL": database_url}))
    flow = rt.flows.get("refill_reminder")
    assert flow.states["nudge"].choices  # the state offers a keypad menu
    with rt.db.session() as s:
        patient = Patient(phone="+16175550101", first_name="Ana", locale="en",
                          timezone="America/New_York")
        s.add(patient)
        s.flush()
        row = Conversation(patient_id=patient.id, flow=flow.name, version=flow.version,
                           state="nudge", status="active", wait_token="w2-abc", locale="en",
                           timezone="America/New_York", channel="voice",
                           context={"first_name": "Ana", "due_date": "2026-03-05"})
        s.add(row)
        s.flush()
        host = vt.Host(rt, NOW, patient)
        says = _says(vt.replay_twiml(s, host, row, patient, ACTION))
    assert says[0].startswith("Hi Ana, this is your care team again.")
    assert says[1:] == ["Press 1 for yes, I will pick it up.",
                        "Press 2 for no, something is in the way."]
