"""RQ finds a job's function by the dotted path it was enqueued with, and timeouts and
deferred sends are scheduled days ahead: every path a stored job may name must still import."""

from __future__ import annotations

import pytest
from rq.utils import import_attribute

from bot.services import queues
from workers import jobs

#: Paths jobs were enqueued with before the re-layout (still in Redis on an upgraded system).
OLD_PATHS = {
    "workers.jobs.process_patient": jobs.process_patient,
    "workers.jobs.send_message": jobs.send_message,
    "workers.jobs.fire_timeout": jobs.fire_timeout,
    "workers.jobs.sweep": jobs.sweep,
    "bot.channels.voice_calls.place_call_job": jobs.place_call,
}
CURRENT = (queues.PROCESS_JOB, queues.SEND_JOB, queues.TIMEOUT_JOB, queues.SWEEP_JOB,
           queues.CALL_JOB)


@pytest.mark.parametrize("path", sorted(OLD_PATHS))
def test_old_job_paths_still_import(path: str) -> None:
    assert import_attribute(path) is OLD_PATHS[path]


@pytest.mark.parametrize("path", CURRENT)
def test_every_enqueued_path_is_a_worker_entry_point(path: str) -> None:
    assert path.startswith("workers.jobs.")
    assert callable(import_attribute(path))
