"""One quiet window, chosen by `rules.quiet_window(settings, flow)`, for every path that sends
or calls: routine texts when written and at send time, calls, and the care team's replies.

The flow here keeps a window narrower than the program's (23:00-06:00 against 21:00-08:00), and
it is 22:00 for the patient: inside the program's window, outside the flow's. Every path must
let the message or call go.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest

from bot import settings as settings_mod
from bot.core import rules
from bot.devtools.fake_twilio import FAKE_PHONE_NUMBER
from bot.flows.loader import default_flows_dir
from bot.services import calls as voice_calls
from bot.services import policy, sending
from bot.services.runtime import build_runtime
from bot.store.models import Conversation, Message, Patient

ZONE = "America/New_York"
#: 22:00 in New York (EDT, UTC-4) on 10 March 2026.
NOW = datetime(2026, 3, 11, 2, 0, tzinfo=timezone.utc)
NARROW = ("23:00", "06:00")
_PHONES = itertools.count(5550100)


@pytest.fixture(scope="module")
def rt(database_url: str, redis_url: str, fake_twilio: Any,
       tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    flows = tmp_path_factory.mktemp("flows") / "flows"
    shutil.copytree(default_flows_dir(), flows)
    refill = flows / "refill_reminder.yaml"
    text = refill.read_text("utf-8")
    assert 'quiet_hours: {start: "21:00", end: "08:00"}' in text
    refill.write_text(text.replace('quiet_hours: {start: "21:00", end: "08:00"}',
                                   'quiet_hours: {start: "23:00", end: "06:00"}'), "utf-8")
    settings = settings_mod.load({
        "DATABASE_URL": database_url, "REDIS_URL": redis_url, "OUTREACH_FLOWS_DIR": str(flows),
        "TWILIO_ACCOUNT_SID": fake_twilio.account_sid,
        "TWILIO_AUTH_TOKEN": fake_twilio.auth_token, "TWILIO_FROM_NUMBER": FAKE_PHONE_NUMBER,
        "TWILIO_API_BASE_URL": fake_twilio.base_url, "PUBLIC_BASE_URL": "http://127.0.0.1:9",
        "QUIET_HOURS_START": "21:00", "QUIET_HOURS_END": "08:00",
    })
    runtime = build_runtime(settings)
    assert runtime.flows.get("refill_reminder").settings.quiet_hours == NARROW
    yield runtime


def _conversation(rt: Any, channel: str = "sms") -> tuple[int, int]:
    flow = rt.flows.get("refill_reminder")
    with rt.db.session() as s:
        patient = Patient(phone=f"+1617{next(_PHONES)}",
                          first_name="Ana", locale="en", timezone=ZONE)
        s.add(patient)
        s.flush()
        row = Conversation(patient_id=patient.id, flow=flow.name, version=flow.version,
                           state="ask", status="active", wait_token="w1-abc", locale="en",
                           timezone=ZONE, channel=channel,
                           context={"first_name": "Ana", "due_date": "2026-03-12"})
        s.add(row)
        s.flush()
        return patient.id, row.id


def _routine(s: Any, patient_id: int, conversation_id: int) -> Message:
    message = Message(patient_id=patient_id, conversation_id=conversation_id, direction="out",
                      channel="sms", address="+16175550000", body="Your refill is due.",
                      kind="routine", status="pending", status_rank=0, created_at=NOW,
                      updated_at=NOW)
    s.add(message)
    s.flush()
    return message


def test_the_flow_window_wins_over_the_program_window(rt: Any) -> None:
    flow = rt.flows.get("refill_reminder")
    assert rules.quiet_window(rt.settings, flow) == NARROW
    assert rules.quiet_window(rt.settings, None) == ("21:00", "08:00")
    assert rules.in_quiet_hours(NOW, ZONE, "21:00", "08:00")
    assert not rules.in_quiet_hours(NOW, ZONE, *NARROW)


def test_routine_text_written_and_rechecked_at_send_time_goes(rt: Any) -> None:
    patient_id, conversation_id = _conversation(rt)
    with rt.db.session() as s:
        message = _routine(s, patient_id, conversation_id)
        patient = s.get(Patient, patient_id)
        flow = rt.flows.get("refill_reminder")
        assert policy.decide(s, patient, message, rt.settings, NOW, flow).action == policy.SEND
        assert policy.decide(s, patient, message, rt.settings, NOW).action == policy.DEFER
        assert sending._recheck(rt, s, message, NOW) is None  # the send job agrees: go


def test_call_is_placed_in_the_flows_window(rt: Any) -> None:
    _, conversation_id = _conversation(rt, "voice")
    assert voice_calls.place_call(rt, conversation_id, NOW) is not None


def test_staff_reply_follows_the_conversations_window(rt: Any) -> None:
    patient_id, _ = _conversation(rt)
    with rt.db.session() as s:
        patient = s.get(Patient, patient_id)
        flow = rt.flows.get("refill_reminder")
        assert policy.staff_reply_after(s, rt.settings, flow, patient, NOW) is None
        morning = policy.staff_reply_after(s, rt.settings, None, patient, NOW)
        assert morning is not None and morning > NOW
