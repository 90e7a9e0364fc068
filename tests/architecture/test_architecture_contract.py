"""`make lint` holds the layers: the contract passes on the tree and fails on a breach or a cycle.

The breach cases edit a copy of the packages, so they prove the contract can fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=root, env=env, text=True,
                          capture_output=True, timeout=240)


def test_the_tree_keeps_the_contract() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.mark.parametrize(("module", "line", "broken"), [
    ("bot/core/rules.py", "import bot.store.models  # noqa", "Layers"),
    ("bot/core/engine.py", "import requests  # noqa", "The core is pure"),
    ("bot/services/runtime.py", "import bot.services.turn  # noqa", "No import cycles"),
    ("bot/flows/where.py", "def _late() -> None:\n    import bot.flows.loader  # noqa",
     "No import cycles"),
])
def test_a_breach_or_a_cycle_fails(tmp_path: Path, module: str, line: str, broken: str) -> None:
    for name in ("bot", "workers"):
        shutil.copytree(ROOT / name, tmp_path / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.mo", "templates", "static"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    target.write_text(target.read_text("utf-8") + "\n" + line + "\n", "utf-8")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert f"{broken}" in result.stdout.split("Broken contracts")[-1]
