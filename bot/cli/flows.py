"""`outreach flows check|graph|test`: prove flows before any patient sees them."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from bot.flows.compiler import compile_flow
from bot.flows.loader import LoadResult, default_flows_dir, load_paths


def flows_dir() -> Path:
    """OUTREACH_FLOWS_DIR when set, else the conversation_flows/ folder of this checkout."""
    return Path(os.environ.get("OUTREACH_FLOWS_DIR") or default_flows_dir())


def _load(paths: tuple[str, ...] = ()) -> LoadResult:
    return load_paths(list(paths) or [flows_dir()])


@click.group()
def flows() -> None:
    """Check, draw and test conversation flows."""


@flows.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--segments", "show_segments", is_flag=True,
              help="Also report each text's encoding and SMS segment count per language.")
@click.option("--locale", "locales", multiple=True,
              help="Languages for --segments (repeatable; default: every shipped catalog).")
def check(paths: tuple[str, ...], show_segments: bool, locales: tuple[str, ...]) -> None:
    """Check flow files (default: the flows folder). Exits 1 on any error."""
    result = _load(paths)
    for issue in result.issues:
        click.echo(str(issue), err=issue.severity == "error")
    for flow in result.registry:
        click.echo(f"ok  {flow.name} v{flow.version}  ({len(flow.states)} states)  {flow.path}")
    if show_segments:
        from bot import i18n
        from bot.flows.segments import report_lines

        chosen = tuple(i18n.negotiate(code) for code in locales) or i18n.SHIPPED_LOCALES
        for line in report_lines(result.registry.latest(), chosen):
            click.echo(line)
    if result.errors:
        click.echo(f"{len(result.errors)} error(s)", err=True)
        sys.exit(1)


@flows.command("graph")
@click.argument("name")
@click.option("--version", "version", type=int, default=None, help="Flow version (default: newest).")
def graph(name: str, version: int | None) -> None:
    """Print flow NAME as a Mermaid state diagram."""
    from bot.errors import UnknownFlow

    result = _load()
    try:
        flow = result.registry.get(name, version)
    except UnknownFlow as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(compile_flow(flow).mermaid(), nl=False)


@flows.command("test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--update", is_flag=True, help="Rewrite expectations from what the engine does now.")
@click.option("--no-coverage", is_flag=True, help="Skip the every-transition coverage check.")
def test(paths: tuple[str, ...], update: bool, no_coverage: bool) -> None:
    """Run transcript tests (default: conversation_flows/tests/*.yaml) and check coverage."""
    from bot.services.transcripts import (
        coverage,
        run_transcript,
        transcript_files,
        update_transcript,
        xfail_reason,
    )

    loaded = _load()
    if loaded.errors:
        for issue in loaded.errors:
            click.echo(str(issue), err=True)
        sys.exit(1)
    files = [Path(p) for p in paths] or transcript_files(flows_dir() / "tests")
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
    if not no_coverage:
        # Named files cover only the flows they exercise: report those, and fail only a full run.
        exercised = {r.flow for r in results if r.flow}
        flows_seen = [f for f in loaded.registry.latest() if not paths or f.key in exercised]
        cov = coverage(flows_seen, results)
        for flow in flows_seen:
            missing = cov.missing.get(flow.key, [])
            for item in missing:
                click.echo(f"not covered: {flow.name} v{flow.version} {item}")
            if paths:
                total = len(compile_flow(flow).transitions)
                click.echo(f"coverage: {flow.name} v{flow.version} {total - len(missing)} of {total} transitions")
        if not cov.complete and not paths:
            failed += 1
    click.echo(f"{len(files)} transcript(s), {'all passed' if not failed else 'FAILED'}")
    if failed:
        sys.exit(1)
