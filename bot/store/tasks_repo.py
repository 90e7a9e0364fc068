"""The care team's work on follow-up tasks: the queue, claiming, assigning, notes, resolving.

Every change that two people could make at once is a conditional UPDATE, so the database
decides who wins: a claim only succeeds on a task that is still open (exactly one of two
simultaneous claims changes a row; the other is told who has it), and an assignment carries the
version the person saw. SQLite serialises writers (BEGIN IMMEDIATE, see bot.store.db); on
PostgreSQL the losing UPDATE waits for the row lock, re-reads the row and matches nothing.
Callers commit; each function also writes its audit event, without note or message text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Case, CursorResult, Select, case, func, or_, select, update
from sqlalchemy.orm import Session

from bot import metrics
from bot.defaults import TASK_PRIORITIES
from bot.errors import OutreachError
from bot.store import enrolments, staff_names
from bot.store import repositories as repo
from bot.store.models import (
    INBOUND,
    TASK_CLAIMED,
    TASK_OPEN,
    TASK_RESOLVED,
    Conversation,
    FollowUpTask,
    Message,
    Patient,
)

#: Status filter values the queue understands ("active" = open or claimed).
STATUS_FILTERS = ("active", TASK_OPEN, TASK_CLAIMED, TASK_RESOLVED, "all")
ACTIVE_STATUSES = (TASK_OPEN, TASK_CLAIMED)

#: Outcomes a task may be resolved with, and whether each means a person reached the patient.
RESOLUTIONS: dict[str, tuple[str, bool]] = {
    "reached_patient": ("Reached the patient; need met", True),
    "refill_arranged": ("Refill arranged", True),
    "appointment_booked": ("Appointment booked", True),
    "referred": ("Referred to another service", True),
    "answered_by_message": ("Answered by text message", True),
    "unable_to_reach": ("Unable to reach the patient", False),
    "contact_fixed": ("Contact details corrected", False),
    "not_needed": ("No action needed", False),
    "duplicate": ("Duplicate of another task", False),
}

#: Longest note accepted (characters); notes are for the next person, not for charting.
MAX_NOTE_LENGTH = 2000
#: Most tasks a queue read returns at once (the API, "next task").
QUEUE_LIMIT = 200
#: Tasks per page of the queue page: a screenful to work through, drawn in well under the
#: 200 ms a page may take with a year of history (bench/bench_pages.py).
QUEUE_PAGE_SIZE = 50


class TaskError(OutreachError):
    """A task action cannot be done as asked; the message is safe to show to staff."""


class TaskNotFound(TaskError):
    pass


class TaskConflict(TaskError):
    """Someone else changed or holds the task; `holder` is who has it now, if anyone."""

    def __init__(self, message: str, holder: str | None = None) -> None:
        super().__init__(message)
        self.holder = holder


class StaleTask(TaskConflict):
    """The page the action came from showed an older version of the task: acting on it could
    answer a patient someone already helped, so nothing is done and the current state is said."""


def current_state(task: FollowUpTask, names: dict[str, str] | None = None) -> str:
    """The task's state in words: 'resolved by Dana Nurse (Refill arranged)', 'claimed by ...'."""
    who = (names or {}).get(task.assignee or "", task.assignee or "")
    if task.status == TASK_RESOLVED:
        outcome = RESOLUTIONS.get(task.resolution or "", (task.resolution or "",))[0]
        return f"resolved by {who}" + (f" ({outcome})" if outcome else "")
    if task.status == TASK_CLAIMED:
        return f"claimed by {who}"
    return "open, with nobody on it"


def expect_version(task: FollowUpTask, expected: int | None,
                   names: dict[str, str] | None = None) -> None:
    """Refuse an action taken on a page that showed an older version of `task`."""
    if expected is not None and task.version != expected:
        raise StaleTask("this task changed while your page was open: it is now "
                        f"{current_state(task, names)}. Nothing was sent or changed; "
                        "read it again below.", task.assignee)


