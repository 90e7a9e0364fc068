"""The patient registry: find anyone by name, phone or external reference, and list them.

A patient calls the clinic, a supervisor checks who opted out, a scheduler looks up an MRN:
none of them starts from a task. The registry lists enrolled patients with what staff need
before picking up the phone (consent, language, the conversation they are in, last contact,
open tasks). Visibility follows the patient pages: supervisors and admins see everyone, other
staff see patients their teams have unresolved work for (`teams`), nothing more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import phonenumbers
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from bot.store.distinct import distinct_values
from bot.store.models import Conversation, FollowUpTask, Message, Patient
from bot.store.tasks_repo import ACTIVE_STATUSES

#: Most patients one registry page lists.
REGISTRY_LIMIT = 100
#: Region a phone number typed without a country code is read in.
DEFAULT_REGION = "US"


@dataclass(frozen=True)
class RegistryFilter:
    """`teams` None: every patient (supervisors); otherwise patients with open work there."""

    teams: tuple[str, ...] | None
    query: str = ""
    campaign: str | None = None
    team: str | None = None
    consent: str | None = None


@dataclass(frozen=True)
class RegistryRow:
    patient: Patient
    flow: str | None
    state: str | None
    conversation_status: str | None
    last_contact: datetime | None
    open_tasks: int


def phone_query(text: str, region: str = DEFAULT_REGION) -> str | None:
    """The E.164 form of a typed phone number ('(617) 555-0999' -> '+16175550999'), or None
    when the text is not a phone number (then it is searched as a name or reference)."""
    digits = sum(ch.isdigit() for ch in text)
    if digits < 7:
        return None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _visible(stmt: Select, f: RegistryFilter) -> Select:  # type: ignore[type-arg]
    teams = f.teams
    if teams is not None or f.team:
        wanted = [f.team] if f.team and (teams is None or f.team in teams) else list(teams or [])
        open_work = select(FollowUpTask.patient_id).where(
            FollowUpTask.status.in_(ACTIVE_STATUSES), FollowUpTask.team.in_(wanted))
        stmt = stmt.where(Patient.id.in_(open_work))
    return stmt


def _matching(stmt: Select, query: str) -> Select:  # type: ignore[type-arg]
    query = query.strip()[:100]
    if not query:
        return stmt
    phone = phone_query(query)
    if phone is not None:
        return stmt.where(Patient.phone == phone)
    words = [w for w in query.split() if w]
    ref = Patient.external_ref == query
    names = [or_(func.lower(Patient.first_name).contains(w.lower(), autoescape=True),
                 func.lower(Patient.last_name).contains(w.lower(), autoescape=True))
             for w in words]
    return stmt.where(or_(ref, and_(*names)))


def search(session: Session, f: RegistryFilter,
           limit: int = REGISTRY_LIMIT) -> list[RegistryRow]:
    """Patients matching the filter, by last name then first name."""
    stmt = _matching(_visible(select(Patient), f), f.query)
    if f.consent:
        stmt = stmt.where(Patient.consent_status == f.consent)
    if f.campaign:
        stmt = stmt.where(Patient.id.in_(select(Conversation.patient_id)
                                         .where(Conversation.campaign == f.campaign)))
    patients = list(session.scalars(
        stmt.order_by(func.lower(Patient.last_name), func.lower(Patient.first_name), Patient.id)
        .limit(limit)))
    ids = [p.id for p in patients]
    if not ids:
        return []
    latest = _latest_conversations(session, ids)
    contact = dict(session.execute(
        select(Message.patient_id, func.max(Message.created_at))
        .where(Message.patient_id.in_(ids)).group_by(Message.patient_id)).all())
    task_filter = [FollowUpTask.patient_id.in_(ids), FollowUpTask.status.in_(ACTIVE_STATUSES)]
    if f.teams is not None:
        task_filter.append(FollowUpTask.team.in_(f.teams))
    open_tasks = dict(session.execute(
        select(FollowUpTask.patient_id, func.count()).where(*task_filter)
        .group_by(FollowUpTask.patient_id)).all())
    rows = []
    for p in patients:
        conv = latest.get(p.id)
        rows.append(RegistryRow(
            patient=p, flow=conv.flow if conv else None, state=conv.state if conv else None,
            conversation_status=conv.status if conv else None,
            last_contact=contact.get(p.id), open_tasks=int(open_tasks.get(p.id, 0))))
    return rows


def _latest_conversations(session: Session, ids: Sequence[int]) -> dict[int, Conversation]:
    newest = (select(func.max(Conversation.id)).where(Conversation.patient_id.in_(ids))
              .group_by(Conversation.patient_id))
    return {c.patient_id: c for c in session.scalars(
        select(Conversation).where(Conversation.id.in_(newest)))}


def campaigns(session: Session) -> list[str]:
    """Campaign names patients were enrolled through (for the registry's filter)."""
    return [n for n in distinct_values(session, Conversation.campaign) if n]
