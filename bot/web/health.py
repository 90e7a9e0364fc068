"""Liveness, readiness and metrics for load balancers and monitoring.

`/healthz` says the process answers; `/readyz` says it can do its job (database and Redis
reachable); `/metrics` exposes queue depths and message/task counts in Prometheus text format.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify
from rq import Queue
from sqlalchemy import func, select, text

from bot import defaults
from bot.store.models import FollowUpTask, InboxEvent, Message
from bot.web.context import runtime

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)

QUEUES = (defaults.QUEUE_INBOUND, defaults.QUEUE_OUTBOUND, defaults.QUEUE_DEFAULT)


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    rt = runtime()
    checks: dict[str, str] = {}
    try:
        with rt.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
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
    with rt.db.session() as s:
        lines += ["# HELP outreach_messages Messages by direction and status.",
                  "# TYPE outreach_messages gauge"]
        for direction, status, count in s.execute(
            select(Message.direction, Message.status, func.count()).group_by(
                Message.direction, Message.status)
        ):
            lines.append(f'outreach_messages{{direction="{direction}",status="{status}"}} {count}')
        lines += ["# HELP outreach_tasks Follow-up tasks by status and priority.",
                  "# TYPE outreach_tasks gauge"]
        for status, priority, count in s.execute(
            select(FollowUpTask.status, FollowUpTask.priority, func.count()).group_by(
                FollowUpTask.status, FollowUpTask.priority)
        ):
            lines.append(f'outreach_tasks{{status="{status}",priority="{priority}"}} {count}')
        pending = s.scalar(select(func.count()).where(InboxEvent.processed_at.is_(None)))
        lines += ["# HELP outreach_inbox_pending Inbox events not yet processed.",
                  "# TYPE outreach_inbox_pending gauge", f"outreach_inbox_pending {pending}"]
    return Response("\n".join(lines) + "\n", mimetype="text/plain; version=0.0.4")