@dataclass(frozen=True)
class TaskFilter:
    """What the queue shows. `teams` are the queues the viewer may see (always applied)."""

    teams: tuple[str, ...]
    team: str | None = None
    status: str = "active"
    language: str | None = None
    flow: str | None = None
    #: An email, "unassigned", or None for anyone.
    assignee: str | None = None
    #: Only tasks of this priority ("urgent" from the urgent count).
    priority: str | None = None
    #: Only unresolved tasks past their due time (from the overdue count).
    overdue: bool = False


@dataclass(frozen=True)
class QueueRow:
    task: FollowUpTask
    patient_name: str
    language: str | None
    flow: str | None
    overdue: bool
    #: The patient's newest text, so the queue shows their own words on every row.
    last_message: str | None = None
    #: The patient's other tasks under the filter: one row per patient, headed by the most
    #: pressing one, so one person answers them together.
    others: tuple[FollowUpTask, ...] = ()
    #: The patient's language tag (for `lang` on their words), even when unknown to Babel.
    locale: str | None = None
    #: What the conversation saved from the patient's answers (chosen slot, barrier, rating).
    answers: dict[str, Any] | None = None

    @property
    def urgent(self) -> bool:
        return self.task.priority == "urgent"

    @property
    def count(self) -> int:
        return 1 + len(self.others)


@dataclass(frozen=True)
class ClaimResult:
    won: bool
    holder: str | None


def priority_rank() -> Case[int]:
    """SQL expression ordering urgent first, then high, routine, low; unknown last."""
    return case({p: i for i, p in enumerate(TASK_PRIORITIES)}, value=FollowUpTask.priority,
                else_=len(TASK_PRIORITIES))


def _base(f: TaskFilter) -> Select:  # type: ignore[type-arg]
    stmt = (
        select(FollowUpTask, Patient, Conversation)
        .outerjoin(Patient, FollowUpTask.patient_id == Patient.id)
        .outerjoin(Conversation, FollowUpTask.conversation_id == Conversation.id)
    )
    return _filtered(stmt, f)


def _filtered(stmt: Select, f: TaskFilter) -> Select:  # type: ignore[type-arg]
    """`stmt` (over tasks, joined to their patient and conversation when the filter reads
    them) narrowed by everything in `f` but its status."""
    stmt = stmt.where(FollowUpTask.team.in_(f.teams))
    if f.team:
        stmt = stmt.where(FollowUpTask.team == f.team)
    if f.language:
        stmt = stmt.where(or_(Patient.locale == f.language, Patient.preferred_language == f.language))
    if f.flow:
        stmt = stmt.where(Conversation.flow == f.flow)
    if f.assignee == "unassigned":
        stmt = stmt.where(FollowUpTask.assignee.is_(None))
    elif f.assignee:
        stmt = stmt.where(FollowUpTask.assignee == f.assignee)
    if f.priority:
        stmt = stmt.where(FollowUpTask.priority == f.priority)
    return stmt


def _tasks_only(f: TaskFilter, *columns: Any) -> Select:  # type: ignore[type-arg]
    """Like `_base` but reading only task columns, joining the patient or conversation only
    when the filter is on them: counts and orderings then touch one table, not three."""
    stmt = select(*columns) if columns else select(FollowUpTask)
    if f.language:
        stmt = stmt.select_from(FollowUpTask).join(Patient, FollowUpTask.patient_id == Patient.id)
    if f.flow:
        stmt = stmt.select_from(FollowUpTask).join(
            Conversation, FollowUpTask.conversation_id == Conversation.id)
    return _filtered(stmt, f)


def _with_status(stmt: Select, status: str) -> Select:  # type: ignore[type-arg]
    if status == "active":
        return stmt.where(FollowUpTask.status.in_(ACTIVE_STATUSES))
    if status in (TASK_OPEN, TASK_CLAIMED, TASK_RESOLVED):
        return stmt.where(FollowUpTask.status == status)
    return stmt


