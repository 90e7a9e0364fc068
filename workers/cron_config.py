"""RQ cron configuration: `rq cron workers.cron_config --url $REDIS_URL` (Procfile `clock`).

RQ's own cron scheduler enqueues the campaign pass on the default queue every
`CAMPAIGN_PASS_SECONDS`; the workers run it like any job.
"""

from __future__ import annotations

from rq import cron

from bot import defaults
from workers.campaigns import run_pass

#: A pass is bounded by its batch budget; this is only the guard against a stuck one (s).
PASS_JOB_TIMEOUT_SECONDS = 600

cron.register(run_pass, defaults.QUEUE_DEFAULT, interval=defaults.CAMPAIGN_PASS_SECONDS,
              job_timeout=PASS_JOB_TIMEOUT_SECONDS, result_ttl=300, name="campaign-pass")
