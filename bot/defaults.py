"""Every tunable limit and default in one place, each with its unit.

Settings from the environment (bot.settings) and flow `settings:` blocks override some of these;
the rest are product decisions, kept here so that a reviewer can see them together.
"""

from __future__ import annotations

#: Locale used when a patient's preference is unknown and no catalog matches (BCP-47-ish code).
DEFAULT_LOCALE = "en"
#: Time zone used when a patient has none on file (IANA name).
DEFAULT_TIMEZONE = "America/New_York"

#: Quiet hours, patient's local time: routine messages go out only between these (24h clock).
QUIET_HOURS_START = "21:00"
QUIET_HOURS_END = "08:00"
#: Routine messages per patient per local calendar day, across all flows.
MAX_ROUTINE_MESSAGES_PER_DAY = 3
#: Outreach calls placed to one patient per local calendar day, and in any seven days (calls).
#: These are the FCC's conditions for healthcare calls exempt from prior consent: a program
#: that relies on that exemption keeps them; one with written consent may raise them.
VOICE_CALLS_PER_DAY = 1
VOICE_CALLS_PER_WEEK = 3

#: How many times a state re-asks after a reply it did not understand, unless the flow says.
DEFAULT_REPROMPTS = 2
#: Engine safety valve: states entered in one step before the engine refuses to go on (states).
MAX_STEPS_PER_TURN = 50

#: Hours until a follow-up task is due, by priority (the SLA).
TASK_SLA_HOURS = {"urgent": 1, "high": 4, "routine": 24, "low": 72}
TASK_PRIORITIES = ("urgent", "high", "routine", "low")
TASK_TEAMS = ("pharmacy", "scheduling", "nursing", "social_work", "outreach", "behavioral_health")

#: Send retries for 429 / 5xx / network errors, and the backoff between them (seconds).
SEND_MAX_RETRIES = 5
SEND_BACKOFF_SECONDS = (2, 10, 60, 300, 900)
#: Carrier send rates by sender type, in segments per second (TWILIO_SEGMENTS_PER_SECOND
#: overrides): a US long code (10DLC) ~1, toll-free 3; a short code (100 and up) and a
#: Messaging Service (the sum over its numbers) are configured, 1 being the safe guess.
SEND_RATE_LONG_CODE = 1.0
SEND_RATE_TOLL_FREE = 3.0
SEND_RATE_MESSAGING_SERVICE = 1.0
#: The share of the carrier rate we pace at. The time from a slot to Twilio's acceptance varies
#: by tens of milliseconds (scheduling, HTTP), which at exactly the rate would now and then put
#: one message too many into some second; 3% is 30 ms of slack per second at any rate.
SEND_RATE_HEADROOM = 0.97
#: The longest a send job sleeps for its slot; a later slot puts the message back (s).
SEND_RATE_MAX_WAIT_SECONDS = 30.0
#: Retries for transient carrier failures (30003, 30008) before a task is created.
CARRIER_RETRY_LIMIT = 2
CARRIER_RETRY_DELAY_SECONDS = 1800

#: Per-patient processing lock: how long a worker may hold it before it is presumed dead (s).
PATIENT_LOCK_TTL_SECONDS = 60
#: Delay before a job that found the patient lock taken tries again (s).
PATIENT_LOCK_RETRY_SECONDS = 1
#: Unprocessed events older than this are re-enqueued by the sweeper: long enough for the
#: event's own job to have run on a busy worker, short enough that a reply lost with a Redis
#: restart is answered within about a minute (s).
SWEEP_STALE_EVENTS_SECONDS = 30

#: RQ queue names.
QUEUE_INBOUND = "inbound"
QUEUE_OUTBOUND = "outbound"
QUEUE_DEFAULT = "default"

#: RQ kills a send or call job after this long: room for a slow provider, though each request
#: of the twilio client gives up after 15 s (s).
SEND_JOB_TIMEOUT_SECONDS = 120
#: A message claimed for sending longer ago than this belongs to a dead job: reconcile it with
#: Twilio's list before sending again. Must exceed SEND_JOB_TIMEOUT_SECONDS, or a live send
#: could be taken for a dead one (s).
SEND_CLAIM_STALE_SECONDS = 150
#: RQ kills a patient job after this long (s).
PROCESS_JOB_TIMEOUT_SECONDS = 300
#: How often the sweeper re-arms lost jobs (pending messages, unprocessed events, timeouts) (s).
SWEEP_INTERVAL_SECONDS = 15
#: The wait of the clock and the workers before they try an unreachable Redis again, doubling up
#: to the maximum (s).
CLOCK_RECONNECT_SECONDS = 0.5
CLOCK_RECONNECT_MAX_SECONDS = 5.0

#: How a CSV cell holds a list (e.g. appointment `slots`): values separated by this.
CSV_LIST_SEPARATOR = ";"

#: Panel import: FHIR resources written per transaction, and patients re-derived per batch.
PANEL_BATCH_SIZE = 500

#: Campaigns: fires enrolled per transaction, and batches per scheduler pass before the pass
#: hands the rest to a follow-up job (so a 100k-patient panel never holds the queue).
CAMPAIGN_BATCH_SIZE = 100
CAMPAIGN_MAX_BATCHES_PER_PASS = 20
#: A fire not started this long after its time (queued behind a conversation, held by a cap or
#: a pilot stage) is skipped as too late rather than sent out of context (hours).
CAMPAIGN_LATE_GRACE_HOURS = 48
#: How far ahead fires are planned and `campaigns plan` looks by default (days).
CAMPAIGN_PLAN_DAYS = 14
#: Seconds between scheduler passes (RQ's scheduler runs the pass job on this beat).
CAMPAIGN_PASS_SECONDS = 60
#: Due fires a pilot stage draws from, ranked by the stable hash (fires).
PILOT_DRAW_LIMIT = 5000
