"""Settings the pipeline and the triage page read: declared, typed, validated at start-up."""

from __future__ import annotations

import pytest

from bot import settings as settings_mod
from bot.errors import SettingsError


def test_triage_poll_seconds_defaults_to_ten_and_reaches_flask_config():
    s = settings_mod.load({})
    assert s.TRIAGE_POLL_SECONDS == 10
    assert settings_mod.load({"TRIAGE_POLL_SECONDS": " 3 "}).as_flask_config()[
        "TRIAGE_POLL_SECONDS"] == 3
    assert settings_mod.from_mapping({"TRIAGE_POLL_SECONDS": 30}).TRIAGE_POLL_SECONDS == 30


@pytest.mark.parametrize(("raw", "why"), [
    ("ten", "whole number"), ("0", "at least 1"), ("-5", "at least 1"), ("86400", "at most 3600"),
    ("2.5", "whole number"),
])
def test_bad_triage_poll_seconds_is_one_clear_error(raw, why):
    with pytest.raises(SettingsError, match=f"TRIAGE_POLL_SECONDS: must be .*{why}"):
        settings_mod.load({"TRIAGE_POLL_SECONDS": raw})


def test_daily_cap_still_accepts_zero_and_refuses_negative():
    assert settings_mod.load({"MAX_ROUTINE_MESSAGES_PER_DAY": "0"}).MAX_ROUTINE_MESSAGES_PER_DAY == 0
    with pytest.raises(SettingsError, match="must not be negative"):
        settings_mod.load({"MAX_ROUTINE_MESSAGES_PER_DAY": "-1"})
