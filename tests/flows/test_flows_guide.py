"""The authoring guide's worked example must load cleanly and its transcript must pass."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli.main import main
from bot.flows.loader import default_flows_dir, load_dir
from bot.services.transcripts import run_transcript


def test_guide_example_flow_and_transcript_work(tmp_path: Path) -> None:
    guide = (default_flows_dir() / "README.md").read_text(encoding="utf-8")
    flow_text, transcript_text = re.findall(r"```yaml\n(.*?)```", guide, re.S)[:2]
    (tmp_path / "medication_pickup.yaml").write_text(flow_text)
    (tmp_path / "pickup_cost.yaml").write_text(transcript_text)
    loaded = load_dir(tmp_path / "medication_pickup.yaml")
    assert not loaded.issues, loaded.issues
    result = run_transcript(tmp_path / "pickup_cost.yaml", loaded.registry)
    assert result.ok, result.failures


def worked_examples(folder: Path) -> dict[str, Path]:
    """Write the guide's worked-example files (marked `<!-- worked-example:PATH -->`) into folder."""
    guide = (default_flows_dir() / "README.md").read_text(encoding="utf-8")
    written = {}
    for name, body in re.findall(r"<!-- worked-example:(\S+) -->\n```yaml\n(.*?)```", guide, re.S):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
        written[name] = path
    return written


def test_flu_shot_flow_from_the_guide_works_from_a_folder_outside_the_project(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The acceptance test: custom outcomes booked and already_vaccinated, one booking state whose
    task names the chosen day, a reminder without copied answers; check, simulate and transcript
    tests through the `outreach` command, from a folder outside the project."""
    folder = tmp_path / "flu"
    files = worked_examples(folder)
    flow_file, transcript = files["flu_vaccine.yaml"], files["tests/flu_book.yaml"]
    flow_text = flow_file.read_text(encoding="utf-8")
    assert "booked: {class: success" in flow_text and "already_vaccinated:" in flow_text
    assert flow_text.count("expect:") == 2 and "remind:" in flow_text  # no copied answers
    monkeypatch.chdir(tmp_path)
    runner = CliRunner(env={"COLUMNS": "400", "OUTREACH_FLOWS_DIR": ""})

    check = runner.invoke(main, ["flows", "check", str(flow_file), "--locale", "en"])
    assert check.exit_code == 0, check.output
    assert check.output.strip() == f"ok  flu_vaccine v1  (8 states)  {flow_file}"

    script = tmp_path / "replies.txt"
    script.write_text("/wait 3d\n1\nFriday\n")
    sim = runner.invoke(main, ["simulate", str(flow_file), "--context", "{first_name: Ana}",
                               "--script", str(script)])
    assert sim.exit_code == 0, sim.output
    out = " ".join(sim.output.split())
    assert "state ask -> ask_reminder" in out and "Reminder from Care Outreach" in out
    assert "TASK scheduling / routine: Book a flu shot on March 6, 2026." in out
    assert "END outcome booked" in out

    already = tmp_path / "already.txt"
    already.write_text("2\n")
    sim = runner.invoke(main, ["simulate", str(flow_file), "--context", "{first_name: Ana}",
                               "--script", str(already)])
    assert "END outcome already_vaccinated" in sim.output

    tests = runner.invoke(main, ["flows", "test", str(transcript)])
    assert tests.exit_code == 0, tests.output
    assert "1 transcript(s), all passed" in tests.output

    by_name = runner.invoke(main, ["flows", "graph", "flu_vaccine", "--flows-dir", str(folder)])
    assert by_name.exit_code == 0 and "ask --> ask_reminder" in by_name.output
