"""Every flow runs end to end in every shipped language, and every message it sends on the way
is the catalog's translation (never the English msgid standing in for a missing one)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot import i18n
from bot.core.conversation import Conversation, Reply, Start, Timeout
from bot.core.effects import EndConversation, ScheduleTimeout, SendMessage
from bot.core.engine import step
from bot.flows.loader import default_flows_dir, load_dir

FLOWS = ("refill_reminder", "appointment_recovery", "engagement_checkin")
NOW = datetime(2026, 3, 2, 15, tzinfo=timezone.utc)
CONTEXT = {
    "first_name": "Ana",
    "due_date": "2026-03-05",
    "missed_date": "2026-02-27",
    "slots": ["2026-03-04T15:00:00+00:00", "2026-03-05T18:00:00+00:00",
              "2026-03-06T14:30:00+00:00"],
}
HOST = {"program": "Riverside Clinic", "contact": "555-0100"}


@pytest.fixture(scope="module")
def registry():
    return load_dir(default_flows_dir()).registry


def _texts(effects, locale: str) -> list[tuple[str, str]]:
    return [(e.msgid, i18n.render(e.msgid, {**HOST, **e.params}, locale, "America/New_York"))
            for e in effects if isinstance(e, SendMessage)]


def _assert_translated(sent: list[tuple[str, str]], locale: str) -> None:
    for msgid, text in sent:
        assert "{" not in text, f"unfilled placeholder in {locale}: {msgid!r}"
        if locale != "en":
            english = i18n.render(msgid, {**HOST, **CONTEXT}, "en", "America/New_York")
            assert text != english, f"{locale} sends English for {msgid!r}"


@pytest.mark.parametrize("locale", i18n.SHIPPED_LOCALES)
@pytest.mark.parametrize("name", FLOWS)
def test_flow_runs_to_its_end_in_every_language(registry, name, locale):
    flow = registry.get(name)
    conv = Conversation(id="c", patient_id="p", flow=flow.name, version=flow.version, state="",
                        locale=locale, context=dict(CONTEXT), started_at=NOW, updated_at=NOW)
    now = NOW
    conv, effects = step(flow, conv, Start(), now)
    sent = _texts(effects, locale)
    assert sent, "the first step sends the opening message"
    # The patient answers the opening question with its first offered digit ...
    answered, reply_effects = step(flow, conv, Reply(text="1"), now)
    assert answered.state != conv.state or any(isinstance(e, EndConversation)
                                               for e in reply_effects), \
        f"'1' was not understood in {locale}"
    sent += _texts(reply_effects, locale)
    # ... and, on another run, says nothing: each wait times out until the flow ends.
    for _ in range(10):
        waits = [e for e in effects if isinstance(e, ScheduleTimeout)]
        if conv.status == "ended" or not waits:
            break
        now = waits[-1].at + timedelta(seconds=1)
        conv, effects = step(flow, conv, Timeout(wait_token=waits[-1].wait_token), now)
        sent += _texts(effects, locale)
    assert conv.status == "ended", f"{name} did not end in {locale} (state {conv.state})"
    assert conv.outcome
    _assert_translated(sent, locale)
