"""gunicorn server hooks (the Procfile's `web` line loads this module as its config).

With PROMETHEUS_MULTIPROC_DIR set, every gunicorn worker writes its metrics to files of its
own; when one exits, its live gauges must stop counting (its counters stay in the sums).
"""

from __future__ import annotations

import os
from typing import Any


def child_exit(server: Any, worker: Any) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
