"""Messages and inbox events are built only by the row factories, with stable dedupe keys, and
the status and kind enums store exactly the strings rows always held."""

from __future__ import annotations

import ast
import json
from datetime import datetime, timezone
from pathlib import Path

from bot.core.kinds import MessageKind
from bot.store import rows
from bot.store.enums import InboxKind, MessageStatus
from bot.store.models import STATUS_RANK, Message

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 2, 15, tzinfo=timezone.utc)


def _constructions(name: str) -> list[str]:
    found = []
    for path in [*ROOT.joinpath("bot").rglob("*.py"), *ROOT.joinpath("workers").rglob("*.py")]:
        if path.name == "rows.py" or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id == name:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_only_the_factories_build_messages_and_inbox_events() -> None:
    assert _constructions("Message") == []
    assert _constructions("InboxEvent") == []


def test_dedupe_keys_keep_their_stored_format() -> None:
    message = Message(id=41, patient_id=7, conversation_id=9)
    assert rows.timeout_event(7, 9, "w1-abc", NOW).dedupe_key == "timeout-9-w1-abc"
    assert rows.reply_event(7, 41, "SM123", NOW).dedupe_key == "SM123"
    assert rows.delivery_failed_event(message, NOW, error_code=30003, status="failed",
                                      sid="SM9").dedupe_key == "dlr-SM9"
    failed = rows.delivery_failed_event(message, NOW, error_code=21610, status="failed")
    assert failed.dedupe_key == "dlr-msg-41"
    assert failed.payload == {"message_id": 41, "error_code": 21610, "status": "failed"}
    assert failed.kind == InboxKind.DELIVERY_FAILED == "delivery_failed"
    assert rows.voice_fallback_key(9) == "voice-to-sms-9"


def test_outbound_text_starts_pending_or_deferred_with_its_segments() -> None:
    text = rows.outbound_text(patient_id=7, conversation_id=None, address="+16175550100",
                              body="Hi", kind=MessageKind.ROUTINE, now=NOW)
    assert (text.status, text.status_rank, text.segments, text.encoding) == (
        "pending", 0, 1, "GSM-7")
    later = rows.outbound_text(patient_id=7, conversation_id=None, address="+16175550100",
                               body="你好", kind=MessageKind.REPLY, now=NOW, send_after=NOW)
    assert (later.status, later.send_after, later.encoding) == ("deferred", NOW, "UCS-2")


def test_enums_are_their_stored_strings() -> None:
    assert MessageStatus.SENT == "sent" and f"{MessageStatus.SENT}" == "sent"
    assert str(MessageKind.SAFETY) == "safety"
    assert json.dumps({"kind": MessageKind.REPLY}) == '{"kind": "reply"}'
    assert STATUS_RANK["delivered"] == STATUS_RANK[MessageStatus.DELIVERED]
