"""End to end: a reply in the patient's own words, through the signed webhook and a real RQ
worker, reaches the right barrier state, and the task links that reply and says what was
understood; a reply that fits two answers is asked back in the patient's language."""

from __future__ import annotations

from pipeline_helpers import enrol_in_refill, messages_for
from sqlalchemy import select

from bot.store.db import get_database
from bot.store.models import Conversation, FollowUpTask, Message


def _tasks(stack, pid: int) -> list[FollowUpTask]:
    with get_database(stack.database_url).session() as s:
        tasks = list(s.scalars(select(FollowUpTask).where(FollowUpTask.patient_id == pid)))
        s.expunge_all()
        return tasks


def _conversation(stack, pid: int) -> Conversation:
    with get_database(stack.database_url).session() as s:
        conv = s.scalars(select(Conversation).where(Conversation.patient_id == pid)
                         .order_by(Conversation.id.desc())).first()
        s.expunge_all()
        return conv


def test_a_digit_in_a_sentence_reaches_ran_out_with_the_words_on_the_task(stack):
    pid, phone = enrol_in_refill(stack, locale="es")
    assert stack.text_in(phone, "no puedo, se me acabó hace 1 semana").status_code == 200
    stack.drain()
    conv = _conversation(stack, pid)
    assert (conv.state, conv.outcome) == ("ran_out", "handed_off")
    [task] = _tasks(stack, pid)
    assert (task.team, task.priority) == ("pharmacy", "urgent")
    assert task.understood == "running out of medicine (in the patient's words)"
    with get_database(stack.database_url).session() as s:
        reply = s.get(Message, task.message_id)
        assert (reply.direction, reply.body) == ("in", "no puedo, se me acabó hace 1 semana")
    bodies = [m["body"] for m in stack.fake.messages(to=phone)]
    assert bodies[-1].startswith("Gracias. Un farmacéutico")


def test_yes_with_a_barrier_is_asked_back_in_the_patients_language(stack):
    pid, phone = enrol_in_refill(stack, locale="vi")
    assert stack.text_in(phone, "có nhưng không có tiền").status_code == 200
    stack.drain()
    conv = _conversation(stack, pid)
    assert (conv.state, conv.status) == ("ask", "active") and not _tasks(stack, pid)
    bodies = [m["body"] for m in stack.fake.messages(to=phone)]
    assert len(bodies) == 3 and bodies[1].startswith("Xin xác nhận lại")
    assert bodies[2] == bodies[0]  # the question again, in Vietnamese
    out = [m for m in messages_for(stack.database_url, pid) if m.direction == "out"]
    assert all(m.status != "failed" for m in out)
