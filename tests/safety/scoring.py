"""Scores the safety screen on the labelled sets under tests/safety/labelled/.

The screen's answer is read through `classify_global`, exactly as the engine reads it: an
``urgent`` or ``concern`` intent gives the crisis tier, ``stop`` is an opt-out,
``wrong_number`` is a wrong number, anything else keeps consent. Intervals are Wilson score
intervals (95%), which stay honest at the small counts one language has.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import labelled_sets
import yaml
from labelled_sets import Ratio

from bot.understanding.lexicon import LOCALES
from bot.understanding.safety import classify_global

LABELLED = Path(__file__).parent / "labelled"
PARTS = ("development", "heldout")
TIERS = ("urgent", "concern", "none")
CONSENT = ("revoke", "keep", "wrong_number")


@dataclass(frozen=True)
class Case:
    language: str
    part: str
    family: str  # "crisis" | "consent"
    label: str
    text: str


@dataclass(frozen=True)
class Outcome:
    case: Case
    tier: str  # urgent | concern | none
    consent: str  # revoke | keep | wrong_number


def load(part: str) -> list[Case]:
    cases: list[Case] = []
    for language in LOCALES:
        path = LABELLED / part / f"{language}.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data.get("language") != language or data.get("part") != part:
            raise ValueError(f"{path}: header says {data.get('language')}/{data.get('part')}")
        for family, labels in (("crisis", TIERS), ("consent", CONSENT)):
            for label in labels:
                for text in data[family].get(label) or ():
                    cases.append(Case(language, part, family, label, str(text)))
    return cases


def frozen_digests() -> dict[str, str]:
    """The recorded digest of each held-out file (refreshed only when cases are added)."""
    return labelled_sets.frozen_digests(LABELLED / "heldout")


def digest(path: Path) -> str:
    return labelled_sets.digest(path)


def run(cases: Iterable[Case]) -> list[Outcome]:
    out = []
    for case in cases:
        hit = classify_global(case.text, case.language)
        kind = hit.kind if hit is not None else None
        tier = kind if kind in ("urgent", "concern") else "none"
        consent = {"stop": "revoke", "wrong_number": "wrong_number"}.get(kind or "", "keep")
        out.append(Outcome(case, tier, consent))
    return out


def recall(outcomes: list[Outcome], family: str, label: str, *, at_least: bool = False) -> Ratio:
    """Share of `label` cases the screen put in `label` (for concern: concern or urgent)."""
    rows = [o for o in outcomes if o.case.family == family and o.case.label == label]
    got = [_answer(o, family) for o in rows]
    if at_least:
        hits = sum(1 for g in got if g in ("concern", "urgent"))
    else:
        hits = sum(1 for g in got if g == label)
    return Ratio(hits, len(rows))


def precision(outcomes: list[Outcome], family: str, label: str) -> Ratio:
    rows = [o for o in outcomes if o.case.family == family and _answer(o, family) == label]
    return Ratio(sum(1 for o in rows if o.case.label == label), len(rows))


def _answer(o: Outcome, family: str) -> str:
    return o.tier if family == "crisis" else o.consent


def false_optouts(outcomes: list[Outcome]) -> list[Outcome]:
    """Look-alikes that opted the patient out: keep cases, and every crisis case (a wrong
    number stops outreach to that phone by its own path and is counted there)."""
    return [o for o in outcomes if o.consent == "revoke"
            and (o.case.family == "crisis" or o.case.label == "keep")]


def wrong(outcomes: list[Outcome]) -> list[Outcome]:
    """Every case the screen answered differently from its label (concern: urgent is fine)."""
    bad = []
    for o in outcomes:
        got = _answer(o, o.case.family)
        if got == o.case.label or (o.case.label == "concern" and got == "urgent"):
            continue
        bad.append(o)
    return bad


def table(outcomes: list[Outcome], title: str) -> list[str]:
    """Per-language rows: recall per tier and consent label, urgent precision, opt-outs."""
    lines = [title,
             f"{'lang':<8}{'urgent recall':<28}{'concern+ recall':<28}{'look-alike calm':<28}"
             f"{'urgent precision':<28}{'revoke recall':<28}{'keep kept':<28}{'wrong-number':<28}"]
    for language in (*LOCALES, "all"):
        rows = outcomes if language == "all" else [o for o in outcomes
                                                  if o.case.language == language]
        cells = [recall(rows, "crisis", "urgent"), recall(rows, "crisis", "concern", at_least=True),
                 recall(rows, "crisis", "none"), precision(rows, "crisis", "urgent"),
                 recall(rows, "consent", "revoke"), recall(rows, "consent", "keep"),
                 recall(rows, "consent", "wrong_number")]
        lines.append(f"{language:<8}" + "".join(f"{c.show():<28}" for c in cells))
    concern_exact = recall(outcomes, "crisis", "concern")
    concern_precision = precision(outcomes, "crisis", "concern")
    lines.append(f"concern exact recall {concern_exact.show()}; concern precision "
                 f"{concern_precision.show()}; look-alikes that opted out: "
                 f"{len(false_optouts(outcomes))}")
    return lines


def pooled(outcomes: list[Outcome]) -> list[tuple[str, Ratio]]:
    """The headline figures over every language, for the shared end-of-run table."""
    guarded = [o for o in outcomes if o.case.family == "crisis" or o.case.label == "keep"]
    return [
        ("urgent recall", recall(outcomes, "crisis", "urgent")),
        ("concern reaches a person", recall(outcomes, "crisis", "concern", at_least=True)),
        ("look-alikes left calm", recall(outcomes, "crisis", "none")),
        ("urgent precision", precision(outcomes, "crisis", "urgent")),
        ("opt-out recall", recall(outcomes, "consent", "revoke")),
        ("no look-alike opt-out", Ratio(len(guarded) - len(false_optouts(outcomes)),
                                        len(guarded))),
        ("wrong-number recall", recall(outcomes, "consent", "wrong_number")),
    ]
