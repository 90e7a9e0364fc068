"""How a call words things, end to end through the local Twilio stand-in: the open visit times
are read with their zone's name. Real twilio client, signed webhooks, real Redis and database.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from voice_support import call, enrol, said

from bot.store.db import get_database
from bot.store.models import Conversation

pytestmark = pytest.mark.integration

#: Zones with a spoken name in English, around the world, so one is in daytime whenever the
#: test runs (calls are not placed in quiet hours).
ZONE_NAMES = {
    "America/New_York": "Eastern Time", "America/Chicago": "Central Time",
    "America/Denver": "Mountain Time", "America/Los_Angeles": "Pacific Time",
    "America/Anchorage": "Alaska Time", "America/Sao_Paulo": "Brasilia Time",
    "Europe/Berlin": "Central European Time", "Asia/Shanghai": "China Time",
    "Asia/Tokyo": "Japan Time", "Australia/Sydney": "Australian Eastern Time",
}


def _daytime_zone() -> str:
    now = datetime.now(timezone.utc)
    return min(ZONE_NAMES, key=lambda z: abs(now.astimezone(ZoneInfo(z)).hour - 13))


def test_open_visit_times_are_read_with_their_zone(stack: Any) -> None:
    cid = enrol(stack, "appointment_recovery", "en")
    zone = _daytime_zone()
    with get_database(stack.database_url).session() as s:
        row = s.get(Conversation, cid)
        row.timezone = row.patient.timezone = zone
    record = call(stack, cid, {"answer": "human", "inputs": ["1", {"silence": True},
                                                            {"silence": True}]})
    offer = next(item["say"] for item in said(record)
                 if item["say"].startswith("These times are open."))
    assert offer.count(ZONE_NAMES[zone]) == 3, offer  # each of the three times
