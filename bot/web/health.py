"""Liveness, readiness and metrics for load balancers and monitoring.

`/healthz` says the process answers; `/readyz` says it can do its job (database and Redis
reachable); `/metrics` exposes queue depths and message/task counts in Prometheus text format.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import Blueprint, Response, jsonify
from rq import Queue
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from bot import defaults
from bot.store.models import (
    FINAL_STATUSES,
    STATUS_RANK,
    TASK_CLAIMED,
    TASK_OPEN,
    FollowUpTask,
    InboxEvent,
    Message,
    utcnow,
)
from bot.web.context import runtime

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)

QUEUES = (defaults.QUEUE_INBOUND, defaults.QUEUE_OUTBOUND, defaults.QUEUE_DEFAULT)
#: Message statuses that may still change (the status index finds these few rows).
IN_FLIGHT = frozenset(STATUS_RANK) - FINAL_STATUSES


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    rt = runtime()
    checks: dict[str, str] = {}
    try:
        with rt.db.read() as s:
            s.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        log.warning("readiness: database unreachable (%s)", type(exc).__name__)
        checks["database"] = "unreachable"
    try:
        rt.redis.ping()
        checks["redis"] = "ok"
    except Exception as exc:  # noqa: BLE001
        log.warning("readiness: redis unreachable (%s)", type(exc).__name__)
        checks["redis"] = "unreachable"
    ready = all(v == "ok" for v in checks.values())
    return jsonify(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503


@bp.get("/metrics")
def metrics() -> Response:
    rt = runtime()
    lines = [
        "# HELP outreach_queue_jobs Jobs waiting in an RQ queue.",
        "# TYPE outreach_queue_jobs gauge",
    ]
    for name in QUEUES:
        lines.append(f'outreach_queue_jobs{{queue="{name}"}} {Queue(name, connection=rt.redis).count}')
    now = utcnow()
    with rt.db.read() as s:
        lines += message_lines(s, now) + task_lines(s, now)
        pending = s.scalar(select(func.count()).select_from(InboxEvent)
                           .where(InboxEvent.processed_at.is_(None)))
        lines += ["# HELP outreach_inbox_pending Inbox events not yet processed.",
                  "# TYPE outreach_inbox_pending gauge", f"outreach_inbox_pending {pending}"]
    return Response("\n".join(lines) + "\n", mimetype="text/plain; version=0.0.4")


#: The window of the "recent" gauges: long enough to outlast any scrape interval, short
#: enough that the rows counted are an index range, not the message history.
RECENT = timedelta(hours=1)


def message_lines(s: Session, now: datetime) -> list[str]:
    """Messages still on their way (not in a final status), and those created in the last hour,
    by direction and status. Both read an index range: a scrape every 15 seconds must not count
    a million rows of history each time (totals over all time are the database's reports)."""
    lines = ["# HELP outreach_messages_in_flight Messages not yet in a final status.",
             "# TYPE outreach_messages_in_flight gauge"]
    for direction, status, count in s.execute(
        select(Message.direction, Message.status, func.count())
        .where(Message.status.in_(sorted(IN_FLIGHT)))
        .group_by(Message.direction, Message.status)
    ):
        lines.append(f'outreach_messages_in_flight{{direction="{direction}",status="{status}"}} '
                     f"{count}")
    lines += ["# HELP outreach_messages_last_hour Messages created in the last hour, by status.",
              "# TYPE outreach_messages_last_hour gauge"]
    for direction, status, count in s.execute(
        select(Message.direction, Message.status, func.count())
        .where(Message.created_at >= now - RECENT)
        .group_by(Message.direction, Message.status)
    ):
        lines.append(f'outreach_messages_last_hour{{direction="{direction}",status="{status}"}} '
                     f"{count}")
    return lines


def task_lines(s: Session, now: datetime) -> list[str]:
    """Unresolved tasks by status and priority (the queue), and tasks resolved in the last hour."""
    lines = ["# HELP outreach_tasks Unresolved follow-up tasks by status and priority.",
             "# TYPE outreach_tasks gauge"]
    for status, priority, count in s.execute(
        select(FollowUpTask.status, FollowUpTask.priority, func.count())
        .where(FollowUpTask.status.in_((TASK_OPEN, TASK_CLAIMED)))
        .group_by(FollowUpTask.status, FollowUpTask.priority)
    ):
        lines.append(f'outreach_tasks{{status="{status}",priority="{priority}"}} {count}')
    lines += ["# HELP outreach_tasks_resolved_last_hour Tasks resolved in the last hour.",
              "# TYPE outreach_tasks_resolved_last_hour gauge"]
    for priority, count in s.execute(
        select(FollowUpTask.priority, func.count())
        .where(FollowUpTask.resolved_at >= now - RECENT).group_by(FollowUpTask.priority)
    ):
        lines.append(f'outreach_tasks_resolved_last_hour{{priority="{priority}"}} {count}')
    return lines
