"""The second opinion end to end: a reply the word lists read as nothing, which the operator's
classifier (a loopback stand-in) reads as urgent, becomes urgent after the flow has already
answered; a slow classifier holds nothing up."""

from __future__ import annotations

import sys
from pathlib import Path

from pipeline_helpers import enrol_in_refill, messages_for
from sqlalchemy import select

from bot import i18n
from bot.core import messages
from bot.store.db import get_database
from bot.store.models import AuditEvent, Conversation, FollowUpTask

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "safety"))
from second_opinion_standin import StandIn  # noqa: E402

TEXT = "the walls are closing in on me"


def test_second_opinion_raises_a_reply_to_urgent_after_the_flow_answered(stack):
    pid, phone = enrol_in_refill(stack)
    with StandIn() as standin:
        standin.answers = {TEXT: "urgent"}
        stack.env["SAFETY_SECOND_OPINION_URL"] = standin.url
        try:
            stack.text_in(phone, TEXT)
            stack.drain()
        finally:
            del stack.env["SAFETY_SECOND_OPINION_URL"]
        assert standin.seen == [{"text": TEXT, "locale": "en"}]
    outs = [m for m in messages_for(stack.database_url, pid) if m.direction == "out"]
    kinds = [m.kind for m in outs]
    # The flow's own answer (the word lists saw nothing) went first, then the safety message.
    assert kinds[-1] == "safety" and "reply" in kinds[:-1]
    params = {"program": stack.env["PROGRAM_NAME"], "contact": stack.env["PROGRAM_CONTACT"]}
    assert outs[-1].body == i18n.render(messages.CRISIS_REPLY, params, "en", "UTC")
    with get_database(stack.database_url).session() as s:
        (task,) = s.scalars(select(FollowUpTask).where(FollowUpTask.patient_id == pid))
        conv = s.scalar(select(Conversation).where(Conversation.patient_id == pid))
        actions = [a.action for a in s.scalars(select(AuditEvent)
                                               .where(AuditEvent.patient_id == pid))]
    assert (task.priority, task.category) == ("urgent", "crisis") and task.message_id
    assert conv.status == "ended" and conv.outcome == "escalated"
    assert "second_opinion" in actions
