"""The safety screen on words nobody listed, end to end (signed webhooks, real workers, the
Twilio stand-in): every phrase a reviewer saw slip through, the concern tier, opt-outs versus
preferences, and wrong numbers.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, available_timezones

import pytest
from pipeline_helpers import add_patient, enrol_in_refill, messages_for, only_patient
from sqlalchemy import select

from bot import i18n
from bot import settings as settings_mod
from bot.cli.pipeline import start_campaign
from bot.core import messages
from bot.store.db import get_database
from bot.store.models import Conversation, FollowUpTask, Message, Patient

#: (locale, text, category) - each was let through before; each is urgent. The first ones
#: arrive mid-script; the rest arrive outside a conversation (one patient, in sequence).
MID_SCRIPT = [
    ("en", "i want to end it", "crisis"),
    ("es", "ya no aguanto más, quiero desaparecer", "crisis"),
    ("ko", "숨을 쉴 수가 없어요", "medical"),
    ("ru", "я выпил все таблетки", "medical"),
]
OUTSIDE = [
    ("i wish i could go to sleep and never wake up", "crisis"),
    ("no reason to keep going", "crisis"),
    ("im done with life", "crisis"),
    ("kill my self", "crisis"),
    ("I'm bleeding a lot and it won't stop", "medical"),
    ("goodbye, thank you for everything, I won't need the refill", "crisis"),
]


def _render(stack, msgid: str, locale: str, **params: str) -> str:
    base = {"program": stack.env["PROGRAM_NAME"], "contact": stack.env["PROGRAM_CONTACT"]}
    return i18n.render(msgid, {**base, **params}, locale, "UTC")


def _outs(stack, pid: int) -> list[Message]:
    return [m for m in messages_for(stack.database_url, pid) if m.direction == "out"]


def _state(stack, pid: int) -> tuple[Patient, Conversation, list[FollowUpTask]]:
    with get_database(stack.database_url).session() as s:
        patient = s.get(Patient, pid)
        conv = s.scalar(select(Conversation).where(Conversation.patient_id == pid)
                        .order_by(Conversation.id.desc()))
        tasks = list(s.scalars(select(FollowUpTask).where(FollowUpTask.patient_id == pid)))
        s.expunge_all()
    return patient, conv, tasks


@pytest.mark.parametrize(("locale", "text", "category"), MID_SCRIPT)
def test_phrases_that_slipped_through_stop_the_script(stack, locale, text, category):
    pid, phone = enrol_in_refill(stack, locale=locale)
    stack.text_in(phone, text)
    stack.drain()
    reply = _outs(stack, pid)[-1]
    msgid = messages.CRISIS_REPLY if category == "crisis" else messages.URGENT_MEDICAL_REPLY
    assert reply.kind == "safety" and reply.body == _render(stack, msgid, locale)
    _, conv, tasks = _state(stack, pid)
    assert conv.status == "ended" and conv.outcome == "escalated"
    assert [(t.priority, t.category) for t in tasks] == [("urgent", category)]


def test_phrases_that_slipped_through_are_urgent_outside_a_conversation(stack):
    pid = add_patient(stack.database_url)
    with get_database(stack.database_url).session() as s:
        phone = s.get(Patient, pid).phone
    for text, _ in OUTSIDE:
        stack.text_in(phone, text)
    stack.drain()
    _, _, tasks = _state(stack, pid)
    assert sorted((t.priority, t.category) for t in tasks) == sorted(
        ("urgent", category) for _, category in OUTSIDE)
    replies = [m for m in _outs(stack, pid) if m.kind == "safety"]
    want = [messages.CRISIS_REPLY if c == "crisis" else messages.URGENT_MEDICAL_REPLY
            for _, c in OUTSIDE]
    assert sorted(m.body for m in replies) == sorted(_render(stack, w, "en") for w in want)


def test_idioms_leave_the_script_alone_and_a_hedge_is_a_concern_for_a_nurse(stack):
    pid, phone = enrol_in_refill(stack)
    before = len(_outs(stack, pid))
    for text in ("dying to know", "that joke killed me"):
        stack.text_in(phone, text)
    stack.drain()
    _, conv, tasks = _state(stack, pid)
    assert conv.status == "active" and not tasks
    assert all(m.kind != "safety" for m in _outs(stack, pid)[before:])

    # "I'm not suicidal, just tired": no alarm to the patient, a nurse looks soon.
    before = len(_outs(stack, pid))
    stack.text_in(phone, "I'm not suicidal, just tired…")
    stack.drain()
    _, conv, tasks = _state(stack, pid)
    (task,) = tasks
    assert (task.priority, task.team, task.category) == ("high", "nursing", "concern")
    with get_database(stack.database_url).session() as s:
        words = s.get(Message, task.message_id)
        assert words.direction == "in" and words.body == "I'm not suicidal, just tired…"
    assert conv.status == "ended" and conv.outcome == "handed_off"  # paused for a person
    assert _outs(stack, pid)[before:] == []  # nothing alarming, nothing scripted


def test_indirect_revocations_opt_out(stack):
    pid, phone = enrol_in_refill(stack, locale="es")
    stop = _render(stack, messages.STOP_CONFIRMATION, "es")
    stack.text_in(phone, "ya no me escriban")  # mid-script
    stack.drain()
    patient, conv, _ = _state(stack, pid)
    assert patient.consent_status == "revoked" and conv.outcome == "opted_out"
    assert _outs(stack, pid)[-1].body == stop
    for text in ("take my number off", "stp texting me"):  # outside a conversation
        stack.text_in(phone, "START")
        stack.drain()
        assert _state(stack, pid)[0].consent_status == "granted"
        stack.text_in(phone, text)
        stack.drain()
        assert _state(stack, pid)[0].consent_status == "revoked", text
        assert _outs(stack, pid)[-1].body == stop


def _zone_before_nine(now: datetime) -> str:
    """A zone where it is between 06:00 and 08:45 now: a routine text written now waits for 9
    (there is always one: whole-hour offsets cover every hour at the current minute)."""
    for name in sorted(available_timezones()):
        if name.startswith(("Etc/", "posix/", "right/")):
            continue
        if time(6, 0) <= now.astimezone(ZoneInfo(name)).time() <= time(8, 45):
            return name
    pytest.fail("no zone between 06:00 and 08:45")


def test_not_before_9am_is_a_preference_and_the_next_routine_text_waits_for_9(stack):
    now = datetime.now(timezone.utc)
    zone = _zone_before_nine(now)
    pid, phone = enrol_in_refill(stack, timezone=zone)
    stack.text_in(phone, "please don't text me before 9am")
    stack.drain()
    patient, conv, _ = _state(stack, pid)
    assert patient.consent_status == "granted"
    assert (patient.send_window_start, patient.send_window_end) == ("09:00", None)
    assert _outs(stack, pid)[-1].body == _render(stack, messages.PREFERENCE_WINDOW, "en",
                                                 start="09:00", end="21:00")
    assert conv.status == "active"  # the question still waits for its answer

    # The next routine text (a new campaign once this conversation is over) waits for 9 local.
    with get_database(stack.database_url).session() as s:
        s.get(Conversation, conv.id).status = "ended"
    tomorrow = now.date() + timedelta(days=1)  # a new run: the campaign enrols once a day
    assert start_campaign(settings_mod.load(stack.env), "refill_reminder", today=tomorrow) == [pid]
    stack.drain()
    latest = _outs(stack, pid)[-1]
    local_nine = now.astimezone(ZoneInfo(zone)).replace(hour=9, minute=0, second=0,
                                                        microsecond=0)
    assert latest.kind == "routine" and latest.status == "deferred"
    assert latest.send_after == local_nine.astimezone(timezone.utc)


def test_content_request_keeps_the_reminders_and_tells_staff(stack):
    pid, phone = enrol_in_refill(stack)
    stack.text_in(phone, "unsubscribe from the newsletter but keep the reminders")
    stack.drain()
    patient, conv, tasks = _state(stack, pid)
    assert patient.consent_status == "granted" and conv.status == "active"
    assert patient.contact_note == "content"
    assert [(t.category, t.priority) for t in tasks] == [("contact_preference", "routine")]
    assert _outs(stack, pid)[-1].body == _render(stack, messages.PREFERENCE_NOTED, "en")


def test_wrong_number_stops_outreach_and_asks_staff_to_fix_the_contact(stack):
    pid, phone = enrol_in_refill(stack)
    stack.text_in(phone, "no one by that name here")
    stack.drain()
    patient, conv, tasks = _state(stack, pid)
    assert patient.phone_status == "not_patient" and patient.consent_status == "granted"
    assert conv.status == "ended"
    assert [(t.category, t.team) for t in tasks] == [("contact_fix", "outreach")]
    assert _outs(stack, pid)[-1].body == _render(stack, messages.WRONG_NUMBER_REPLY, "en")
    sent = len(stack.fake.messages(to=phone))
    # No further texts: campaigns pass the phone by.
    tomorrow = datetime.now(timezone.utc).date() + timedelta(days=1)
    assert start_campaign(settings_mod.load(stack.env), "refill_reminder", today=tomorrow) == []
    stack.drain()
    assert len(stack.fake.messages(to=phone)) == sent


def test_a_routine_text_already_queued_for_a_wrong_number_is_suppressed(stack):
    pid = add_patient(stack.database_url, attributes={"due_date": "2030-01-15"})
    only_patient(stack.database_url, pid)
    assert start_campaign(settings_mod.load(stack.env), "refill_reminder") == [pid]
    with get_database(stack.database_url).session() as s:
        patient = s.get(Patient, pid)
        patient.phone_status, phone = "not_patient", patient.phone
    stack.drain()  # the worker writes the reminder after the phone was marked
    (reminder,) = _outs(stack, pid)
    assert reminder.kind == "routine" and reminder.status == "suppressed"
    assert stack.fake.messages(to=phone) == []


def test_call_me_instead_is_a_channel_preference_the_next_campaign_honours(stack):
    pid, phone = enrol_in_refill(stack)
    stack.text_in(phone, "please call me instead")
    stack.drain()
    patient, conv, _ = _state(stack, pid)
    assert patient.consent_status == "granted" and patient.preferred_channel == "voice"
    assert _outs(stack, pid)[-1].body == _render(stack, messages.PREFERENCE_CALL, "en")
    with get_database(stack.database_url).session() as s:
        s.get(Conversation, conv.id).status = "ended"
    tomorrow = datetime.now(timezone.utc).date() + timedelta(days=1)
    assert start_campaign(settings_mod.load(stack.env), "refill_reminder", today=tomorrow) == [pid]
    _, latest, _ = _state(stack, pid)
    assert latest.id != conv.id and latest.channel == "voice"
