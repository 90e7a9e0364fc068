"""Print the labelled-reply figures (precision and recall per flow state and outcome, false
confirmations) at the end of the run whenever the labelled tests ran."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import reply_scores  # noqa: E402


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not reply_scores.COMPUTED:
        return
    terminalreporter.section("reply understanding (labelled replies)")
    for split, title in (("dev", "development set"), ("heldout", "held-out set")):
        scores = reply_scores.COMPUTED.get(split)
        if scores is not None:
            for line in scores.report(title):
                terminalreporter.write_line(line)
