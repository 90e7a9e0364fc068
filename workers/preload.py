"""A forking RQ worker that loads everything a job needs once, in the parent.

RQ's `Worker` forks a work horse per job. Whatever the parent has not loaded, every horse loads
again: settings, the flows and their compiled machines, the translation catalogs, Babel's locale
data and the reply-understanding tables (about a second in all, measured). Loading them here,
before the first fork, lets each horse start warm through copy-on-write memory. Used by the
Procfile's `worker` line: `rq worker --with-scheduler --worker-class workers.preload.PreloadedWorker`.
"""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Any

from rq import Worker

from bot import redaction
from bot.errors import SettingsError

log = logging.getLogger(__name__)

#: Modules jobs import lazily (a horse of a worker that did not preload imports them per job).
_JOB_MODULES = (
    "bot.engine", "workers.jobs", "workers.delivery", "workers.sweeper", "workers.sending",
    "bot.channels.voice_calls", "bot.web.webhooks", "twilio.rest",
    "twilio.rest.api.v2010.account.message", "twilio.rest.api.v2010.account.call",
)
#: A reply that exercises every table the global and flow intents use.
_SAMPLE_REPLY = "yes 2 tomorrow"


def warm_tables(rt: Any) -> None:
    """Load flows, machines, catalogs, Babel data and reply tables for every shipped locale.

    Idempotent and cheap once done (every table is cached for the process).
    """
    from babel import Locale

    from bot import i18n, intents, safety
    from bot.flows.compiler import compile_flow

    for module in _JOB_MODULES:
        importlib.import_module(module)
    for name in rt.flows.names():
        for version in rt.flows.versions(name):
            compile_flow(rt.flows.get(name, version))
    if rt.settings.TWILIO_ACCOUNT_SID and rt.settings.TWILIO_AUTH_TOKEN:
        from workers.sending import client

        _ = client().messages  # the client and its REST modules (else imported per horse)
    safety.warm()
    intents.warm()
    for locale in i18n.SHIPPED_LOCALES:
        Locale.parse(locale)
        i18n.translations(locale)
        # One pass through each path a reply takes, for whatever the tables above miss.
        safety.classify_global(_SAMPLE_REPLY, locale)
        for intent in ("yes", "no", "number", "date"):
            intents.match(intent, _SAMPLE_REPLY, locale)


def warm() -> None:
    """Validate the settings, load everything a job needs, arm the sweeper."""
    from workers import context
    from workers.jobs import ensure_sweeping

    rt = context.runtime()  # builds the runtime and calls warm_tables (not inside a job)
    warm_tables(rt)
    rt.db.engine.dispose()  # horses open their own connections
    ensure_sweeping(rt.redis)


class PreloadedWorker(Worker):
    """`rq.Worker` that calls `warm()` before it forks its first work horse."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        try:
            warm()
        except SettingsError as exc:
            print(f"outreach worker: {exc}", file=sys.stderr)
            raise SystemExit(2) from None
        log.info("worker preloaded flows, catalogs and reply tables")

    def bootstrap(self, *args: Any, **kwargs: Any) -> None:
        """RQ sets up its log handlers here; every one of them gets the redacting filter."""
        super().bootstrap(*args, **kwargs)
        redaction.install()

    def handle_job_failure(self, job: Any, queue: Any, started_job_registry: Any = None,
                           exc_string: str = "") -> None:
        """Store the failure's traceback without phone numbers or SQL parameter values.

        RQ keeps this text in Redis (and so in its append-only file) for the job's failure TTL.
        """
        super().handle_job_failure(job, queue, started_job_registry=started_job_registry,
                                   exc_string=redaction.redact(exc_string))
