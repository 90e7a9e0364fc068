"""Each answer on a call counts once: a (CallSid, turn) key, like an SMS's MessageSid.

Whole calls through the local Twilio stand-in, then the very requests it made (same signed URL,
same form) sent again: while the call is live, and after Twilio reported it ended. Neither may
move the conversation, create a task or mark the number wrong.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select
from voice_support import call, conversation, enrol

from bot.store.db import get_database
from bot.store.models import Conversation, FollowUpTask, Message

pytestmark = pytest.mark.integration


def _answered_gathers(record: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
    """(path with query, answer form) of every gather the stand-in answered, in order."""
    out = []
    for item in record["transcript"]:
        if "gather" in item and item.get("answer"):
            url = urlsplit(item["gather"]["action"])
            out.append((f"{url.path}?{url.query}", dict(item["answer"])))
    return out


def _replay(stack: Any, record: dict[str, Any], path: str, answer: dict[str, str]) -> Any:
    form = {"CallSid": record["sid"], "To": record["to"], "From": record["from"],
            "CallStatus": "in-progress", "Direction": "outbound-api", **answer}
    reply = stack.post_signed(path, form)
    assert reply.status_code == 200
    return reply


def _counts(stack: Any, cid: int) -> tuple[int, int]:
    with get_database(stack.database_url).session() as s:
        tasks = s.scalar(select(func.count()).select_from(FollowUpTask).where(
            FollowUpTask.conversation_id == cid))
        heard = s.scalar(select(func.count()).select_from(Message).where(
            Message.conversation_id == cid, Message.direction == "in"))
    return tasks or 0, heard or 0


def test_a_gather_replayed_after_the_call_ended_changes_nothing(stack: Any) -> None:
    """The audit's finding: a signed gather sent again after the call moved the conversation
    (barrier -> cost) and created a task the patient never asked for."""
    cid = enrol(stack, "refill_reminder", "en")
    record = call(stack, cid, {"answer": "human", "inputs": ["2", {"silence": True},
                                                            {"silence": True}]})
    assert record["status"] == "completed"
    assert conversation(stack, cid).state == "barrier"
    before = _counts(stack, cid)
    for path, answer in _answered_gathers(record):
        reply = _replay(stack, record, path, answer)
        assert "<Gather" not in reply.text and "<Hangup" in reply.text
    # A key the barrier question takes (1: cost, a pharmacy task), on the question's own URL.
    path, _ = _answered_gathers(record)[-1]
    _replay(stack, record, path, {"Digits": "1"})
    row = conversation(stack, cid)
    assert (row.state, row.status) == ("barrier", "active")
    assert _counts(stack, cid) == before


def test_the_same_turn_sent_twice_during_the_call_counts_once(stack: Any) -> None:
    """While the call is live (no final status yet), the second copy of an answer is answered
    with the question as it stands and acts on nothing."""
    cid = enrol(stack, "refill_reminder", "en")
    # The stand-in reports the call ended; make it look live again, as during the call.
    record = call(stack, cid, {"answer": "human", "inputs": ["2", {"silence": True},
                                                            {"silence": True}]})
    with get_database(stack.database_url).session() as s:
        s.scalar(select(Message).where(Message.twilio_sid == record["sid"])).status = \
            "in-progress"
    [identity, no] = _answered_gathers(record)[:2]
    before = _counts(stack, cid)
    again = _replay(stack, record, *no)
    assert "What is in the way?" in again.text and "<Gather" in again.text
    assert _replay(stack, record, *identity).text.count("<Hangup") == 1
    row = conversation(stack, cid)
    assert (row.state, row.status) == ("barrier", "active")
    assert _counts(stack, cid) == before
    # The next turn is new: an answer to it is acted on as usual.
    path = no[0].replace("t=1", "t=2")
    assert "t=1" in no[0]
    _replay(stack, record, path, {"Digits": "1"})
    assert conversation(stack, cid).state != "barrier"


def test_a_replayed_wrong_number_after_the_call_does_not_end_outreach(stack: Any) -> None:
    cid = enrol(stack, "refill_reminder", "en")
    record = call(stack, cid, {"answer": "human", "inputs": ["2"]}, confirm=False)
    [(path, _)] = _answered_gathers(record)
    _replay(stack, record, path, {"Digits": "3"})
    with get_database(stack.database_url).session() as s:
        row = s.get(Conversation, cid)
        assert (row.status, row.patient.phone_status) == ("active", None)
