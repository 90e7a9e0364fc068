"""Voice settings are checked at start-up: a worker that places calls needs a caller number."""

from __future__ import annotations

import pytest

from bot import settings as settings_mod
from bot.errors import SettingsError

WORKER_ENV = {
    "DATABASE_URL": "sqlite:///var/test.db", "REDIS_URL": "redis://127.0.0.1:6379/0",
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "token",
    "TWILIO_MESSAGING_SERVICE_SID": "MG" + "0" * 32, "PUBLIC_BASE_URL": "https://x.example",
    "PROGRAM_CONTACT": "555-0100",
}


def test_a_worker_with_only_a_messaging_service_cannot_start_with_calls_on() -> None:
    with pytest.raises(SettingsError, match="TWILIO_FROM_NUMBER.*place calls"):
        settings_mod.load(WORKER_ENV, require=settings_mod.WORKER)


def test_calls_off_or_a_caller_number_lets_it_start() -> None:
    off = settings_mod.load({**WORKER_ENV, "VOICE_CALLS": "off"}, require=settings_mod.WORKER)
    assert off.VOICE_CALLS == "off"
    on = settings_mod.load({**WORKER_ENV, "TWILIO_FROM_NUMBER": "+15551234567"},
                           require=settings_mod.WORKER)
    assert on.VOICE_CALLS == "on"


@pytest.mark.parametrize(("name", "value"), [("VOICE_CALLS", "maybe"),
                                             ("VOICE_CRISIS_TRANSFER_NUMBER", "on-call")])
def test_bad_voice_settings_are_one_clear_error(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        settings_mod.load({name: value})


def test_call_limits_default_to_the_fcc_conditions_and_can_be_raised() -> None:
    default = settings_mod.load({})
    assert (default.VOICE_CALLS_PER_DAY, default.VOICE_CALLS_PER_WEEK) == (1, 3)
    raised = settings_mod.load({"VOICE_CALLS_PER_DAY": "2", "VOICE_CALLS_PER_WEEK": "5"})
    assert (raised.VOICE_CALLS_PER_DAY, raised.VOICE_CALLS_PER_WEEK) == (2, 5)


@pytest.mark.parametrize("env", [{"VOICE_CALLS_PER_DAY": "0"},
                                 {"VOICE_CALLS_PER_DAY": "2", "VOICE_CALLS_PER_WEEK": "1"}])
def test_call_limits_that_make_no_sense_stop_start_up(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError, match="VOICE_CALLS_PER_"):
        settings_mod.load(env)
