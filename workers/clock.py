"""The clock: RQ's cron scheduler, kept running through Redis outages.

`rq cron` exits on the first connection error, so a Redis restart would stop every timer (the
campaign pass and the sweep) until someone restarted the process. This runs the same
`CronScheduler` with the same configuration (`workers.cron_config`) and, when Redis is
unreachable, waits and starts it again: the timers resume as soon as Redis answers, even when it
came back empty.

    python -m workers.clock [--url REDIS_URL] [--config workers.cron_config]
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from collections.abc import Sequence

import redis
from rq.cron import CronScheduler
from rq.exceptions import StopRequested

from bot import defaults
from bot.redaction import install as install_redaction

log = logging.getLogger("workers.clock")

#: Errors that mean "Redis is not there right now", as opposed to a bug in a job's config.
REDIS_DOWN = (redis.ConnectionError, redis.TimeoutError)


def run(url: str, config: str = "workers.cron_config", *,
        reconnect_seconds: float = defaults.CLOCK_RECONNECT_SECONDS,
        reconnect_max_seconds: float = defaults.CLOCK_RECONNECT_MAX_SECONDS) -> int:
    """Run the cron scheduler until SIGTERM/SIGINT; returns the exit status."""
    scheduler = CronScheduler(connection=redis.Redis.from_url(url))
    scheduler.load_config_from_file(config)
    delay = reconnect_seconds
    while True:
        try:
            scheduler.start()  # returns on SIGTERM/SIGINT, raises when Redis goes away
            return 0
        except REDIS_DOWN as exc:
            log.warning("redis unreachable (%s); the clock tries again in %.1fs",
                        type(exc).__name__, delay)
        try:
            time.sleep(delay)
        except (StopRequested, KeyboardInterrupt):
            return 0
        delay = min(delay * 2, reconnect_max_seconds)
        try:
            scheduler.connection.ping()
            delay = reconnect_seconds
            log.info("redis answers again; the clock resumes")
        except REDIS_DOWN:
            continue


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workers.clock", description=__doc__.split("\n")[0])
    parser.add_argument("--url", default=os.environ.get("REDIS_URL"), help="Redis URL (default: $REDIS_URL)")
    parser.add_argument("--config", default="workers.cron_config", help="cron configuration module")
    args = parser.parse_args(argv)
    if not args.url:
        parser.error("set REDIS_URL or pass --url")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    install_redaction()
    return run(args.url, args.config)


if __name__ == "__main__":
    raise SystemExit(main())