def list_tasks(session: Session, f: TaskFilter, now: datetime,
               limit: int = QUEUE_LIMIT, offset: int = 0) -> list[QueueRow]:
    """The queue: active tasks by priority then SLA due time (resolved ones newest first).

    An urgent task past its due time therefore always heads the queue. A patient's unresolved
    tasks make one row, headed by the most pressing; resolved tasks stay one row each.
    """
    return _rows(session, _page_ids(session, f, now, limit, offset), now)


def queue_page(session: Session, f: TaskFilter, now: datetime,
               page: int = 1) -> tuple[list[QueueRow], bool]:
    """Page `page` (from 1) of the queue, `QUEUE_PAGE_SIZE` tasks at a time, and whether more
    follow: the page a person reads is drawn, not the whole backlog."""
    offset = (max(1, page) - 1) * QUEUE_PAGE_SIZE
    ids = _page_ids(session, f, now, QUEUE_PAGE_SIZE + 1, offset)
    return _rows(session, ids[:QUEUE_PAGE_SIZE], now), len(ids) > QUEUE_PAGE_SIZE


def _page_ids(session: Session, f: TaskFilter, now: datetime, limit: int,
              offset: int) -> list[int]:
    # The ordering and limit run over the tasks table alone (an index on status, team and due
    # time serves it); only the page's own rows are then joined to patients and conversations.
    page = _with_status(_tasks_only(f, FollowUpTask.id), f.status)
    if f.overdue:
        page = page.where(FollowUpTask.status.in_(ACTIVE_STATUSES), FollowUpTask.sla_due_at < now)
    if f.status == TASK_RESOLVED:
        order: tuple[Any, ...] = (FollowUpTask.resolved_at.desc(), FollowUpTask.id.desc())
    else:
        resolved_last = case((FollowUpTask.status == TASK_RESOLVED, 1), else_=0)
        order = (resolved_last, priority_rank(), FollowUpTask.sla_due_at, FollowUpTask.id)
    return list(session.scalars(page.order_by(*order).limit(limit).offset(offset)))


def _rows(session: Session, ids: list[int], now: datetime) -> list[QueueRow]:
    position = {task_id: i for i, task_id in enumerate(ids)}
    found: list[tuple[FollowUpTask, Patient | None, Conversation | None]] = sorted(
        session.execute(
        select(FollowUpTask, Patient, Conversation)
        .outerjoin(Patient, FollowUpTask.patient_id == Patient.id)
        .outerjoin(Conversation, FollowUpTask.conversation_id == Conversation.id)
        .where(FollowUpTask.id.in_(ids))).all(),  # type: ignore[arg-type]
        key=lambda row: position[row[0].id]) if ids else []
    last = last_patient_messages(session, {task.patient_id for task, _, _ in found if task.patient_id})
    heads: dict[int, int] = {}
    grouped: list[tuple[FollowUpTask, Patient | None, Conversation | None,
                        list[FollowUpTask]]] = []
    for task, patient, conv in found:
        active = task.status in ACTIVE_STATUSES
        if active and task.patient_id is not None and task.patient_id in heads:
            grouped[heads[task.patient_id]][3].append(task)
            continue
        if active and task.patient_id is not None:
            heads[task.patient_id] = len(grouped)
        grouped.append((task, patient, conv, []))
    rows = []
    for task, patient, conv, others in grouped:
        name = f"{patient.first_name} {patient.last_name}".strip() if patient else ""
        rows.append(QueueRow(
            task=task,
            patient_name=name or "Unknown sender",
            language=(patient.preferred_language or patient.locale) if patient else None,
            flow=conv.flow if conv else None,
            overdue=task.status != TASK_RESOLVED and task.sla_due_at < now,
            last_message=last.get(task.patient_id) if task.patient_id else None,
            others=tuple(others),
            locale=(patient.preferred_language or patient.locale) if patient else None,
            answers=dict(conv.context or {}) if conv else None,
        ))
    return rows


