"""The results export: one row per enrolment, for a quality-improvement team's own tools.

Columns follow RapidPro's run exports and Simple.org's line lists: an external patient
reference (never our database id alone, never a phone number), the run's flow, language,
channel, stage and variant, its timestamps and outcome, and counts. Phone numbers and the
patient's own words are added only when the caller asks (`with_contact`) and names who asked:
that export leaves an audit entry in the same transaction that reads the rows.

CSV cells that a spreadsheet would read as a formula (=, +, -, @, tab, CR first) are prefixed
with a quote, so an export opened in Excel or Sheets cannot run anything.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.results import Filters
from bot.store import repositories as repo
from bot.store.enrolments import Enrolment
from bot.store.enums import Direction
from bot.store.models import Message, Patient

COLUMNS = (
    "enrolment_id", "patient_ref", "campaign", "flow", "flow_version", "language", "channel",
    "stage", "variant", "enrolled_at", "reached_at", "first_reply_at", "outcome",
    "outcome_class", "ended_at", "escalated", "tasks", "urgent_tasks",
    "first_human_contact_at", "hours_to_first_human_contact", "opted_out", "messages_sent",
    "segments_sent", "messages_delivered", "replies",
)
CONTACT_COLUMNS = ("phone", "reply_texts")
FORMATS = ("csv", "parquet")
#: Rows read per round trip: the export's memory stays flat at any panel size.
BATCH = 1000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A text cell a spreadsheet will show as text, never evaluate."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _row(e: Enrolment, ref: str | None) -> dict[str, Any]:
    hours: float | str = ""
    if e.first_human_contact_at and e.escalated_at:
        hours = round((e.first_human_contact_at - e.escalated_at).total_seconds() / 3600, 2)
    return {
        "enrolment_id": e.id, "patient_ref": ref or f"patient-{e.patient_id}",
        "campaign": e.campaign, "flow": e.flow, "flow_version": e.flow_version,
        "language": e.locale, "channel": e.channel, "stage": e.stage or "",
        "variant": e.variant or "", "enrolled_at": _iso(e.enrolled_at),
        "reached_at": _iso(e.reached_at), "first_reply_at": _iso(e.first_reply_at),
        "outcome": e.outcome or "", "outcome_class": e.outcome_class or "",
        "ended_at": _iso(e.ended_at), "escalated": e.escalated_at is not None,
        "tasks": e.tasks, "urgent_tasks": e.urgent_tasks,
        "first_human_contact_at": _iso(e.first_human_contact_at),
        "hours_to_first_human_contact": hours, "opted_out": e.opted_out,
        "messages_sent": e.messages_sent, "segments_sent": e.segments_sent,
        "messages_delivered": e.messages_delivered, "replies": e.replies,
    }


@dataclass
class ExportRequest:
    filters: Filters
    #: Add phone numbers and the patient's replies (needs `requested_by`; audited).
    with_contact: bool = False
    requested_by: str | None = None


def rows(session: Session, request: ExportRequest, now: datetime) -> Iterator[dict[str, Any]]:
    """Every enrolment the filters select, oldest first, in batches of `BATCH`."""
    if request.with_contact:
        if not request.requested_by:
            raise ValueError("an export with phone numbers and replies must name who asked")
        repo.audit(session, "results_export_contact",
                   "results exported with phone numbers and replies", now,
                   detail={"by": request.requested_by, **request.filters.as_args()})
        session.flush()
    after = 0
    while True:
        stmt = request.filters.apply(
            select(Enrolment, Patient.external_ref, Patient.phone)
            .join(Patient, Patient.id == Enrolment.patient_id)
            .where(Enrolment.id > after).order_by(Enrolment.id).limit(BATCH))
        batch = session.execute(stmt).all()
        if not batch:
            return
        texts = _reply_texts(session, [e.conversation_id for e, _, _ in batch]) \
            if request.with_contact else {}
        for enrolment, ref, phone in batch:
            row = _row(enrolment, ref)
            if request.with_contact:
                row["phone"] = phone
                row["reply_texts"] = " | ".join(texts.get(enrolment.conversation_id, []))
            yield row
        after = batch[-1][0].id
        session.expunge_all()


def _reply_texts(session: Session, conversation_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for cid, body in session.execute(
            select(Message.conversation_id, Message.body)
            .where(Message.conversation_id.in_(conversation_ids),
                   Message.direction == Direction.INBOUND)
            .order_by(Message.id)):
        if cid is not None:
            found.setdefault(cid, []).append(body)
    return found


def columns(request: ExportRequest) -> tuple[str, ...]:
    return COLUMNS + CONTACT_COLUMNS if request.with_contact else COLUMNS


def write_csv(out: IO[str], session: Session, request: ExportRequest, now: datetime) -> int:
    writer = csv.DictWriter(out, fieldnames=columns(request), lineterminator="\n")
    writer.writeheader()
    written = 0
    for row in rows(session, request, now):
        writer.writerow({k: safe_cell(v) for k, v in row.items()})
        written += 1
    return written


def csv_chunks(session: Session, request: ExportRequest, now: datetime) -> Iterator[str]:
    """The CSV in pieces, for a streamed download."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns(request), lineterminator="\n")
    writer.writeheader()
    for n, row in enumerate(rows(session, request, now), 1):
        writer.writerow({k: safe_cell(v) for k, v in row.items()})
        if n % BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_parquet(path: Path, session: Session, request: ExportRequest, now: datetime) -> int:
    """A Parquet file, written a batch at a time (typed columns: counts stay numbers)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    ints = {"enrolment_id", "flow_version", "tasks", "urgent_tasks", "messages_sent",
            "segments_sent", "messages_delivered", "replies"}
    bools = {"escalated", "opted_out"}
    schema = pa.schema([
        (name, pa.int64() if name in ints else pa.bool_() if name in bools else pa.string())
        for name in columns(request)])
    written = 0
    with pq.ParquetWriter(path, schema) as writer:
        batch: list[dict[str, Any]] = []
        for row in rows(session, request, now):
            batch.append({k: (str(v) if k not in ints | bools else v) for k, v in row.items()})
            if len(batch) == BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                written, batch = written + len(batch), []
        if batch or not written:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            written += len(batch)
    return written
