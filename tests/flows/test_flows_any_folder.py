"""Flows kept outside the project: every flow command takes a file, and "not found" says where
it looked and how to point elsewhere (--flows-dir, OUTREACH_FLOWS_DIR)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli.main import main
from bot.flows.loader import default_flows_dir

SHIPPED = default_flows_dir()


def outreach(*args: str, env: dict[str, str] | None = None) -> Result:
    runner = CliRunner(env={"COLUMNS": "400", "OUTREACH_FLOWS_DIR": "", **(env or {})})
    return runner.invoke(main, list(args))


@pytest.fixture
def own_folder(tmp_path: Path) -> Path:
    """A copy of the refill flow renamed, with one transcript, in a folder of the author's own."""
    folder = tmp_path / "my_flows"
    (folder / "tests").mkdir(parents=True)
    text = (SHIPPED / "refill_reminder.yaml").read_text(encoding="utf-8")
    (folder / "my_refill.yaml").write_text(text.replace("flow: refill_reminder", "flow: my_refill"))
    transcript = (SHIPPED / "tests" / "refill_yes.yaml").read_text(encoding="utf-8")
    (folder / "tests" / "my_refill_yes.yaml").write_text(
        transcript.replace("flow: refill_reminder", "flow: my_refill"))
    return folder


def test_a_name_not_found_lists_the_folders_searched_and_how_to_point_elsewhere(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = outreach("simulate", "flu_vaccine")
    assert result.exit_code == 1
    out = result.output
    assert 'no flow named "flu_vaccine" was found. Searched:' in out
    assert f"{SHIPPED} (this checkout's flows folder)" in out
    assert "(the current folder, for flu_vaccine.yaml)" in out
    assert "Flows found there: appointment_recovery, bp_checkin, engagement_checkin, refill_reminder." in out
    assert "outreach simulate path/to/flu_vaccine.yaml" in out
    assert "--flows-dir path/to/folder" in out and "export OUTREACH_FLOWS_DIR=path/to/folder" in out


@pytest.mark.parametrize("command", [("simulate",), ("flows", "graph")])
def test_not_found_names_the_environment_variable_when_it_chose_the_folder(
        tmp_path: Path, command: tuple[str, ...]) -> None:
    result = outreach(*command, "flu_vaccine", env={"OUTREACH_FLOWS_DIR": str(tmp_path)})
    assert result.exit_code == 1
    assert f"{tmp_path} (from OUTREACH_FLOWS_DIR)" in result.output
    assert f"outreach {' '.join(command)} path/to/flu_vaccine.yaml" in result.output


def test_simulate_and_graph_take_a_file_path(own_folder: Path) -> None:
    path = str(own_folder / "my_refill.yaml")
    graph = outreach("flows", "graph", path)
    assert graph.exit_code == 0, graph.output
    assert graph.output.startswith("stateDiagram-v2")
    sim = outreach("simulate", path, "--context", "{first_name: Ana, due_date: 2026-03-05}")
    assert sim.exit_code == 0, sim.output
    assert "my_refill v3" in sim.output and "Hi Ana" in sim.output


def test_a_name_is_found_with_flows_dir_the_environment_or_in_the_current_folder(
        own_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    by_option = outreach("flows", "graph", "my_refill", "--flows-dir", str(own_folder))
    by_env = outreach("flows", "graph", "my_refill", env={"OUTREACH_FLOWS_DIR": str(own_folder)})
    assert by_option.exit_code == 0 and by_env.exit_code == 0, by_option.output + by_env.output
    assert by_option.output == by_env.output
    monkeypatch.chdir(own_folder)
    local = outreach("flows", "graph", "my_refill")
    assert local.exit_code == 0 and local.output == by_option.output


def test_flows_test_runs_transcripts_outside_the_project(own_folder: Path) -> None:
    one = outreach("flows", "test", str(own_folder / "tests" / "my_refill_yes.yaml"))
    assert one.exit_code == 0, one.output
    assert "1 transcript(s), all passed" in one.output
    whole = outreach("flows", "test", str(own_folder))
    # A folder is held to full coverage of its own flows (only), and says what is missing.
    assert whole.exit_code == 1
    assert "not covered: my_refill v3" in whole.output
    assert "refill_reminder" not in whole.output


def test_a_broken_file_given_by_path_shows_its_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    shutil.copy(SHIPPED / "refill_reminder.yaml", bad)
    bad.write_text(bad.read_text().replace("start: ask", "start: aks"))
    result = outreach("simulate", str(bad))
    assert result.exit_code == 1
    assert f'{bad}:' in result.output and 'start state "aks" is not defined (did you mean "ask"?)' in result.output


def test_help_texts_mention_the_flows_folder_setting() -> None:
    for args in (("simulate", "--help"), ("flows", "--help"), ("flows", "test", "--help")):
        out = outreach(*args).output
        assert "OUTREACH_FLOWS_DIR" in out, args


def test_a_misspelt_name_gets_a_suggestion() -> None:
    result = outreach("flows", "graph", "refill_remider")
    assert result.exit_code == 1
    assert 'no flow named "refill_remider" was found (did you mean "refill_reminder"?). Searched:' in result.output


def test_flows_check_takes_a_name_too(own_folder: Path) -> None:
    by_name = outreach("flows", "check", "my_refill", "--locale", "en", "--flows-dir", str(own_folder))
    assert by_name.exit_code == 0, by_name.output
    assert by_name.output.strip() == f"ok  my_refill v3  (15 states)  {own_folder / 'my_refill.yaml'}"
    missing = outreach("flows", "check", "my_refil", "--flows-dir", str(own_folder))
    assert missing.exit_code == 1 and '(did you mean "my_refill"?)' in missing.output
    absent = outreach("flows", "check", "nope.yaml")
    assert absent.exit_code == 2 and "no such file or folder: nope.yaml" in absent.output


def test_transcripts_may_sit_beside_the_flow_in_one_folder(own_folder: Path) -> None:
    (own_folder / "tests" / "my_refill_yes.yaml").rename(own_folder / "my_refill_yes.yaml")
    (own_folder / "tests").rmdir()
    result = outreach("flows", "test", str(own_folder), "--no-coverage")
    assert result.exit_code == 0, result.output
    assert f"ok   {own_folder / 'my_refill_yes.yaml'}" in result.output
    assert "1 transcript(s), all passed" in result.output
