"""End to end: a blood pressure in one text, through the signed webhook and a real worker,
becomes an urgent task that names it, a kept reading, and a row of the readings export."""

from __future__ import annotations

import io
import uuid

from pipeline_helpers import add_patient
from sqlalchemy import select
from stack_support import daytime_timezone

from bot import settings as settings_mod
from bot.cli.pipeline import start_campaign
from bot.services.readings_export import export_rows, write_csv
from bot.store.db import get_database
from bot.store.models import Conversation, FollowUpTask, Patient
from bot.store.readings import Reading


def _start_bp(stack) -> tuple[int, str]:
    pid = add_patient(stack.database_url, timezone=daytime_timezone(), first_name="Ana",
                      external_ref=f"mrn-bp-{uuid.uuid4().hex[:12]}")
    settings = settings_mod.load(stack.env)
    with get_database(stack.database_url).session() as s:
        for other in s.scalars(select(Patient).where(Patient.id != pid, Patient.phone_status.is_(None))):
            other.phone_status = "test-skip"
        phone = s.get(Patient, pid).phone
    assert start_campaign(settings, "bp_checkin") == [pid]
    stack.drain()
    return pid, phone


def test_a_reading_in_one_text_reaches_a_nurse_named_and_kept(stack):
    pid, phone = _start_bp(stack)
    assert "blood pressure" in stack.fake.messages(to=phone)[0]["body"]

    assert stack.text_in(phone, "184 96").status_code == 200
    stack.drain()
    with get_database(stack.database_url).session() as s:
        conv = s.scalars(select(Conversation).where(Conversation.patient_id == pid)).one()
        assert (conv.state, conv.outcome) == ("crisis", "crisis")  # its own outcome, class handed_to_staff
        task = s.scalars(select(FollowUpTask).where(FollowUpTask.patient_id == pid)).one()
        assert (task.priority, task.team, task.understood) == ("urgent", "nursing", "blood pressure: 184/96")
        assert task.reason.startswith("BP 184/96, reported ") and "crisis level" in task.reason
        reading = s.scalars(select(Reading).where(Reading.patient_id == pid)).one()
        assert (reading.kind, reading.values) == ("blood_pressure", {"systolic": 184, "diastolic": 96})
        assert reading.message_id is not None and reading.flow == "bp_checkin"

        out = io.StringIO()
        write_csv((r for r in export_rows(s, kind="blood_pressure") if r["patient_id"] == pid), out)
    text = out.getvalue()
    assert "reading_id,patient_id,external_ref,kind,recorded_at,systolic,diastolic,value,unit" in text
    assert ",blood_pressure," in text and ",184,96,,mmHg,,184/96,bp_checkin," in text
    assert phone not in text and phone.lstrip("+") not in text


def test_a_crisis_number_in_an_unreadable_reply_is_urgent_at_once(stack):
    pid, phone = _start_bp(stack)
    stack.text_in(phone, "took it 3 times: 190, 195, 200")
    stack.drain()
    with get_database(stack.database_url).session() as s:
        tasks = list(s.scalars(select(FollowUpTask).where(FollowUpTask.patient_id == pid)))
        conv = s.scalars(select(Conversation).where(Conversation.patient_id == pid)
                         .order_by(Conversation.id.desc())).first()
    assert [t.priority for t in tasks] == ["urgent"] and conv.state == "ask"
    assert "send it again as numbers" in stack.fake.messages(to=phone)[-1]["body"]
