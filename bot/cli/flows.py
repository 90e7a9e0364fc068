"""`outreach flows check|graph|test`: prove flows before any patient sees them.

Each command takes flow files or folders as well as names, so a flow kept in the author's own
folder works as it is; names are looked up in the flows folder (`--flows-dir`, else the
OUTREACH_FLOWS_DIR environment variable, else this checkout's conversation_flows/).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bot.cli.flow_source import (
    FLOWS_DIR_ENV,
    FlowsFolder,
    flows_dir_option,
    flows_folder,
    is_flow_file,
    load_folder,
    load_one,
    looks_like_path,
    not_found,
    registry_for_transcripts,
    report,
)
from bot.flows.compiler import compile_flow
from bot.flows.loader import LoadResult
from bot.flows.schema import Flow


@click.group(epilog=f"Flows are read from the folder named by --flows-dir or the {FLOWS_DIR_ENV} "
                    "environment variable (default: this checkout's conversation_flows/). Every "
                    "command also takes a flow's file path instead of its name.")
def flows() -> None:
    """Check, draw and test conversation flows."""


@flows.command("check")
@click.argument("paths", nargs=-1)
@click.option("--segments", "show_segments", is_flag=True,
              help="Also report each text's encoding and SMS segment count per language.")
@click.option("--locale", "locales", multiple=True,
              help="Languages the program serves, for --segments and the translation warnings "
                   "(repeatable; default: every shipped catalog).")
@flows_dir_option
def check(paths: tuple[str, ...], show_segments: bool, locales: tuple[str, ...],
          flows_dir: str | None) -> None:
    """Check flow files, folders or flow names PATHS (default: the flows folder). Exits 1 on any error.

    Also warns about flow texts that have no reviewed translation in a language the program
    serves (see --locale).
    """
    from bot import i18n
    from bot.flows.loader import load_paths
    from bot.flows.translation_checks import translation_issues

    folder = flows_folder(flows_dir)
    result = load_paths(_check_targets(paths, folder)) if paths else load_folder(folder)
    report(result.issues)
    chosen = tuple(i18n.negotiate(code) for code in locales) or i18n.SHIPPED_LOCALES
    for issue in translation_issues(result.registry.latest(), chosen):
        click.echo(str(issue))
    for flow in result.registry:
        click.echo(f"ok  {flow.name} v{flow.version}  ({len(flow.states)} states)  {flow.path}")
    if show_segments:
        from bot.flows.segments import report_lines

        for line in report_lines(result.registry.latest(), chosen):
            click.echo(line)
    if result.errors:
        click.echo(f"{len(result.errors)} error(s)", err=True)
        sys.exit(1)


def _check_targets(args: tuple[str, ...], folder: FlowsFolder) -> list[str | Path]:
    """Files and folders as given; a flow name becomes the files of that flow in the flows folder."""
    out: list[str | Path] = []
    for arg in args:
        if Path(arg).exists():
            out.append(arg)
        elif looks_like_path(arg):
            raise click.BadParameter(f"no such file or folder: {arg}", param_hint="PATHS")
        else:
            loaded = load_folder(folder)
            if arg not in loaded.registry.names():
                raise click.ClickException(not_found(arg, [folder.describe()], loaded.registry.names(),
                                                     "flows check"))
            out += [f.path for f in loaded.registry if f.name == arg]
    return out


@flows.command("graph")
@click.argument("flow")
@click.option("--version", "version", type=int, default=None, help="Flow version (default: newest).")
@flows_dir_option
def graph(flow: str, version: int | None, flows_dir: str | None) -> None:
    """Print FLOW (a name in the flows folder, or a flow file) as a Mermaid state diagram."""
    found = load_one(flow, version, flows_folder(flows_dir), "flows graph")
    click.echo(compile_flow(found).mermaid(), nl=False)


def _transcripts(paths: tuple[str, ...]) -> list[Path]:
    from bot.services.transcripts import transcript_files

    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():  # its tests/ folder, or the transcripts beside the flows in it
            folder = p / "tests" if (p / "tests").is_dir() else p
            files += [f for f in transcript_files(folder) if not is_flow_file(f)]
        else:
            files.append(p)
    return files


@flows.command("test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--update", is_flag=True, help="Rewrite expectations from what the engine does now.")
@click.option("--no-coverage", is_flag=True, help="Skip the every-transition coverage check.")
@flows_dir_option
def test(paths: tuple[str, ...], update: bool, no_coverage: bool, flows_dir: str | None) -> None:
    """Run transcript tests and check that they cover every transition.

    PATHS are transcript files or folders (a folder with a tests/ folder inside means its
    transcripts). Default: the tests/ folder of the flows folder. A transcript's flow is looked
    up beside it (its folder, or the folder above tests/) before the flows folder.
    """
    from bot.services.transcripts import coverage, run_transcript, update_transcript, xfail_reason

    folder = flows_folder(flows_dir)
    files = _transcripts(paths) if paths else _transcripts((str(folder.path),))
    if not files:
        raise click.ClickException(f"no transcripts (*.yaml) found in {', '.join(paths) or folder.describe()}")
    loaded, beside = registry_for_transcripts(files, folder)
    if report(loaded.errors):
        sys.exit(1)
    results, failed = [], 0
    for path in files:
        result = run_transcript(path, loaded.registry)
        results.append(result)
        if update and result.flow:
            update_transcript(path, result)
            click.echo(f"updated {path}")
            continue
        reason = xfail_reason(path)
        if reason:  # a documented known gap: failing is expected, passing means drop the mark
            click.echo(f"{'XPASS' if result.ok else 'xfail'} {path}  ({reason})")
            failed += int(result.ok)
            continue
        click.echo(f"{'ok  ' if result.ok else 'FAIL'} {path}")
        for failure in result.failures:
            failed += 1
            click.echo(f"     {failure}")
    covered = _coverage_flows(paths, loaded, beside)
    if not no_coverage and covered:
        cov = coverage(covered, results)
        for (name, version), missing in cov.missing.items():
            for item in missing:
                click.echo(f"not covered: {name} v{version} {item}")
        if not cov.complete:
            failed += 1
    elif not no_coverage and paths:
        # Transcript files picked one by one prove paths, not whole flows: report the coverage
        # of the flows they exercise, without failing on what they leave out.
        exercised = {r.flow for r in results if r.flow}
        seen = [f for f in loaded.registry.latest() if f.key in exercised]
        cov = coverage(seen, results)
        for flow in seen:
            missing = cov.missing.get(flow.key, [])
            for item in missing:
                click.echo(f"not covered: {flow.name} v{flow.version} {item}")
            total = len(compile_flow(flow).transitions)
            click.echo(f"coverage: {flow.name} v{flow.version} {total - len(missing)} of {total} transitions")
    click.echo(f"{len(files)} transcript(s), {'all passed' if not failed else 'FAILED'}")
    if failed:
        sys.exit(1)


def _coverage_flows(paths: tuple[str, ...], loaded: LoadResult, beside: list[Path]) -> list[Flow]:
    """Whose transitions must be covered: for a folder of tests, every flow beside it (or, for
    the flows folder's own tests, every flow there); none when single transcript files were
    picked (they prove paths, not a whole flow)."""
    if paths and not all(Path(p).is_dir() for p in paths):
        return []
    flows = loaded.registry.latest()
    if not beside:
        return flows
    return [f for f in flows if any(Path(f.path).resolve().is_relative_to(d) for d in beside)]
