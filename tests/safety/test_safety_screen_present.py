"""The safety screen is part of every reply the engine reads: if its module went missing or the
engine stopped consulting it, these fail (no import guard turns them into skips)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.core import effects as fx
from bot.core.conversation import Conversation, Reply, Start
from bot.core.engine import run
from bot.flows.loader import default_flows_dir, load_dir
from bot.understanding import safety

NOW = datetime(2026, 3, 2, 15, tzinfo=timezone.utc)


def test_the_screen_classifies_a_crisis() -> None:
    got = safety.classify_global("I want to kill myself", "en")
    assert got is not None and got.kind == "urgent"


@pytest.mark.parametrize(("text", "locale"), [("I want to kill myself", "en"),
                                              ("quiero morir", "es")])
def test_the_engine_stops_the_script_on_a_crisis_reply(text: str, locale: str) -> None:
    flow = load_dir(default_flows_dir()).registry.get("refill_reminder")
    conv = Conversation(id="c", patient_id="p", flow=flow.name, version=flow.version, state="",
                        locale=locale, context={"first_name": "Ana", "due_date": "2026-03-05"})
    conv = run(flow, conv, Start(), NOW).conversation
    result = run(flow, conv, Reply(text=text, message_id="1"), NOW)
    assert result.conversation.outcome == "escalated"
    tasks = [e for e in result.effects if isinstance(e, fx.CreateTask)]
    assert tasks and all(t.priority == "urgent" for t in tasks)
    assert any(isinstance(e, fx.SendMessage) for e in result.effects)
