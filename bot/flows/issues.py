"""Problems found in a flow file, reported the way compilers do: `path:line:col: message`."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from bot.flows.marked import Mark

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Issue:
    path: str
    line: int
    col: int
    message: str
    severity: str = ERROR

    def __str__(self) -> str:
        prefix = "" if self.severity == ERROR else "warning: "
        return f"{self.path}:{self.line}:{self.col}: {prefix}{self.message}"


class IssueList(list):
    """Collects issues for one file; `add` takes a Mark so callers never do arithmetic."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    def add(self, mark: Mark, message: str, severity: str = ERROR) -> None:
        self.append(Issue(self.path, mark.line, mark.col, message, severity))

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self if i.severity == ERROR]


def suggest(word: str, choices: Iterable[str]) -> str:
    """' (did you mean "x"?)' for the closest valid choice, or '' when nothing is close."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""
