"""Read flow files into `Flow` records, reporting every problem as path:line:col.

`load_text`/`load_file` handle one file; `load_dir` loads a folder (archived versions included)
into a `FlowRegistry` keyed by (name, version) and never lets one broken file stop the others.
Structure is validated here; meaning (reachability, ways out, placeholders...) in `checker`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.errors import UnknownFlow
from bot.flows import builders, reminders, yaml_errors
from bot.flows.checker import check_flow
from bot.flows.issues import ERROR, WARNING, Issue, IssueList
from bot.flows.marked import Mark, MarkedDict, load_marked
from bot.flows.migrations import MIGRATIONS, migrate
from bot.flows.schema import FLOW_KEYS, FORMAT_VERSION, Flow


def load_text(text: str, path: str = "<flow>") -> tuple[Flow | None, list[Issue]]:
    """Parse, migrate, validate and check one flow; the Flow is None when any error was found."""
    issues = IssueList(path)
    try:
        doc = load_marked(text)
    except yaml.MarkedYAMLError as exc:
        for where, message in yaml_errors.syntax_issues(exc, text):
            issues.add(where, message)
        return None, list(issues)
    except yaml.YAMLError as exc:
        issues.add(Mark(1, 1), f"YAML error: {exc}")
        return None, list(issues)
    if not isinstance(doc, MarkedDict):
        issues.add(getattr(doc, "mark", Mark(1, 1)), "a flow file must be a mapping with flow:, start: and states:")
        return None, list(issues)
    if "format" not in doc:
        issues.add(doc.mark, f'no "format:" key, so this file is read as format 0; add "format: {FORMAT_VERSION}"',
                   WARNING)
    fmt = doc.get("format", 0)
    if not isinstance(fmt, int) or isinstance(fmt, bool) or not (0 <= fmt <= FORMAT_VERSION):
        issues.add(doc.value_mark("format"),
                   f"unknown format {fmt!r}: this version of outreach reads formats 0 to {FORMAT_VERSION}")
        return None, list(issues)
    if fmt < FORMAT_VERSION and all(n in MIGRATIONS for n in range(fmt, FORMAT_VERSION)):
        doc = migrate(doc, fmt, FORMAT_VERSION)
    builders.check_keys(doc, FLOW_KEYS, "the flow", issues)
    added = reminders.expand(doc, issues)
    flow = builders.build_flow(doc, path, issues)
    if flow is not None:
        check_flow(flow, doc, issues)
    found = reminders.drop_echoes(list(issues), added)
    bad = any(i.severity == ERROR for i in found)
    return (None if bad else flow), sorted(found, key=lambda i: (i.line, i.col))


def load_file(path: str | Path) -> tuple[Flow | None, list[Issue]]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Issue(str(p), 1, 1, f"cannot read file: {exc}")]
    return load_text(text, str(p))


class FlowRegistry:
    """Every loaded version of every flow. New conversations use the newest version; a running
    conversation keeps the version it started with (`get(name, version)`)."""

    def __init__(self) -> None:
        self._flows: dict[tuple[str, int], Flow] = {}

    def add(self, flow: Flow) -> None:
        self._flows[flow.key] = flow

    def __contains__(self, key: object) -> bool:
        return key in self._flows

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(sorted(self._flows.values(), key=lambda f: f.key))

    def __len__(self) -> int:
        return len(self._flows)

    def names(self) -> list[str]:
        return sorted({name for name, _ in self._flows})

    def versions(self, name: str) -> list[int]:
        return sorted(v for n, v in self._flows if n == name)

    def get(self, name: str, version: int | None = None) -> Flow:
        """The flow `name` at `version`, or its newest version when `version` is None."""
        if version is None:
            versions = self.versions(name)
            if not versions:
                raise UnknownFlow(f"no flow named {name!r} is loaded")
            version = versions[-1]
        try:
            return self._flows[(name, version)]
        except KeyError:
            raise UnknownFlow(f"flow {name!r} has no version {version}") from None

    def latest(self) -> list[Flow]:
        return [self.get(name) for name in self.names()]


@dataclass
class LoadResult:
    registry: FlowRegistry
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == ERROR]


def flow_files(root: str | Path) -> list[Path]:
    """Flow files under `root`: *.yaml / *.yml, skipping the transcript tests and campaigns."""
    base = Path(root)
    if base.is_file():
        return [base]
    skip = {"tests", "campaigns"}
    return sorted(p for p in base.rglob("*.y*ml")
                  if p.suffix in (".yaml", ".yml") and not skip & set(p.relative_to(base).parts))


def load_paths(paths: list[str | Path]) -> LoadResult:
    """Load every flow file in `paths` (files or folders). Broken files are reported, skipped."""
    result = LoadResult(FlowRegistry())
    seen: dict[tuple[str, int], str] = {}
    for root in paths:
        for path in flow_files(root):
            flow, issues = load_file(path)
            result.issues.extend(issues)
            if flow is None:
                continue
            if flow.key in seen:
                result.issues.append(Issue(str(path), 1, 1,
                    f'flow "{flow.name}" version {flow.version} is also defined in {seen[flow.key]}; '
                    "give the new one a higher version"))
                continue
            seen[flow.key] = str(path)
            result.registry.add(flow)
    return result


def load_dir(root: str | Path) -> LoadResult:
    """Load a flows folder (the app's OUTREACH_FLOWS_DIR) including archived versions."""
    return load_paths([root])


def default_flows_dir() -> Path:
    """conversation_flows/ beside the package (hosts pass settings.OUTREACH_FLOWS_DIR instead)."""
    return Path(__file__).resolve().parents[2] / "conversation_flows"

