"""Global intents, one table through both paths: inside a conversation (the engine) and in a
reply that no conversation waits for. The two share one mapping, so they cannot drift apart."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.core import effects as fx
from bot.core import global_intents, messages
from bot.core.conversation import Conversation, Reply, Start
from bot.core.engine import step
from bot.flows.loader import default_flows_dir, load_dir
from bot.understanding.safety import classify_global

NOW = datetime(2026, 3, 2, 15, tzinfo=timezone.utc)
REFILL = load_dir(default_flows_dir()).registry.get("refill_reminder")
CASES = yaml.safe_load((Path(__file__).parent / "global_intents.yaml").read_text("utf-8"))


def _expected(rows: list[Any] | None) -> list[tuple[str, dict[str, Any]]] | None:
    if rows is None:
        return None
    out = []
    for row in rows:
        kind, fields = (row, {}) if isinstance(row, str) else next(iter(row.items()))
        if "msgid" in fields:
            fields = {**fields, "msgid": getattr(messages, fields["msgid"])}
        out.append((kind, fields))
    return out


def _matches(effects: list[fx.Effect] | None, expected: list[tuple[str, dict[str, Any]]] | None,
             ) -> None:
    if expected is None:
        assert effects is None
        return
    assert effects is not None
    assert [e.type for e in effects] == [kind for kind, _ in expected]
    for effect, (_, fields) in zip(effects, expected, strict=True):
        assert {k: getattr(effect, k) for k in fields} == fields, effect


def _waiting() -> Conversation:
    conv = Conversation(id="c-1", patient_id="p-1", flow=REFILL.name, version=REFILL.version,
                        state="", context={"first_name": "Ana", "due_date": "2026-03-05"})
    conv, _ = step(REFILL, conv, Start(), NOW)
    return conv


@pytest.mark.parametrize("case", [c for c in CASES if "in_conversation" in c],
                         ids=lambda c: c["input"])
def test_in_a_conversation(case: dict[str, Any]) -> None:
    _, effects = step(REFILL, _waiting(), Reply(text=case["input"]), NOW)
    _matches(effects, _expected(case["in_conversation"]))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["input"])
def test_outside_a_conversation(case: dict[str, Any]) -> None:
    effects = global_intents.outside_conversation(
        classify_global, case["input"], "en", opted_out=bool(case.get("opted_out")))
    _matches(effects, _expected(case["outside"]))


def test_the_classifier_is_the_callers_choice() -> None:
    """A collaborator passed in, not looked up: a program may screen with its own."""
    calls: list[tuple[str, str]] = []

    def screen(text: str, locale: str, **_: Any) -> Any:
        calls.append((text, locale))
        return None

    _, effects = step(REFILL, _waiting(), Reply(text="STOP"), NOW, classify=screen)
    assert calls == [("STOP", "en")]
    assert "record_consent" not in [e.type for e in effects]  # the flow read it instead