def next_task(session: Session, f: TaskFilter, now: datetime,
              skip_patient: int | None = None) -> QueueRow | None:
    """The top of the viewer's open queue, another patient's ("Next task" after resolving)."""
    active = TaskFilter(teams=f.teams, team=f.team, status="active")
    for row in list_tasks(session, active, now, limit=50):
        if skip_patient is None or row.task.patient_id != skip_patient:
            return row
    return None


def last_patient_messages(session: Session, patient_ids: set[int]) -> dict[int, str]:
    """Each patient's newest inbound text (one query, whatever the number of rows)."""
    if not patient_ids:
        return {}
    newest = (select(func.max(Message.id))
              .where(Message.direction == INBOUND, Message.patient_id.in_(patient_ids))
              .group_by(Message.patient_id))
    stmt = select(Message.patient_id, Message.body).where(Message.id.in_(newest))
    return {pid: body for pid, body in session.execute(stmt) if pid is not None}


def counts_by_status(session: Session, f: TaskFilter, now: datetime) -> dict[str, int]:
    """Tasks per status under the filter (ignoring its status part), plus the unresolved ones
    that are `overdue`, `urgent` and `unassigned` (the queue's clickable counts)."""
    counts: dict[str, int] = {s: 0 for s in (TASK_OPEN, TASK_CLAIMED, TASK_RESOLVED,
                                             "overdue", "urgent", "unassigned")}
    # Unresolved work in one pass (the status index finds it), the clickable counts alongside;
    # resolved history, which only grows, is one count an index on status and team answers.
    stmt = _tasks_only(
        f, FollowUpTask.status, func.count(),
        func.count().filter(FollowUpTask.sla_due_at < now),
        func.count().filter(FollowUpTask.priority == "urgent"),
        func.count().filter(FollowUpTask.status == TASK_OPEN, FollowUpTask.assignee.is_(None)),
    ).where(FollowUpTask.status.in_(ACTIVE_STATUSES)).group_by(FollowUpTask.status)
    for status, n, overdue, urgent, unassigned in session.execute(stmt):
        counts[status] = n
        counts["overdue"] += overdue
        counts["urgent"] += urgent
        counts["unassigned"] += unassigned
    counts[TASK_RESOLVED] = session.scalar(
        _tasks_only(f, func.count()).where(FollowUpTask.status == TASK_RESOLVED)) or 0
    return counts


def queue_signature(session: Session, f: TaskFilter) -> str:
    """Changes whenever a task the filtered queue shows is added, changed or leaves it (for
    the page's poll); only those tasks are read, not the whole resolved history."""
    n, top, versions = session.execute(_with_status(_tasks_only(
        f, func.count(), func.max(FollowUpTask.id), func.sum(FollowUpTask.version)), f.status)
    ).one()
    return f"{n}-{top or 0}-{versions or 0}"


def newest_urgent(session: Session, f: TaskFilter, after_id: int) -> list[int]:
    """Ids of open urgent tasks under the filter newer than `after_id` (to announce them)."""
    stmt = _tasks_only(f, FollowUpTask.id).where(
        FollowUpTask.status == TASK_OPEN, FollowUpTask.priority == "urgent",
        FollowUpTask.id > after_id)
    return list(session.scalars(stmt.order_by(FollowUpTask.id)))


def get_task(session: Session, task_id: int, teams: Sequence[str] | None = None) -> FollowUpTask:
    """The task, fresh from the database; TaskNotFound if missing or outside `teams`."""
    task = session.get(FollowUpTask, task_id, populate_existing=True)
    if task is None or (teams is not None and task.team not in teams):
        raise TaskNotFound(f"task {task_id} not found")
    return task


def _audit(session: Session, task: FollowUpTask, action: str, reason: str, now: datetime,
           **detail: object) -> None:
    repo.audit(session, action, reason, now, patient_id=task.patient_id,
               conversation_id=task.conversation_id, detail={"task_id": task.id, **detail})


