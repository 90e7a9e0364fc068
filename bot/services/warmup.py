"""Loading, once per process, everything a job touches: flows and their compiled machines,
translation catalogs, Babel's locale data, the reply tables and the twilio client.

A forking worker calls this in its parent before the first fork, so each work horse starts warm
through copy-on-write memory instead of loading about a second's worth of tables per job.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from babel import Locale

from bot import i18n
from bot.flows.compiler import compile_flow
from bot.services.runtime import Runtime
from bot.understanding import intents, safety

#: Modules jobs import lazily (a horse of a worker that did not preload imports them per job).
JOB_MODULES = (
    "bot.core.engine", "bot.services.turn", "bot.services.delivery", "bot.services.sweeper",
    "bot.services.sending", "bot.services.calls", "twilio.rest",
    "twilio.rest.api.v2010.account.message", "twilio.rest.api.v2010.account.call",
)
#: A reply that exercises every table the global and flow intents use.
_SAMPLE_REPLY = "yes 2 tomorrow"


def warm_tables(rt: Runtime, extra_modules: Iterable[str] = ()) -> None:
    """Load flows, machines, catalogs, Babel data and reply tables for every shipped locale.

    Idempotent and cheap once done (every table is cached for the process).
    """
    for module in (*JOB_MODULES, *extra_modules):
        importlib.import_module(module)
    for name in rt.flows.names():
        for version in rt.flows.versions(name):
            compile_flow(rt.flows.get(name, version))
    if rt.settings.TWILIO_ACCOUNT_SID and rt.settings.TWILIO_AUTH_TOKEN:
        from bot.services.sending import client

        _ = client(rt.settings).messages  # the client and its REST modules (else per horse)
    safety.warm()
    intents.warm()
    for locale in i18n.SHIPPED_LOCALES:
        Locale.parse(locale)
        i18n.translations(locale)
        # One pass through each path a reply takes, for whatever the tables above miss.
        safety.classify_global(_SAMPLE_REPLY, locale)
        for intent in ("yes", "no", "number", "date"):
            intents.match(intent, _SAMPLE_REPLY, locale)
