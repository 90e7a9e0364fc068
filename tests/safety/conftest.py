"""Prints the crisis and opt-out classifiers' recall and precision in the pytest summary."""

from __future__ import annotations

from typing import Any

import pytest

#: Rows of (label, true positives, misses, false alarms, true negatives) per report title.
Report = list[tuple[str, list[tuple[str, int, int, int, int]]]]
_REPORTS = pytest.StashKey[Report]()
_TABLES = pytest.StashKey[list[list[str]]]()


@pytest.fixture
def safety_report(request: pytest.FixtureRequest) -> Report:
    """A list the labelled-set tests append their scores to; printed at the end of the run."""
    return request.config.stash.setdefault(_REPORTS, [])


@pytest.fixture
def safety_tables(request: pytest.FixtureRequest) -> list[list[str]]:
    """Pre-formatted tables (a title line, then rows) printed at the end of the run."""
    return request.config.stash.setdefault(_TABLES, [])


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    for title, *lines in config.stash.get(_TABLES, []):
        terminalreporter.section(title)
        for line in lines:
            terminalreporter.write_line(line)
    for title, rows in config.stash.get(_REPORTS, []):
        terminalreporter.section(title)
        terminalreporter.write_line(
            f"{'locale':<10}{'pos':>5}{'neg':>5}{'recall':>9}{'precision':>11}")
        for label, tp, fn, fp, tn in rows:
            recall = tp / (tp + fn) if tp + fn else 1.0
            precision = tp / (tp + fp) if tp + fp else 1.0
            terminalreporter.write_line(
                f"{label:<10}{tp + fn:>5}{fp + tn:>5}{recall:>9.1%}{precision:>11.1%}")
