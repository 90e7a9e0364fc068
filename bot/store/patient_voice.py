"""One voice per patient: who on the care team is answering a patient now, and taking over.

A patient in crisis who hears from two nurses at once gets two different answers. The claim on
any of the patient's unresolved tasks makes its holder the patient's voice: every page that can
text the patient shows who that is and since when, and a colleague's text is refused unless they
take over explicitly. Taking over moves all of the patient's claimed tasks to the new person
(audited with both names), so there is again exactly one voice. The task page and the patient
page both go through `check_reply`: one rule, one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from bot.store import repositories as repo
from bot.store import staff_names, tasks_repo
from bot.store.models import TASK_CLAIMED, FollowUpTask


class VoiceHeld(tasks_repo.TaskConflict):
    """A colleague is answering this patient; the reply needs an explicit take-over."""


@dataclass(frozen=True)
class Voice:
    """Who holds the patient: their email, name, since when, and through which task."""

    email: str
    name: str
    since: datetime | None
    task_id: int


def holder(session: Session, patient_id: int | None) -> Voice | None:
    """The person holding the patient's earliest-claimed unresolved task, if anyone."""
    if patient_id is None:
        return None
    task = session.scalar(
        select(FollowUpTask)
        .where(FollowUpTask.patient_id == patient_id, FollowUpTask.status == TASK_CLAIMED,
               FollowUpTask.assignee.is_not(None))
        .order_by(FollowUpTask.claimed_at, FollowUpTask.id).limit(1))
    if task is None or task.assignee is None:
        return None
    name = staff_names.by_email(session, [task.assignee]).get(task.assignee, task.assignee)
    return Voice(task.assignee, name, task.claimed_at, task.id)


def check_reply(session: Session, patient_id: int | None, by: str, take_over: bool,
                now: datetime) -> None:
    """Let `by` text the patient: free when nobody else holds them; with `take_over` the
    colleague's claims move to `by`; otherwise VoiceHeld (nothing is sent)."""
    voice = holder(session, patient_id)
    if voice is None or voice.email == by:
        return
    if not take_over:
        raise VoiceHeld(f"{voice.name} is answering this patient; your reply was not sent. "
                        "Choose “Take over from them” to answer instead.", voice.email)
    take_over_patient(session, patient_id, by, now)


def take_over_patient(session: Session, patient_id: int | None, by: str,
                      now: datetime) -> list[int]:
    """Move every claimed, unresolved task of the patient held by someone else to `by`."""
    if patient_id is None:
        return []
    taken = list(session.scalars(select(FollowUpTask).where(
        FollowUpTask.patient_id == patient_id, FollowUpTask.status == TASK_CLAIMED,
        FollowUpTask.assignee != by)))
    for task in taken:
        before = task.assignee
        result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
            update(FollowUpTask)
            .where(FollowUpTask.id == task.id, FollowUpTask.version == task.version)
            .values(assignee=by, claimed_at=now, version=FollowUpTask.version + 1)
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:
            fresh = tasks_repo.get_task(session, task.id)
            raise tasks_repo.StaleTask(
                "the patient's tasks changed while you were taking over: it is now "
                f"{tasks_repo.current_state(fresh)}. Nothing was sent.", fresh.assignee)
        repo.audit(session, "task_taken_over", "taken over to answer the patient", now,
                   patient_id=patient_id, conversation_id=task.conversation_id,
                   detail={"task_id": task.id, "by": by, "from": before})
    return [t.id for t in taken]
