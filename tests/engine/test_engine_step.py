"""The engine's contract: pure, deterministic, and only moves the flow allows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest

from bot.core import effects as fx
from bot.core import messages
from bot.core.conversation import (
    ENDED,
    Conversation,
    DeliveryFailed,
    Reply,
    StaffAction,
    Start,
    Timeout,
)
from bot.core.engine import step
from bot.errors import EngineError
from bot.flows.compiler import compile_flow
from bot.flows.loader import default_flows_dir, load_dir

NOW = datetime(2026, 3, 2, 15, tzinfo=timezone.utc)
REGISTRY = load_dir(default_flows_dir()).registry
REFILL = REGISTRY.get("refill_reminder")


def new_conv(flow=REFILL, **context) -> Conversation:  # type: ignore[no-untyped-def]
    ctx = {"first_name": "Ana", "due_date": "2026-03-05", **context}
    return Conversation(id="conv-1", patient_id="p-1", flow=flow.name, version=flow.version,
                        state="", context=ctx)


def started() -> tuple[Conversation, list[fx.Effect]]:
    return step(REFILL, new_conv(), Start(), NOW)


def test_start_sends_prompt_and_schedules_timeout() -> None:
    conv, effects = started()
    assert conv.state == "ask" and conv.wait_token
    assert [e.type for e in effects] == ["send_message", "schedule_timeout"]
    assert effects[0].params == {"first_name": "Ana", "due_date": "2026-03-05"}
    assert effects[0].voice_msgid and effects[1].at == NOW + timedelta(hours=24)


def test_same_inputs_same_outputs_and_input_untouched() -> None:
    original = new_conv()
    a = step(REFILL, original, Start(), NOW)
    b = step(REFILL, original, Start(), NOW)
    assert a == b and original.state == "" and "_waits" not in original.context


def test_stale_timeout_does_nothing() -> None:
    conv, _ = started()
    conv2, effects = step(REFILL, conv, Timeout(wait_token="w0-stale"), NOW)
    assert effects == [] and conv2 is conv


def test_timeout_with_current_token_moves_on_and_new_token_differs() -> None:
    conv, _ = started()
    conv2, effects = step(REFILL, conv, Timeout(wait_token=conv.wait_token), NOW + timedelta(hours=24))
    assert conv2.state == "nudge" and conv2.wait_token not in (None, conv.wait_token)
    old = step(REFILL, conv2, Timeout(wait_token=conv.wait_token), NOW)
    assert old == (conv2, [])


def test_ended_conversation_ignores_events() -> None:
    conv, _ = started()
    conv, _ = step(REFILL, conv, Reply(text="yes"), NOW)
    assert conv.status == ENDED and conv.outcome == "confirmed"
    for event in (Reply(text="no"), Timeout(wait_token="x"), DeliveryFailed(error_code=30003), Start()):
        assert step(REFILL, conv, event, NOW) == (conv, [])


def test_reply_cancels_wait_and_kind_is_reply() -> None:
    conv, _ = started()
    token = conv.wait_token
    _, effects = step(REFILL, conv, Reply(text="no"), NOW)
    assert effects[0] == fx.CancelTimeout(token)
    assert effects[1].kind == fx.REPLY and effects[1].state == "barrier"


def test_not_understood_reprompts_then_hands_off() -> None:
    conv, _ = started()
    conv, effects = step(REFILL, conv, Reply(text="banana"), NOW)
    assert effects[0].msgid == messages.NOT_UNDERSTOOD and conv.attempts == 1 and conv.state == "ask"
    conv, _ = step(REFILL, conv, Reply(text="banana"), NOW)
    conv, effects = step(REFILL, conv, Reply(text="banana"), NOW)
    assert conv.state == "unclear" and conv.outcome == "handed_off"
    assert any(isinstance(e, fx.CreateTask) and e.team == "outreach" for e in effects)


def test_save_as_and_escalated_priority() -> None:
    flow = REGISTRY.get("engagement_checkin")
    conv, _ = step(flow, new_conv(flow), Start(), NOW)
    conv, _ = step(flow, conv, Reply(text="1"), NOW)
    assert conv.context["score"] == 1
    conv, effects = step(flow, conv, Reply(text="yes"), NOW)
    task = next(e for e in effects if isinstance(e, fx.CreateTask))
    assert (task.team, task.priority) == ("nursing", "high")


def test_missing_required_context_fails_without_messages() -> None:
    conv, effects = step(REFILL, new_conv(due_date=None), Start(), NOW)
    assert conv.outcome == "failed"
    assert not any(isinstance(e, fx.SendMessage) for e in effects)
    assert effects[0].detail["missing"] == ["due_date"]


def test_delivery_failure_tasks_outreach_and_ends() -> None:
    conv, _ = started()
    conv, effects = step(REFILL, conv, DeliveryFailed(error_code=30006), NOW)
    assert conv.outcome == "delivery_failed"
    assert [e.type for e in effects] == ["audit", "create_task", "cancel_timeout", "end_conversation"]


def test_staff_close_goto_resume() -> None:
    conv, _ = started()
    closed, effects = step(REFILL, conv, StaffAction(action="close", staff_id="s1"), NOW)
    assert closed.outcome == "closed_by_staff" and effects[0] == fx.CancelTimeout(conv.wait_token)
    resumed, effects = step(REFILL, closed, StaffAction(action="resume"), NOW)
    assert resumed.status == "active" and resumed.state == "ask"
    assert any(e.type == "schedule_timeout" for e in effects)
    moved, effects = step(REFILL, conv, StaffAction(action="goto", state="barrier"), NOW)
    assert moved.state == "barrier"
    with pytest.raises(EngineError):
        step(REFILL, conv, StaffAction(action="goto", state="nowhere"), NOW)


def test_wrong_version_is_a_caller_error() -> None:
    conv = new_conv().evolve(version=1)
    with pytest.raises(EngineError):
        step(REFILL, conv, Start(), NOW)


def test_machine_refuses_moves_the_flow_does_not_define() -> None:
    compiled = compile_flow(REFILL)
    assert compiled is compile_flow(REFILL)  # built once, cached
    assert compiled.fire("ask", "reply:ask:1") == "confirmed"
    with pytest.raises(EngineError):
        compiled.fire("confirmed", "reply:ask:1")
    with pytest.raises(EngineError):
        compiled.fire("ask", "to_confirmed")  # no auto transitions
    assert compiled.machine.models == []


@dataclass
class _Hit:
    kind: str
    keyword: str = ""
    category: str | None = None
    locale: str | None = None


@dataclass
class _Screen:
    """A classifier passed to the engine, whose answer each test sets (the real one is tested
    on its own, and through the engine in test_engine_global_intents.py)."""

    answer: _Hit | None = None

    def classify(self, text: str, locale: str, **_: object) -> _Hit | None:
        return self.answer


@pytest.fixture
def safety() -> _Screen:
    return _Screen()


def test_global_stop_opts_out(safety) -> None:  # type: ignore[no-untyped-def]
    conv, _ = started()
    safety.answer = _Hit("stop", "STOP")
    conv2, effects = step(REFILL, conv, Reply(text="STOP"), NOW, classify=safety.classify)
    assert [e.type for e in effects] == ["record_consent", "send_message", "cancel_timeout",
                                         "end_conversation", "audit"]
    assert effects[1].msgid == messages.STOP_CONFIRMATION and effects[1].kind == fx.SYSTEM
    assert conv2.outcome == "opted_out"


def test_global_help_keeps_waiting(safety) -> None:  # type: ignore[no-untyped-def]
    conv, _ = started()
    safety.answer = _Hit("help", "HELP")
    conv2, effects = step(REFILL, conv, Reply(text="HELP"), NOW, classify=safety.classify)
    assert [e.msgid for e in effects] == [messages.HELP_REPLY]
    assert conv2.wait_token == conv.wait_token and conv2.state == "ask"


def test_global_urgent_crisis_escalates(safety) -> None:  # type: ignore[no-untyped-def]
    conv, _ = started()
    safety.answer = _Hit("urgent", "hurt myself", category="crisis")
    conv2, effects = step(REFILL, conv, Reply(text="..."), NOW, classify=safety.classify)
    task = effects[0]
    assert (task.team, task.priority, task.category) == ("behavioral_health", "urgent", "crisis")
    assert effects[1].msgid == messages.CRISIS_REPLY and effects[1].kind == fx.SAFETY
    assert conv2.outcome == "escalated"


def test_global_language_switches_and_resends_prompt(safety) -> None:  # type: ignore[no-untyped-def]
    conv, _ = started()
    safety.answer = _Hit("language", "espanol", locale="es")
    conv2, effects = step(REFILL, conv, Reply(text="espanol"), NOW, classify=safety.classify)
    assert effects[0] == fx.SetLanguage("es") and conv2.locale == "es"
    assert effects[1].state == "ask" and conv2.wait_token == conv.wait_token
