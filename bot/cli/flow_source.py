"""Where the flow commands find flows: a file path, a name in the flows folder, or beside a test.

Every flow command (`simulate`, `flows check|graph|test`) accepts a flow's file as well as its
name, so a flow kept in the author's own folder works without any setting. A name is looked up
in the flows folder (`--flows-dir`, else the OUTREACH_FLOWS_DIR environment variable, else this
checkout's conversation_flows/) and then as NAME.yaml in the current folder; when nothing is
found the error lists the folders searched and the three ways to point at another one.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from bot.errors import UnknownFlow
from bot.flows.issues import ERROR, Issue
from bot.flows.loader import FlowRegistry, LoadResult, default_flows_dir, flow_files, load_paths
from bot.flows.schema import Flow

FLOWS_DIR_ENV = "OUTREACH_FLOWS_DIR"
FLOWS_DIR_HELP = ("Folder of flows to use (default: the OUTREACH_FLOWS_DIR environment variable, "
                  "else this checkout's conversation_flows/).")
Command = TypeVar("Command", bound=Callable[..., Any])
#: A top-level `states:` key tells a flow file from a transcript or campaign in the same folder.
_FLOW_FILE = re.compile(r"^states\s*:", re.M)


def flows_dir_option(f: Command) -> Command:
    """`--flows-dir DIR` (or OUTREACH_FLOWS_DIR) on every flow command."""
    return click.option("--flows-dir", "flows_dir", envvar=FLOWS_DIR_ENV, default=None,
                        type=click.Path(file_okay=False), help=FLOWS_DIR_HELP)(f)


@dataclass(frozen=True)
class FlowsFolder:
    """The folder flow names are looked up in, and what chose it (said in every error)."""

    path: Path
    chosen_by: str

    def describe(self) -> str:
        return f"{self.path} ({self.chosen_by})"


def flows_folder(flows_dir: str | None = None) -> FlowsFolder:
    """The folder named by --flows-dir / OUTREACH_FLOWS_DIR, else the checkout's own."""
    if flows_dir:
        source = None
        ctx = click.get_current_context(silent=True)
        if ctx is not None and "flows_dir" in ctx.params:
            source = ctx.get_parameter_source("flows_dir")
        how = f"from {FLOWS_DIR_ENV}" if source == ParameterSource.ENVIRONMENT else "from --flows-dir"
        return FlowsFolder(Path(flows_dir), how)
    return FlowsFolder(default_flows_dir(), "this checkout's flows folder")


def looks_like_path(arg: str) -> bool:
    """A file or folder argument rather than a flow name (`flu.yaml`, `./x`, `dir/x.yaml`)."""
    return arg.endswith((".yaml", ".yml")) or "/" in arg or "\\" in arg or Path(arg).is_file()


def is_flow_file(path: Path) -> bool:
    try:
        return bool(_FLOW_FILE.search(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError):
        return False


def not_found(name: str, searched: Iterable[str], available: Iterable[str], command: str) -> str:
    """The "not found" message: what was searched, what is there, and how to point elsewhere."""
    names = sorted(available)
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    hint = f' (did you mean "{close[0]}"?)' if close else ""
    lines = [f'no flow named "{name}" was found{hint}. Searched:']
    lines += [f"  - {where}" for where in searched]
    if names:
        lines.append(f"Flows found there: {', '.join(names)}.")
    lines += [
        "To use a flow kept in another folder, either:",
        f"  - give its file:       outreach {command} path/to/{name}.yaml",
        f"  - name its folder:     outreach {command} {name} --flows-dir path/to/folder",
        f"  - or set it for every command: export {FLOWS_DIR_ENV}=path/to/folder",
    ]
    return "\n".join(lines)


def report(issues: Iterable[Issue]) -> int:
    """Print issues the way `flows check` does; returns how many were errors."""
    errors = 0
    for issue in issues:
        click.echo(str(issue), err=issue.severity == ERROR)
        errors += issue.severity == ERROR
    return errors


def load_folder(folder: FlowsFolder) -> LoadResult:
    if not folder.path.is_dir():
        raise click.ClickException(f"the flows folder {folder.describe()} does not exist")
    return load_paths([folder.path])


def load_one(arg: str, version: int | None, folder: FlowsFolder, command: str) -> Flow:
    """The flow a command names: a file (or folder) path, or a name in the flows folder.

    A broken file prints its problems (path:line:col) and stops; a name that is not found
    stops with the folders searched and how to point at another.
    """
    if looks_like_path(arg):
        path = Path(arg)
        if not path.exists():
            raise click.ClickException(f"no such file: {path}")
        loaded = load_paths([path])
        if report(loaded.errors):
            raise click.ClickException(f"{path} has errors; run `outreach flows check {path}`")
        flows = loaded.registry.latest()
        if len(flows) != 1:
            names = ", ".join(f.name for f in flows) or "none"
            raise click.ClickException(f"{path} holds {len(flows)} flows ({names}); give one flow's file")
        return _version(loaded.registry, flows[0].name, version)
    loaded = load_folder(folder)
    if arg in loaded.registry.names():
        return _version(loaded.registry, arg, version)
    searched = [folder.describe()]
    local = [Path(f"{arg}{suffix}") for suffix in (".yaml", ".yml")]
    searched.append(f"{Path.cwd()} (the current folder, for {arg}.yaml)")
    for candidate in local:
        if candidate.is_file():
            return load_one(str(candidate.resolve()), version, folder, command)
    raise click.ClickException(not_found(arg, searched, loaded.registry.names(), command))


def _version(registry: FlowRegistry, name: str, version: int | None) -> Flow:
    try:
        return registry.get(name, version)
    except UnknownFlow as exc:
        have = ", ".join(map(str, registry.versions(name)))
        raise click.ClickException(f"{exc} (versions found: {have})") from None


def neighbour_folders(transcript: Path) -> list[Path]:
    """Where a transcript's flow may live besides the flows folder: its own folder and, for a
    transcript in a `tests/` folder, the folder above."""
    here = transcript.resolve().parent
    return [here, here.parent] if here.name == "tests" else [here]


def registry_for_transcripts(transcripts: list[Path], folder: FlowsFolder) -> tuple[LoadResult, list[Path]]:
    """Flows for these transcripts: those beside them first, then the flows folder's.

    Returns the load result (issues only from the folders beside the transcripts, plus the
    flows folder's when a transcript's flow comes from there) and the folders beside them.
    """
    extra: list[Path] = []
    for path in transcripts:
        for candidate in neighbour_folders(path):
            inside_main = candidate.is_relative_to(folder.path.resolve())
            if candidate not in extra and not inside_main:
                extra.append(candidate)
    files = [p for d in extra for p in flow_files(d) if is_flow_file(p)]
    result = load_paths(list(dict.fromkeys(files)))
    if folder.path.is_dir():
        main = load_paths([folder.path])
        result.issues.extend(main.issues)
        for flow in main.registry:
            if flow.key not in result.registry:
                result.registry.add(flow)
    return result, extra
