"""Chromium for the browser tests: Debian's own build, driven by Playwright, never downloaded."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from triage_support import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
#: Phone and desktop viewports (an iPhone 12-15 and a common laptop).
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def ensure_chromium() -> str:
    """Debian's chromium: installed with apt when missing and we are root; never downloaded."""
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.skip(f"{CHROMIUM} is missing and cannot be installed (needs root and apt-get)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, timeout=600)
    result = subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], env=env,
                            capture_output=True, timeout=1200)
    if result.returncode != 0 or not Path(CHROMIUM).exists():
        pytest.skip("apt-get install chromium failed: "
                    + result.stderr.decode(errors="replace")[-300:])
    return CHROMIUM


def sign_in(page: Any, base_url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def axe_violations(page: Any, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations of at least `impacts` on the current page (the
    vendored script is injected, so nothing is fetched; the context must bypass CSP)."""
    if not page.evaluate("() => !!window.axe"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [v for v in result if v["impact"] in impacts]
