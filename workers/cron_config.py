"""RQ cron configuration, run by the clock (`python -m workers.clock`, Procfile `clock`).

RQ's own cron scheduler queues, on the default queue, the campaign pass every
`CAMPAIGN_PASS_SECONDS` and the sweep every `SWEEP_INTERVAL_SECONDS`; the workers run them like
any job. The sweep is queued directly (not through RQ's scheduled-job registry), so work lost
with a Redis restart is found again without new traffic and without waiting for the workers'
own scheduler to come back.
"""

from __future__ import annotations

from rq import cron

from bot import defaults
from bot.settings import load
from workers.campaigns import run_pass
from workers.jobs import sweep

#: A pass is bounded by its batch budget; this is only the guard against a stuck one (s).
PASS_JOB_TIMEOUT_SECONDS = 600
#: A sweep reads at most a few thousand ids; a stuck one is killed long before the next (s).
SWEEP_JOB_TIMEOUT_SECONDS = 120

cron.register(run_pass, defaults.QUEUE_DEFAULT, interval=defaults.CAMPAIGN_PASS_SECONDS,
              job_timeout=PASS_JOB_TIMEOUT_SECONDS, result_ttl=300, name="campaign-pass")
cron.register(sweep, defaults.QUEUE_DEFAULT, interval=load().SWEEP_INTERVAL_SECONDS,
              job_timeout=SWEEP_JOB_TIMEOUT_SECONDS, result_ttl=60, name="sweep")
