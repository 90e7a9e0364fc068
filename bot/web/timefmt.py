"""Dates and durations on the staff pages, in the program's time zone (DEFAULT_TIMEZONE).

Times are stored in UTC; staff read them in the clinic's local time, and an SLA reads best as
"due in 40 min" or "overdue by 2 h 05 min".
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app

from bot.defaults import DEFAULT_TIMEZONE
from bot.store.caseload import format_duration


def program_zone() -> str:
    return str(current_app.config.get("DEFAULT_TIMEZONE") or DEFAULT_TIMEZONE)


def localtime(value: datetime | None) -> str:
    """'2026-11-24 13:40 EST' in the program's zone; an em dash for no value."""
    if value is None:
        return "—"
    return value.astimezone(ZoneInfo(program_zone())).strftime("%Y-%m-%d %H:%M %Z")


def due_text(due: datetime, now: datetime) -> str:
    """'due in 40 min' or 'overdue by 2 h 05 min'."""
    if due < now:
        return f"overdue by {format_duration(now - due)}"
    return f"due in {format_duration(due - now)}"


def duration(value: timedelta | None) -> str:
    return format_duration(value)


def register(bp: Blueprint) -> None:
    """Make the filters available to every template of the app."""
    bp.add_app_template_filter(localtime, "localtime")
    bp.add_app_template_filter(duration, "duration")
    bp.add_app_template_global(due_text, "due_text")
