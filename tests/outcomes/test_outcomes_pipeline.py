"""After a scripted run through the real pipeline (signed webhooks, `rq worker` subprocesses,
the Twilio stand-in over HTTP and its status callbacks), the enrolment rows and the export
agree with what the stand-in saw and with the task table."""

from __future__ import annotations

import csv
import io
import itertools
import uuid
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from stack_support import daytime_timezone

from bot import settings as settings_mod
from bot.cli.main import main as cli
from bot.cli.pipeline import start_campaign
from bot.store.db import get_database
from bot.store.enrolments import Enrolment
from bot.store.models import AuditEvent, Conversation, FollowUpTask, Patient

pytestmark = pytest.mark.integration

_PHONES = itertools.count(uuid.uuid4().int % 10_000)


def _patient(database_url: str, ref: str, **fields: Any) -> tuple[int, str]:
    phone = "+1202556" + str(next(_PHONES) % 10_000).zfill(4)
    with get_database(database_url).session() as s:
        patient = Patient(phone=phone, external_ref=ref, first_name="Ana",
                          timezone=daytime_timezone(), attributes={"due_date": "2030-01-15"},
                          **fields)
        s.add(patient)
        s.flush()
        return patient.id, phone


def _park_others(database_url: str, keep: set[int]) -> None:
    with get_database(database_url).session() as s:
        for other in s.scalars(select(Patient).where(Patient.id.notin_(keep),
                                                     Patient.phone_status.is_(None))):
            other.phone_status = "test-skip"


def _export(stack: Any, *args: str) -> list[dict[str, str]]:
    result = CliRunner().invoke(cli, ["results", "export", *args],
                                env={"DATABASE_URL": stack.database_url})
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.output)))


@pytest.fixture(scope="module")
def scripted_run(stack: Any) -> dict[str, Any]:
    """Six patients in one refill campaign: yes, a barrier, STOP, silence, a landline and a
    number the carrier refuses."""
    tag = uuid.uuid4().hex[:6]
    people = {name: _patient(stack.database_url, f"ref-{tag}-{name}", **extra) for name, extra in
              [("yes", {}), ("barrier", {"locale": "es"}), ("stop", {}), ("silent", {}),
               ("landline", {}), ("invalid", {})]}
    stack.fake.configure(landline=[people["landline"][1]], invalid=[people["invalid"][1]])
    _park_others(stack.database_url, {pid for pid, _ in people.values()})
    started = start_campaign(settings_mod.load(stack.env), "refill_reminder")
    assert sorted(started) == sorted(pid for pid, _ in people.values())
    stack.drain()
    texts = {"yes": ["yes"], "barrier": ["no", "1"], "stop": ["STOP"]}
    for name, replies in texts.items():
        for body in replies:
            assert stack.text_in(people[name][1], body).status_code == 200
            stack.drain()
    return {"people": people, "texts": texts, "tag": tag}


def test_one_row_per_enrolment_matching_the_stand_in_and_the_tasks(stack, scripted_run):
    people, texts = scripted_run["people"], scripted_run["texts"]
    rows = {r["patient_ref"]: r for r in _export(stack, "--campaign", "refill_reminder")}
    ours = {name: rows[f"ref-{scripted_run['tag']}-{name}"] for name in people}
    assert len({r["enrolment_id"] for r in ours.values()}) == len(people)
    with get_database(stack.database_url).session() as s:
        for name, (_pid, phone) in people.items():
            row = ours[name]
            sent = stack.fake.messages(to=phone)
            delivered = [m for m in sent if m["status"] == "delivered"]
            assert int(row["messages_sent"]) == len(sent), name
            assert int(row["messages_delivered"]) == len(delivered), name
            assert int(row["segments_sent"]) == sum(int(m["num_segments"]) for m in sent), name
            assert int(row["replies"]) == len(texts.get(name, [])), name
            conv_id = s.scalar(select(Enrolment.conversation_id).where(
                Enrolment.id == int(row["enrolment_id"])))
            tasks = list(s.scalars(select(FollowUpTask).where(
                FollowUpTask.conversation_id == conv_id)))
            assert int(row["tasks"]) == len(tasks), name
            assert int(row["urgent_tasks"]) == sum(t.priority == "urgent" for t in tasks), name
            assert (row["escalated"] == "True") == bool(tasks), name
            conv = s.get(Conversation, conv_id)
            assert row["outcome"] == (conv.outcome or ""), name
            assert "+1" not in "".join(row.values()), "no phone number without the flag"
    assert ours["yes"]["outcome_class"] == "success" and ours["yes"]["first_reply_at"]
    assert ours["yes"]["reached_at"] and ours["yes"]["ended_at"]
    assert ours["barrier"]["language"] == "es" and ours["barrier"]["escalated"] == "True"
    assert ours["stop"]["opted_out"] == "True" and ours["stop"]["outcome_class"] == "opted_out"
    assert ours["silent"]["reached_at"] and not ours["silent"]["first_reply_at"]
    assert not ours["silent"]["ended_at"] and ours["silent"]["outcome"] == ""
    # The landline's text was undelivered (30006); the program called instead and the call
    # was answered: reached, by voice.
    assert ours["landline"]["messages_delivered"] == "0" and ours["landline"]["reached_at"]
    assert not ours["invalid"]["reached_at"] and ours["invalid"]["messages_sent"] == "0"
    assert ours["invalid"]["outcome_class"] == "unreachable"


def test_a_re_run_the_same_day_enrols_nobody_twice(stack, scripted_run):
    start_campaign(settings_mod.load(stack.env), "refill_reminder")
    stack.drain()
    with get_database(stack.database_url).session() as s:
        per_conversation = s.execute(select(Enrolment.conversation_id, func.count())
                                     .group_by(Enrolment.conversation_id)
                                     .having(func.count() > 1)).all()
        assert per_conversation == []
        for pid, _ in scripted_run["people"].values():
            enrolled = s.scalar(select(func.count()).select_from(Enrolment)
                                .where(Enrolment.patient_id == pid))
            convs = s.scalar(select(func.count()).select_from(Conversation).where(
                Conversation.patient_id == pid, Conversation.campaign.is_not(None)))
            assert enrolled == convs


def test_contact_details_only_with_the_flag_and_an_audit_entry(stack, scripted_run):
    people = scripted_run["people"]
    rows = _export(stack, "--campaign", "refill_reminder", "--include-contact",
                   "lead@clinic.test")
    # A leading "+" is what a spreadsheet reads as a formula: the cell keeps it behind a quote.
    assert all(r["phone"].startswith("'+") for r in rows)
    ours = {r["phone"].removeprefix("'"): r for r in rows}
    assert ours[people["barrier"][1]]["reply_texts"] == "no | 1"
    with get_database(stack.database_url).session() as s:
        audit = s.scalars(select(AuditEvent).where(
            AuditEvent.action == "results_export_contact").order_by(AuditEvent.id.desc())).first()
    assert audit is not None and audit.detail["by"] == "lead@clinic.test"


def test_parquet_has_the_same_rows(stack, scripted_run, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "results.parquet"
    result = CliRunner().invoke(cli, ["results", "export", "--campaign", "refill_reminder",
                                      "--format", "parquet", "-o", str(out)],
                                env={"DATABASE_URL": stack.database_url})
    assert result.exit_code == 0, result.output
    table = pq.read_table(out).to_pylist()
    csv_rows = _export(stack, "--campaign", "refill_reminder")
    assert [r["enrolment_id"] for r in table] == [int(r["enrolment_id"]) for r in csv_rows]
    assert [r["replies"] for r in table] == [int(r["replies"]) for r in csv_rows]
