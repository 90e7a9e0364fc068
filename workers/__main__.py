"""`python -m workers [QUEUE...]`: a worker with its scheduler, settings checked before any job.

Equivalent to `rq worker --with-scheduler inbound outbound default`, but it validates the
settings first (one clear line if one is wrong), loads flows, catalogs and reply tables
before forking work horses (`workers.preload.warm`), and arms the sweeper.
"""

from __future__ import annotations

import logging
import sys

from rq import Worker

from bot import defaults
from bot.errors import SettingsError
from workers import context
from workers.preload import warm


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        warm()  # settings, flows, catalogs, reply tables: once here, inherited by each horse
    except SettingsError as exc:
        print(f"outreach worker: {exc}", file=sys.stderr)
        return 2
    rt = context.runtime()
    names = argv or [defaults.QUEUE_INBOUND, defaults.QUEUE_OUTBOUND, defaults.QUEUE_DEFAULT]
    worker = Worker(names, connection=rt.redis)
    worker.work(with_scheduler=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
