"""The product's Prometheus metrics, counted where each event happens.

Counters and histograms live in `prometheus_client`; under gunicorn and RQ's forked work horses
each process writes its own files in PROMETHEUS_MULTIPROC_DIR and `/metrics` adds them up
(`bot.web.metrics`). Labels are small closed sets (direction, status, priority, campaign,
outcome class, endpoint): never a patient, a phone number or a message.

A count that belongs to a database change is made only once that change commits
(`count_after_commit`), so a rolled-back transaction, retried by its job, is not counted twice.
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import Counter, Histogram
from sqlalchemy import event
from sqlalchemy.orm import Session

MESSAGES = Counter(
    "outreach_messages", "Messages by direction and the status they reached.",
    ["direction", "status"])
REPLIES = Counter(
    "outreach_replies", "Patient replies processed, by channel and whether a conversation "
    "took them.", ["channel", "routed"])
OPT_OUTS = Counter("outreach_opt_outs", "Consent revocations, by where they came from.",
                   ["source"])
TASKS = Counter("outreach_tasks_created", "Follow-up tasks created, by priority.", ["priority"])
ENROLMENTS = Counter("outreach_enrolments", "Patients enrolled in a campaign run.", ["campaign"])
ENROLMENT_OUTCOMES = Counter(
    "outreach_enrolment_outcomes", "Campaign runs ended, by campaign and outcome class.",
    ["campaign", "outcome_class"])
WEBHOOK_SECONDS = Histogram(
    "outreach_webhook_seconds", "Time to answer a Twilio webhook.", ["endpoint"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0))
FIRST_HUMAN_CONTACT_SECONDS = Histogram(
    "outreach_first_human_contact_seconds",
    "From a task's creation to the first contact by a person, by task priority.", ["priority"],
    buckets=(300, 900, 1800, 3600, 4 * 3600, 8 * 3600, 24 * 3600, 48 * 3600, 72 * 3600,
             7 * 24 * 3600))

_PENDING = "outreach_metrics_pending"


def count_after_commit(session: Session, count: Callable[[], None]) -> None:
    """Run `count` once `session` commits (dropped on rollback)."""
    pending: list[Callable[[], None]] = session.info.setdefault(_PENDING, [])
    pending.append(count)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    for count in session.info.pop(_PENDING, []):
        count()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
