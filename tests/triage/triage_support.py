"""Helpers for the triage tests: accounts, patients and tasks straight through the store."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from unique_ids import next_phone

from bot.store import repositories as repo
from bot.store import users as users_store
from bot.store.db import get_database
from bot.store.models import Conversation, Message, Patient, utcnow

PASSWORD = "correct horse battery staple"


def unique_phone() -> str:
    return next_phone()


def add_user(database_url: str, email: str, role: str, teams: tuple[str, ...] = (),
             name: str = "", password: str = PASSWORD) -> int:
    with get_database(database_url).session() as s:
        return users_store.add_user(s, email, role, password=password, teams=teams,
                                    name=name).id


def token_for(database_url: str, email: str) -> str:
    with get_database(database_url).session() as s:
        user = users_store.get_by_email(s, email)
        assert user is not None
        return users_store.issue_token(s, user)


def add_patient(database_url: str, *, first_name: str = "Ana", locale: str = "es",
                timezone: str = "America/New_York", phone: str | None = None,
                consent: str = "granted") -> int:
    with get_database(database_url).session() as s:
        p = Patient(phone=phone or unique_phone(), first_name=first_name, last_name="Test",
                    locale=locale, preferred_language=locale, timezone=timezone,
                    consent_status=consent, attributes={})
        s.add(p)
        s.flush()
        return p.id


def add_task(database_url: str, patient_id: int | None, *, team: str = "nursing",
             priority: str = "routine", reason: str = "Needs a call",
             created: datetime | None = None, flow: str | None = "refill_reminder",
             inbound: str | None = "No puedo pagar la medicina",
             understood: str | None = None) -> int:
    """A task (with a conversation and the patient's text that raised it, when given)."""
    now = created or utcnow()
    with get_database(database_url).session() as s:
        conv_id = msg_id = None
        if patient_id is not None and flow:
            conv = Conversation(patient_id=patient_id, flow=flow, version=1, state="barrier",
                                status="ended", outcome="handed_off", started_at=now,
                                updated_at=now, ended_at=now)
            s.add(conv)
            s.flush()
            conv_id = conv.id
        if inbound is not None:
            patient = s.get(Patient, patient_id) if patient_id else None
            msg = Message(patient_id=patient_id, conversation_id=conv_id, direction="in",
                          address=patient.phone if patient else unique_phone(), body=inbound,
                          status="received", status_rank=5, created_at=now, updated_at=now)
            s.add(msg)
            s.flush()
            msg_id = msg.id
        task = repo.add_task(s, team=team, priority=priority, reason=reason, now=now,
                             patient_id=patient_id, conversation_id=conv_id, message_id=msg_id,
                             understood=understood)
        s.flush()
        return task.id


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def login(client: Any, email: str, password: str = PASSWORD) -> Any:
    page = client.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": token})


def post_form(client: Any, page_url: str, action: str, data: dict[str, str]) -> Any:
    """Fetch `page_url` for a CSRF token, then POST `data` to `action` like the browser would."""
    token = csrf_from(client.get(page_url).get_data(as_text=True))
    return client.post(action, data={**data, "csrf_token": token}, follow_redirects=True)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)
