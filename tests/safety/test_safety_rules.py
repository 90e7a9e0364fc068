"""Quiet hours and frequency caps in the patient's own time zone, across DST changes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.core.rules import (
    RuleError,
    cap_reached,
    in_quiet_hours,
    local_day_bounds,
    next_allowed_send,
    parse_clock,
)

UTC = timezone.utc


def local(tz: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(tz)).astimezone(UTC)


@pytest.mark.parametrize(
    ("tz", "when", "quiet"),
    [
        ("America/New_York", (2026, 6, 1, 7, 59), True),
        ("America/New_York", (2026, 6, 1, 8, 0), False),
        ("America/New_York", (2026, 6, 1, 20, 59), False),
        ("America/New_York", (2026, 6, 1, 21, 0), True),
        ("America/New_York", (2026, 6, 1, 0, 30), True),
        ("Pacific/Honolulu", (2026, 6, 1, 22, 0), True),
        ("Pacific/Honolulu", (2026, 6, 1, 12, 0), False),
        ("Asia/Manila", (2026, 6, 1, 6, 0), True),
        ("Asia/Manila", (2026, 6, 1, 9, 0), False),
    ],
)
def test_in_quiet_hours_is_local(tz: str, when: tuple[int, ...], quiet: bool) -> None:
    assert in_quiet_hours(local(tz, *when), tz) is quiet


def test_allowed_time_is_returned_unchanged() -> None:
    now = local("America/Chicago", 2026, 6, 1, 14, 0)
    assert next_allowed_send(now, "America/Chicago") == now


def test_evening_defers_to_next_morning() -> None:
    now = local("America/Los_Angeles", 2026, 6, 1, 22, 15)
    assert next_allowed_send(now, "America/Los_Angeles") == local(
        "America/Los_Angeles", 2026, 6, 2, 8, 0)


def test_early_morning_defers_to_same_morning() -> None:
    now = local("America/New_York", 2026, 6, 1, 5, 0)
    assert next_allowed_send(now, "America/New_York") == local("America/New_York", 2026, 6, 1, 8)


def test_same_utc_instant_differs_by_zone() -> None:
    now = datetime(2026, 6, 1, 18, 0, tzinfo=UTC)  # 08:00 Honolulu, 02:00 Manila (next day)
    assert next_allowed_send(now, "Pacific/Honolulu") == now
    assert next_allowed_send(now, "Asia/Manila") == local("Asia/Manila", 2026, 6, 2, 8, 0)


def test_spring_forward_night() -> None:
    # 2026-03-08: clocks jump 02:00 -> 03:00 in New York; 08:00 EDT is 12:00 UTC.
    now = local("America/New_York", 2026, 3, 7, 23, 0)
    assert next_allowed_send(now, "America/New_York") == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)


def test_fall_back_night() -> None:
    # 2026-11-01: clocks fall back 02:00 -> 01:00; 08:00 EST is 13:00 UTC.
    now = local("America/New_York", 2026, 10, 31, 22, 0)
    assert next_allowed_send(now, "America/New_York") == datetime(2026, 11, 1, 13, 0, tzinfo=UTC)


def test_quiet_end_inside_a_dst_gap_moves_forward() -> None:
    now = local("America/New_York", 2026, 3, 8, 1, 0)
    result = next_allowed_send(now, "America/New_York", "01:00", "02:30")
    assert result == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # 03:30 EDT, the first real time
    assert not in_quiet_hours(result, "America/New_York", "01:00", "02:30")


def test_daytime_window_not_crossing_midnight() -> None:
    now = local("America/Denver", 2026, 6, 1, 12, 30)
    assert in_quiet_hours(now, "America/Denver", "12:00", "13:00")
    assert next_allowed_send(now, "America/Denver", "12:00", "13:00") == local(
        "America/Denver", 2026, 6, 1, 13, 0)


def test_equal_bounds_mean_no_quiet_window() -> None:
    now = local("America/New_York", 2026, 6, 1, 3, 0)
    assert next_allowed_send(now, "America/New_York", "00:00", "00:00") == now


@pytest.mark.parametrize("tz", ["America/New_York", "Pacific/Honolulu", "Asia/Manila"])
def test_result_is_never_quiet_and_never_earlier(tz: str) -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    for hours in range(0, 24 * 20, 5):
        now = start + timedelta(hours=hours, minutes=7)
        result = next_allowed_send(now, tz)
        assert result >= now
        assert not in_quiet_hours(result, tz)
        assert result - now < timedelta(hours=12)


def test_local_day_bounds_normal_and_dst_days() -> None:
    start, end = local_day_bounds(local("Asia/Manila", 2026, 6, 1, 23, 30), "Asia/Manila")
    assert start == datetime(2026, 5, 31, 16, 0, tzinfo=UTC)
    assert end - start == timedelta(hours=24)
    start, end = local_day_bounds(local("America/New_York", 2026, 3, 8, 12), "America/New_York")
    assert end - start == timedelta(hours=23)
    start, end = local_day_bounds(local("America/New_York", 2026, 11, 1, 12), "America/New_York")
    assert end - start == timedelta(hours=25)
    assert start == datetime(2026, 11, 1, 4, 0, tzinfo=UTC)


def test_cap_reached() -> None:
    assert not cap_reached(0, 3)
    assert not cap_reached(2, 3)
    assert cap_reached(3, 3)
    assert cap_reached(4, 3)
    assert cap_reached(0, 0)


def test_misuse_is_an_error() -> None:
    with pytest.raises(RuleError):
        in_quiet_hours(datetime(2026, 1, 1), "America/New_York")
    with pytest.raises(RuleError):
        parse_clock("9pm")
