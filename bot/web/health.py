"""Liveness and readiness for load balancers and monitoring.

`/healthz` says the process answers (public). `/readyz` says it can do its job (database and
Redis reachable) with its status code to anyone, and which part failed only to the addresses
METRICS_ALLOW_FROM names (`bot.web.metrics`): what a load balancer needs, and no more.
`/metrics` lives in `bot.web.metrics`.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify
from sqlalchemy import text

from bot.web.context import runtime
from bot.web.metrics import allowed

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


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
    status = "ready" if ready else "not ready"
    body = jsonify(status=status, checks=checks) if allowed() else jsonify(status=status)
    return body, 200 if ready else 503
