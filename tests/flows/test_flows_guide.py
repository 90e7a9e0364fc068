"""The authoring guide's worked example must load cleanly and its transcript must pass."""

from __future__ import annotations

import re
from pathlib import Path

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
