"""No call says a health detail before the person on the line says who they are: every flow
with a voice, every voiced language, detection `unknown` and a person who says nothing, and a
person who says they are someone else. The flow's first question (rendered in that language,
as the call would say it) must never be heard. Through the local Twilio stand-in."""

from __future__ import annotations

from typing import Any

import pytest
from voice_support import CONTEXT, call, enrol, said

from bot.channels import twilio_voice as tv
from bot.channels.voice_locales import PROFILES
from bot.core.engine import prompt

pytestmark = pytest.mark.integration

FLOWS = ("refill_reminder", "appointment_recovery", "engagement_checkin")


def _first_question(stack: Any, flow_name: str, locale: str) -> str:
    flow = stack.app.extensions["outreach"].flows.get(flow_name)
    question = prompt(flow, flow.start, dict(CONTEXT[flow_name]))
    assert question is not None
    turn = tv.render_turn([question], locale, "UTC", {"program": "x", "contact": "1"})
    return turn.lines[0].split(".")[0]  # its first sentence carries the first detail


@pytest.mark.parametrize("locale", sorted(PROFILES))
@pytest.mark.parametrize("flow_name", FLOWS)
def test_nothing_of_the_flow_is_said_before_identity(
        stack: Any, flow_name: str, locale: str) -> None:
    detail = _first_question(stack, flow_name, locale)
    for answer in ({"silence": True}, "2"):
        cid = enrol(stack, flow_name, locale)
        record = call(stack, cid, {"answer": "human", "answered_by": "unknown",
                                   "inputs": [answer, {"silence": True}]}, confirm=False)
        heard = " ".join(item["say"] for item in said(record))
        assert "Ana" in heard  # the identity question names who the call is for
        assert detail not in heard, (detail, heard)
