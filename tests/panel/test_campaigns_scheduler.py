"""The scheduler pass against a real database: right patient, right local time, exactly once
(also with passes racing), opted-out never, start modes, needs met elsewhere, pilot stages."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone

import pytest
from panel_support import REFILL, campaign, import_resources, scheduler
from sqlalchemy import func, select

from bot.campaigns import pilot
from bot.devtools import fhir_samples as fx
from bot.store.db import get_database
from bot.store.models import Conversation, InboxEvent, Message, Patient
from bot.store.panel_models import CampaignFire

UTC = timezone.utc
T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)
# Ana is in Texas (Central time): her refill runs out on 2026-03-10 (fills 5 Jan + 25 Jan,
# shifted by 30 days: 6 Mar... see below), so the reminder fires 3 days earlier at 10:00 CST.


def refill_patient(pid: str, phone: str, due_on: date, **kw: object) -> list[dict]:
    """A patient whose only fill runs out on `due_on`."""
    handed = due_on - timedelta(days=30)
    return [fx.patient(pid, f"Pat{pid}", "Test", mobile=phone, **kw),  # type: ignore[arg-type]
            fx.med_request(f"r-{pid}", pid, authored=handed),
            fx.dispense(f"d-{pid}", pid, f"r-{pid}", handed_over=handed)]


def conversations(url: str, campaign_name: str = "refill_due") -> list[Conversation]:
    with get_database(url).session() as s:
        return list(s.scalars(select(Conversation).where(Conversation.campaign == campaign_name)))


def patient_id(url: str, pid: str) -> int:
    with get_database(url).session() as s:
        return s.scalar(select(Patient.id).where(Patient.external_ref == f"MRN-{pid}"))


def test_fires_at_ten_local_exactly_once(any_database_url: str) -> None:
    url = any_database_url
    import_resources(url, refill_patient("a1", "617-555-0201", date(2026, 3, 10), state="TX"), T0)
    sched, rec = scheduler(url, REFILL)
    # 3 days before 10 March at 10:00 Central (UTC-6, before the DST change) = 7 March 16:00 UTC.
    before = sched.run_due(datetime(2026, 3, 7, 15, 59, tzinfo=UTC))
    assert before.enrolled == 0 and conversations(url) == []
    report = sched.run_due(datetime(2026, 3, 7, 16, 0, tzinfo=UTC))
    assert report.enrolled == 1 and rec.patients == [patient_id(url, "a1")]
    [conv] = conversations(url)
    assert (conv.flow, conv.channel, conv.timezone) == ("refill_reminder", "sms", "America/Chicago")
    assert conv.context["due_date"] == "2026-03-10"
    again = sched.run_due(datetime(2026, 3, 7, 16, 5, tzinfo=UTC))
    assert again.enrolled == 0 and len(conversations(url)) == 1
    with get_database(url).session() as s:
        assert s.scalar(select(func.count(InboxEvent.id)).where(
            InboxEvent.kind == "start", InboxEvent.conversation_id == conv.id)) == 1


def test_racing_passes_enrol_no_one_twice(any_database_url: str) -> None:
    url = any_database_url
    resources = []
    for n in range(30):
        resources += refill_patient(f"r{n}", f"617-555-{1000 + n:04d}", date(2026, 4, 10))
    import_resources(url, resources, T0)
    at = datetime(2026, 4, 7, 15, tzinfo=UTC)
    results: list[int] = []
    errors: list[BaseException] = []

    def one_pass() -> None:
        try:
            sched, _ = scheduler(url, REFILL, batch_size=7)
            results.append(sched.run_due(at).enrolled)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=one_pass) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with get_database(url).session() as s:
        ours = select(CampaignFire.patient_id).where(CampaignFire.anchor == date(2026, 4, 10))
        per_patient = s.execute(select(Conversation.patient_id, func.count()).where(
            Conversation.campaign == "refill_due", Conversation.patient_id.in_(ours))
            .group_by(Conversation.patient_id)).all()
        starts = s.scalar(select(func.count(InboxEvent.id)).where(
            InboxEvent.kind == "start", InboxEvent.dedupe_key.like("fire-refill_due-%-2026-04-10-%")))
    assert sum(results) == 30 and len(per_patient) == 30
    assert all(n == 1 for _, n in per_patient) and starts == 30


def test_opted_out_patient_is_never_enrolled(database_url: str) -> None:
    url = database_url
    import_resources(url, refill_patient("o1", "617-555-0301", date(2026, 5, 10)), T0)
    with get_database(url).session() as s:
        s.get(Patient, patient_id(url, "o1")).consent_status = "revoked"
    sched, rec = scheduler(url, REFILL)
    report = sched.run_due(datetime(2026, 5, 7, 16, tzinfo=UTC))
    assert report.reasons == {"opted_out": 1} and rec.patients == []
    with get_database(url).session() as s:
        assert s.scalar(select(func.count(Conversation.id)).where(
            Conversation.patient_id == patient_id(url, "o1"))) == 0


def _busy(url: str, pid: str, now: datetime) -> int:
    with get_database(url).session() as s:
        conv = Conversation(patient_id=patient_id(url, pid), flow="engagement_checkin", version=1,
                            state="checkin", status="active", started_at=now, updated_at=now)
        s.add(conv)
        s.flush()
        return conv.id


@pytest.mark.parametrize("mode", ["skip", "queue", "interrupt"])
def test_start_modes_when_already_in_a_conversation(database_url: str, mode: str) -> None:
    url, pid = database_url, f"m-{mode}"
    due_on = date(2026, 6, 10) + timedelta(days=["skip", "queue", "interrupt"].index(mode))
    import_resources(url, refill_patient(pid, f"617-555-04{len(mode):02d}", due_on), T0)
    other = _busy(url, pid, T0)
    c = campaign(name=f"refill_{mode}", start_mode=mode)
    sched, rec = scheduler(url, c)
    at = datetime.combine(due_on - timedelta(days=3), datetime.min.time(), UTC) + timedelta(hours=15)
    sched.run_due(at)
    me = patient_id(url, pid)

    def mine() -> list[Conversation]:
        return [cv for cv in conversations(url, c.name) if cv.patient_id == me]

    def my_fire() -> CampaignFire:
        with get_database(url).session() as s:
            return s.scalar(select(CampaignFire).where(CampaignFire.campaign == c.name,
                                                       CampaignFire.patient_id == me))

    if mode == "skip":
        assert (my_fire().status, my_fire().reason) == ("skipped", "in another conversation")
        sched.run_due(at + timedelta(hours=1))
        assert mine() == []  # skipped for good
    elif mode == "queue":
        assert (my_fire().status, my_fire().reason) == ("pending", "in another conversation")
        assert mine() == []
        with get_database(url).session() as s:
            s.get(Conversation, other).status = "ended"
        sched.run_due(at + timedelta(hours=2))
        assert my_fire().status == "enrolled" and len(mine()) == 1
    else:
        [started] = mine()
        assert my_fire().status == "enrolled"
        with get_database(url).session() as s:
            close = s.scalar(select(InboxEvent).where(InboxEvent.conversation_id == other))
            start = s.scalar(select(InboxEvent).where(InboxEvent.conversation_id == started.id))
            assert close.payload["outcome"] == "interrupted" and close.id < start.id


def test_dispense_cancels_pending_fire_and_resolves_active_conversation(database_url: str) -> None:
    url = database_url
    resources = refill_patient("c1", "617-555-0501", date(2026, 7, 10)) + \
        refill_patient("c2", "617-555-0502", date(2026, 7, 20))
    import_resources(url, resources, T0)
    sched, _ = scheduler(url, REFILL)
    assert sched.run_due(datetime(2026, 7, 7, 15, tzinfo=UTC)).enrolled == 1  # c1 only
    # Only this test's patient: the module's other tests share the database.
    [conv] = [c for c in conversations(url) if c.patient_id == patient_id(url, "c1")]
    with get_database(url).session() as s:  # a reminder still waiting for quiet hours to end
        s.add(Message(patient_id=conv.patient_id, conversation_id=conv.id, direction="out",
                      address="+16175550501", body="x", status="deferred", kind="routine"))
    picked_up = [fx.dispense("d-c1b", "c1", "r-c1", handed_over=date(2026, 7, 8)),
                 fx.dispense("d-c2b", "c2", "r-c2", handed_over=date(2026, 7, 15))]
    resolver = import_resources(url, picked_up, T0 + timedelta(days=128),
                                {REFILL.name: REFILL})
    assert (resolver.cancelled, resolver.resolved) == (1, 1)
    with get_database(url).session() as s:
        c2_fire = s.scalar(select(CampaignFire).where(
            CampaignFire.patient_id == patient_id(url, "c2"), CampaignFire.anchor == date(2026, 7, 20)))
        assert (c2_fire.status, c2_fire.reason) == ("cancelled", "refill_dispensed")
        close = s.scalar(select(InboxEvent).where(InboxEvent.dedupe_key == f"resolved-{conv.id}"))
        assert close.payload == {"action": "close", "outcome": "resolved_elsewhere",
                                 "staff_id": None}
        assert s.scalar(select(Message.status).where(Message.conversation_id == conv.id)) == \
            "suppressed"


def test_pilot_stages_draw_by_stable_hash_and_wait_for_approval(database_url: str) -> None:
    url = database_url
    resources = []
    for n in range(12):
        lang = ["en", "es", "vi"][n % 3]
        resources += refill_patient(f"p{n}", f"617-555-06{n:02d}", date(2026, 8, 10),
                                    language=lang)
    import_resources(url, resources, T0)
    c = campaign(name="refill_pilot", pilot=(5, 8))
    sched, _ = scheduler(url, c)
    at = datetime(2026, 8, 7, 15, tzinfo=UTC)
    first = sched.run_due(at)
    assert first.enrolled == 5 and first.reasons["waiting for the next pilot stage"] == 7
    enrolled = {cv.patient_id for cv in conversations(url, c.name)}
    with get_database(url).session() as s:
        rows = s.execute(select(CampaignFire.id, Patient.external_ref, Patient.locale)
                         .join(Patient, Patient.id == CampaignFire.patient_id)
                         .where(CampaignFire.campaign == c.name)).all()
        by_fire = {f.id: f.patient_id for f in s.scalars(select(CampaignFire).where(
            CampaignFire.campaign == c.name))}
        locales = {p.locale for p in s.scalars(select(Patient).where(Patient.id.in_(enrolled)))}
    expected = {by_fire[i] for i in pilot.draw_order(c.name, [tuple(r) for r in rows])[:5]}
    assert enrolled == expected and locales == {"en", "es", "vi"}
    assert sched.run_due(at + timedelta(hours=1)).enrolled == 0  # the gate holds
    with get_database(url).session() as s:
        assert pilot.advance(s, c, "nurse@example.org", at) == 1
    assert sched.run_due(at + timedelta(hours=2)).enrolled == 3
    with get_database(url).session() as s:
        assert pilot.advance(s, c, "nurse@example.org", at) == 2
        with pytest.raises(pilot.PilotError, match="already runs for everyone"):
            pilot.advance(s, c, "nurse@example.org", at)
    assert sched.run_due(at + timedelta(hours=3)).enrolled == 4


def test_editing_a_campaign_replans_its_pending_fires(database_url: str) -> None:
    from bot.campaigns.sync import sync_campaign

    url = database_url
    import_resources(url, refill_patient("v1", "617-555-0701", date(2026, 9, 10)), T0)
    me = patient_id(url, "v1")
    db = get_database(url)
    c1 = campaign(name="refill_edit", version="a")
    sync_campaign(db, c1, T0)
    c2 = campaign(name="refill_edit", version="b", send_at=c1.send_at.replace(hour=11),
                  offsets=(-3, -1))
    sync_campaign(db, c2, T0)
    with db.session() as s:
        fires = {f.offset_days: f for f in s.scalars(select(CampaignFire).where(
            CampaignFire.campaign == "refill_edit", CampaignFire.patient_id == me))}
    assert fires[-3].fire_at == datetime(2026, 9, 7, 15, tzinfo=UTC)  # 11:00 EDT
    assert fires[-3].version == "b" and fires[-1].status == "pending"
    sync_campaign(db, campaign(name="refill_edit", version="c", offsets=(-1,)), T0)
    with db.session() as s:
        gone = s.get(CampaignFire, fires[-3].id)
        assert (gone.status, gone.reason) == ("cancelled", "plan changed")


def test_no_show_later_marked_fulfilled_counts_as_visit_kept(database_url: str) -> None:
    url = database_url
    missed_at = datetime(2026, 10, 5, 14, tzinfo=UTC)
    patient = fx.patient("n1", "Nia", "Show", mobile="617-555-0711")
    import_resources(url, [patient, fx.appointment("ap1", "n1", start=missed_at,
                                                   status="noshow")], T0)
    visit = campaign(name="missed_visit", flow="appointment_recovery", audience="missed_visit",
                     offsets=(1,), stop_when=frozenset({"visit_kept", "opted_out"}))
    from bot.campaigns.sync import sync_campaign

    sync_campaign(get_database(url), visit, T0)
    resolver = import_resources(url, [fx.appointment("ap1", "n1", start=missed_at,
                                                     status="fulfilled")], T0, {visit.name: visit})
    assert resolver.cancelled == 1
    with get_database(url).session() as s:
        fire = s.scalar(select(CampaignFire).where(CampaignFire.campaign == "missed_visit",
                                                   CampaignFire.patient_id == patient_id(url, "n1")))
        assert (fire.status, fire.reason) == ("cancelled", "visit_kept")


def test_racing_passes_keep_the_pilot_stage_size(any_database_url: str) -> None:
    url = any_database_url
    resources = []
    for n in range(20):
        resources += refill_patient(f"q{n}", f"617-555-{2000 + n:04d}", date(2026, 11, 10))
    import_resources(url, resources, T0)
    c = campaign(name="refill_race_pilot", pilot=(5, 25))
    at = datetime(2026, 11, 7, 16, tzinfo=UTC)
    errors: list[BaseException] = []

    def one_pass() -> None:
        try:
            scheduler(url, c, batch_size=3)[0].run_due(at)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=one_pass) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(conversations(url, c.name)) == 5
