"""The task page's "Recent readings": the patient's latest readings as rows and, per part of
the most recent kind, a small line (an inline SVG polyline, oldest to newest), so a nurse sees
at a glance whether 184/96 is a new high or the usual."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.store.readings import Reading
from bot.understanding.readings import describe

WIDTH, HEIGHT, PAD = 160, 40, 3


@dataclass(frozen=True)
class Row:
    at: datetime
    kind: str
    text: str


@dataclass(frozen=True)
class Line:
    part: str
    points: str  # SVG polyline points
    low: float
    high: float


@dataclass(frozen=True)
class Trend:
    rows: tuple[Row, ...]
    kind: str | None
    lines: tuple[Line, ...]


def _points(values: Sequence[float], low: float, high: float) -> str:
    span = (high - low) or 1.0
    step = (WIDTH - 2 * PAD) / max(len(values) - 1, 1)
    return " ".join(f"{PAD + i * step:.1f},{HEIGHT - PAD - (v - low) / span * (HEIGHT - 2 * PAD):.1f}"
                    for i, v in enumerate(values))


def trend(readings: Sequence[Reading]) -> Trend:
    """`readings` newest first (bot.store.readings.recent) -> rows and lines for the page."""
    rows = tuple(Row(r.recorded_at, r.kind.replace("_", " "), describe(r.kind, r.values or {}))
                 for r in readings)
    if not readings:
        return Trend(rows, None, ())
    kind = readings[0].kind
    same = [r.values or {} for r in reversed(readings) if r.kind == kind]
    parts = ("systolic", "diastolic") if kind == "blood_pressure" else ("value",)
    series = {p: [float(v[p]) for v in same if isinstance(v.get(p), (int, float))] for p in parts}
    every = [x for values in series.values() for x in values]
    if len(same) < 2 or not every:
        return Trend(rows, kind, ())
    low, high = min(every), max(every)
    lines = tuple(Line(p, _points(values, low, high), min(values), max(values))
                  for p, values in series.items() if len(values) >= 2)
    return Trend(rows, kind, lines)