def claim(session: Session, task_id: int, email: str, now: datetime) -> ClaimResult:
    """Take an open task. Exactly one of several simultaneous claims wins."""
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(FollowUpTask)
        .where(FollowUpTask.id == task_id, FollowUpTask.status == TASK_OPEN)
        .values(status=TASK_CLAIMED, assignee=email, claimed_at=now,
                version=FollowUpTask.version + 1)
        .execution_options(synchronize_session=False)
    )
    task = get_task(session, task_id)
    if result.rowcount == 1:
        _audit(session, task, "task_claimed", "claimed from the queue", now, by=email)
        return ClaimResult(True, email)
    if task.status == TASK_CLAIMED and task.assignee == email:
        return ClaimResult(True, email)
    return ClaimResult(False, task.assignee)


def release(session: Session, task_id: int, email: str, now: datetime,
            override: bool = False) -> None:
    """Put a claimed task back in the queue (its holder, or a supervisor with `override`)."""
    cond = [FollowUpTask.id == task_id, FollowUpTask.status == TASK_CLAIMED]
    if not override:
        cond.append(FollowUpTask.assignee == email)
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(FollowUpTask).where(*cond)
        .values(status=TASK_OPEN, assignee=None, claimed_at=None, version=FollowUpTask.version + 1)
        .execution_options(synchronize_session=False)
    )
    task = get_task(session, task_id)
    if result.rowcount != 1:
        raise TaskConflict("only the person holding this task can put it back", task.assignee)
    _audit(session, task, "task_released", "put back in the queue", now, by=email)


def assign(session: Session, task_id: int, assignee: str, by: str, expected_version: int,
           now: datetime) -> None:
    """Give the task to a colleague, if nobody changed it since `expected_version` was read."""
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(FollowUpTask)
        .where(FollowUpTask.id == task_id, FollowUpTask.version == expected_version,
               FollowUpTask.status != TASK_RESOLVED)
        .values(status=TASK_CLAIMED, assignee=assignee,
                claimed_at=func.coalesce(FollowUpTask.claimed_at, now),
                version=FollowUpTask.version + 1)
        .execution_options(synchronize_session=False)
    )
    task = get_task(session, task_id)
    if result.rowcount != 1:
        raise TaskConflict("this task changed since you opened it; check it and try again",
                           task.assignee)
    _audit(session, task, "task_assigned", "assigned to a colleague", now, by=by, to=assignee)


def add_note(session: Session, task_id: int, by: str, text: str, now: datetime,
             contacted: bool = False, zone: str = "UTC", signed: str | None = None) -> None:
    """Append a dated, signed note; `contacted` records a human contact (e.g. a phone call).

    The stamp is in the program's `zone`, named, so notes read in the same clock as every
    other time on the page; `signed` is the author's name (their email when not given).
    """
    text = text.strip()
    if not text:
        raise TaskError("the note is empty")
    if len(text) > MAX_NOTE_LENGTH:
        raise TaskError(f"notes are limited to {MAX_NOTE_LENGTH} characters")
    task = get_task(session, task_id)
    stamp = now.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %Z")
    task.notes = (task.notes + "\n" if task.notes else "") + f"[{stamp}] {signed or by}: {text}"
    if contacted:
        first_contact(session, task, now)
    session.flush()
    _audit(session, task, "task_note", "note added", now, by=by, contacted=contacted)


def first_contact(session: Session, task: FollowUpTask, now: datetime) -> None:
    """A person contacted the patient about `task`: the first time is kept, and counted for
    the run it came from and the time-to-first-contact histogram."""
    if task.first_contact_at is not None:
        return
    task.first_contact_at = now
    enrolments.record_first_contact(session, task.conversation_id, now)
    seconds = max(0.0, (now - task.created_at).total_seconds())
    metrics.count_after_commit(session, partial(
        metrics.FIRST_HUMAN_CONTACT_SECONDS.labels(priority=task.priority).observe, seconds))


