"""`/metrics` for Prometheus, and who may read it (and the details of `/readyz`).

Counters and histograms are counted where things happen (`bot.metrics`); with
PROMETHEUS_MULTIPROC_DIR set (gunicorn workers, RQ's forked work horses) each process writes its
own files and a scrape adds them up. Gauges are read at scrape time, each with one cheap,
bounded read: queue lengths from Redis, and open tasks by priority through the index that
leads with the task status, so a scrape costs the same at ten million messages as at ten.

Only addresses in METRICS_ALLOW_FROM may read either; everyone else gets a 404, as if the page
did not exist (the public listener shows nothing of the program's volumes by default).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from ipaddress import ip_address

from flask import Blueprint, Flask, Response, abort, g, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from rq import Queue
from sqlalchemy import func, select

from bot import defaults
from bot.metrics import WEBHOOK_SECONDS
from bot.store.models import TASK_CLAIMED, TASK_OPEN, FollowUpTask
from bot.web.context import runtime

bp = Blueprint("metrics", __name__)

QUEUES = (defaults.QUEUE_INBOUND, defaults.QUEUE_OUTBOUND, defaults.QUEUE_DEFAULT)
#: Webhook endpoints timed by `outreach_webhook_seconds` (their URL rule is the label).
WEBHOOK_PREFIX = "/twilio/"


def allowed() -> bool:
    """The caller's address is one METRICS_ALLOW_FROM names (as ProxyFix resolved it)."""
    networks = runtime().settings.metrics_networks
    if not networks or not request.remote_addr:
        return False
    try:
        address = ip_address(request.remote_addr)
    except ValueError:
        return False
    return any(address in network for network in networks)


class LiveGauges(Collector):
    """Gauges read at scrape time: queue depth (Redis LLEN) and open tasks (indexed)."""

    def collect(self) -> Iterator[Metric]:
        rt = runtime()
        queued = GaugeMetricFamily("outreach_queue_jobs", "Jobs waiting in an RQ queue.",
                                   labels=["queue"])
        for name in QUEUES:
            queued.add_metric([name], Queue(name, connection=rt.redis).count)
        yield queued
        tasks = GaugeMetricFamily("outreach_open_tasks",
                                  "Follow-up tasks not yet resolved, by priority.",
                                  labels=["priority"])
        with rt.db.read() as s:
            counts = {priority: int(n) for priority, n in s.execute(
                select(FollowUpTask.priority, func.count()).where(
                    FollowUpTask.status.in_((TASK_OPEN, TASK_CLAIMED)))
                .group_by(FollowUpTask.priority))}
        for priority in defaults.TASK_SLA_HOURS:
            tasks.add_metric([priority], counts.get(priority, 0))
        yield tasks


def scrape() -> bytes:
    """The text exposition: every process's counters (multiprocess) plus the live gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_Forward())
    registry.register(LiveGauges())
    return generate_latest(registry)


class _Forward(Collector):
    """This process's own counters, when not in multiprocess mode (one process serves all)."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


@bp.get("/metrics")
def metrics() -> Response:
    if not allowed():
        abort(404)
    return Response(scrape(), mimetype=CONTENT_TYPE_LATEST)


def _start_timer() -> None:
    if request.path.startswith(WEBHOOK_PREFIX):
        g.webhook_started = time.perf_counter()


def _observe(response: Response) -> Response:
    started = g.pop("webhook_started", None)
    if started is not None:
        endpoint = request.url_rule.rule if request.url_rule is not None else "unmatched"
        WEBHOOK_SECONDS.labels(endpoint=endpoint).observe(time.perf_counter() - started)
    return response


def init_app(app: Flask) -> None:
    app.before_request(_start_timer)
    app.after_request(_observe)
