"""What every labelled set reports: counts and a 95% Wilson interval per part, development
beside held-out, printed together at the end of the run (tests/conftest.py).

A labelled set has a development part (used to build and fix the lexicons; its misses are
named) and a frozen held-out part (written without looking at the lexicons, never used to tune
them; only its figures are shown). A held-out directory's FROZEN.sha256 records each file's
digest: the part changes only by adding unseen cases, in a commit that updates the digests.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

Z95 = 1.959964


def wilson(k: int, n: int) -> tuple[float, float]:
    """The 95% Wilson score interval for k successes in n (honest at small n and at 0 or n)."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    denom = 1 + Z95 ** 2 / n
    centre = (p + Z95 ** 2 / (2 * n)) / denom
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95 ** 2 / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Ratio:
    k: int
    n: int

    @property
    def value(self) -> float:
        return self.k / self.n if self.n else 1.0

    def show(self) -> str:
        if not self.n:
            return "      -"
        lo, hi = wilson(self.k, self.n)
        return f"{self.k:>3}/{self.n:<3} {self.value:6.1%} [{lo:5.1%},{hi:6.1%}]"


@dataclass(frozen=True)
class Figure:
    """One measure of one part of one labelled set, for the end-of-run table."""

    labelled_set: str
    part: str  # "development" | "held-out" | "regression"
    measure: str
    ratio: Ratio


#: Figures recorded in this session, printed by the root conftest's terminal summary.
FIGURES: list[Figure] = []


def record(labelled_set: str, part: str, measure: str, ratio: Ratio) -> None:
    key = (labelled_set, part, measure)
    FIGURES[:] = [f for f in FIGURES if (f.labelled_set, f.part, f.measure) != key]
    FIGURES.append(Figure(labelled_set, part, measure, ratio))


def summary_lines() -> list[str]:
    """The table: one row per set and measure, development and held-out side by side."""
    parts = ("development", "held-out")
    rows: dict[tuple[str, str], dict[str, Ratio]] = {}
    for f in FIGURES:
        rows.setdefault((f.labelled_set, f.measure), {})[f.part] = f.ratio
    lines = [f"{'set':<22}{'measure':<40}" + "".join(f"{p:<30}" for p in parts)]
    for (labelled_set, measure), by_part in rows.items():
        cells = "".join(f"{by_part[p].show() if p in by_part else '      -':<30}"
                        for p in parts)
        extra = "".join(f"  {p}: {r.show()}" for p, r in by_part.items() if p not in parts)
        lines.append(f"{labelled_set:<22}{measure:<40}{cells}{extra}")
    return lines


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def frozen_digests(heldout: Path) -> dict[str, str]:
    """The recorded digest of each held-out file, by file name."""
    rows = (heldout / "FROZEN.sha256").read_text(encoding="utf-8").splitlines()
    return {Path(name).name: value for value, name in (row.split() for row in rows if row.strip())}


def current_digests(heldout: Path) -> dict[str, str]:
    return {p.name: digest(p) for p in sorted(heldout.glob("*.yaml"))}