def resolve(session: Session, task_id: int, by: str, resolution: str, now: datetime,
            note: str = "", override: bool = False,
            expected_version: int | None = None, zone: str = "UTC",
            signed: str | None = None) -> None:
    """Close the task with an outcome. Its holder resolves it (or anyone, if unclaimed);
    a supervisor may resolve any task with `override`.

    An urgent task is closed only by someone who holds it and says what happened (a note):
    "Reached the patient" on a crisis must name a person and an account of the contact.
    With `expected_version` (the version the page showed) a changed task is refused.
    """
    if resolution not in RESOLUTIONS:
        raise TaskError(f"unknown outcome {resolution!r}")
    task = get_task(session, task_id)
    expect_version(task, expected_version, staff_names.by_email(session, [task.assignee]))
    if task.status == TASK_RESOLVED:
        raise TaskConflict("this task is already resolved", task.assignee)
    if task.status == TASK_CLAIMED and task.assignee != by and not override:
        who = staff_names.by_email(session, [task.assignee]).get(task.assignee or "")
        raise TaskConflict(f"{who or task.assignee} has this task", task.assignee)
    if task.priority == "urgent":
        if task.status != TASK_CLAIMED:
            raise TaskError("an urgent task is resolved by the person who has it: "
                            "claim it first")
        if not note.strip():
            raise TaskError("an urgent task needs a closing note saying what was done")
    cond = [FollowUpTask.id == task_id, FollowUpTask.status.in_(ACTIVE_STATUSES)]
    if expected_version is not None:
        cond.append(FollowUpTask.version == expected_version)
    if not override:
        cond.append(or_(FollowUpTask.assignee.is_(None), FollowUpTask.assignee == by))
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(FollowUpTask).where(*cond)
        .values(status=TASK_RESOLVED, resolution=resolution, resolved_at=now,
                assignee=func.coalesce(FollowUpTask.assignee, by),
                version=FollowUpTask.version + 1)
        .execution_options(synchronize_session=False)
    )
    task = get_task(session, task_id)
    if result.rowcount != 1:
        if task.status == TASK_RESOLVED:
            raise TaskConflict("this task is already resolved", task.assignee)
        if expected_version is not None and task.version != expected_version:
            expect_version(task, expected_version,
                           staff_names.by_email(session, [task.assignee]))
        raise TaskConflict(f"{task.assignee} has this task", task.assignee)
    if RESOLUTIONS[resolution][1]:
        first_contact(session, task, now)
    if note.strip():
        add_note(session, task_id, by, note, now, zone=zone, signed=signed)
    session.flush()
    _audit(session, task, "task_resolved", RESOLUTIONS[resolution][0], now, by=by,
           resolution=resolution)


def open_task_for_patient(session: Session, patient_id: int) -> FollowUpTask | None:
    """The patient's most urgent unresolved task, where a new reply from them belongs."""
    return session.scalar(
        select(FollowUpTask)
        .where(FollowUpTask.patient_id == patient_id, FollowUpTask.status.in_(ACTIVE_STATUSES))
        .order_by(priority_rank(), FollowUpTask.sla_due_at, FollowUpTask.id)
        .limit(1)
    )


def tasks_for_patient(session: Session, patient_id: int) -> list[FollowUpTask]:
    return list(session.scalars(
        select(FollowUpTask).where(FollowUpTask.patient_id == patient_id)
        .order_by(FollowUpTask.created_at.desc(), FollowUpTask.id.desc())
    ))


def attach_reply(session: Session, patient_id: int, message_id: int | None,
                 now: datetime) -> FollowUpTask | None:
    """A patient's text outside any conversation belongs to their open task, if they have one.

    Returns that task (the caller then neither opens a second task nor sends the automatic
    hand-off answer: a person is already on it), or None when there is no open task.
    """
    task = open_task_for_patient(session, patient_id)
    if task is None:
        return None
    _audit(session, task, "reply_to_task", "patient replied; shown on the open task", now,
           message_id=message_id)
    return task
