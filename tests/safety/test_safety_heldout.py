"""The safety screen measured on labelled sets it was not written from.

`heldout/` is frozen: written before the lexicons were read, never used to tune them, and only
its figures are reported (never which case missed), so that they stay a measurement. The
development part names every case the screen gets wrong, since that is what it is for.
"""

from __future__ import annotations

from collections import Counter

import labelled_sets
import pytest
import scoring

from bot.understanding.lexicon import LOCALES

#: Stated thresholds: a missed crisis is the costliest error; a look-alike that opts a patient
#: out silently ends their care reminders.
MIN_HELDOUT_URGENT_RECALL = 0.98

_OUTCOMES: dict[str, list[scoring.Outcome]] = {}


def outcomes(part: str) -> list[scoring.Outcome]:
    if part not in _OUTCOMES:
        _OUTCOMES[part] = scoring.run(scoring.load(part))
    return _OUTCOMES[part]


def test_heldout_files_are_the_frozen_ones() -> None:
    recorded = scoring.frozen_digests()
    files = {p.name: scoring.digest(p) for p in (scoring.LABELLED / "heldout").glob("*.yaml")}
    assert files == recorded, (
        "a held-out file changed: the held-out part grows only by adding unseen cases, "
        "in a commit that updates heldout/FROZEN.sha256 and says so")


def test_every_language_has_enough_cases() -> None:
    counts: Counter[tuple[str, str, str]] = Counter()
    for part in scoring.PARTS:
        for case in scoring.load(part):
            counts[(case.language, case.family, case.label)] += 1
            assert case.text.strip(), case
    minimum = {("crisis", "urgent"): 30, ("crisis", "none"): 20, ("crisis", "concern"): 10,
               ("consent", "revoke"): 20, ("consent", "keep"): 20,
               ("consent", "wrong_number"): 6}
    for language in LOCALES:
        for (family, label), n in minimum.items():
            assert counts[(language, family, label)] >= n, (language, family, label)


def test_no_case_is_in_both_parts() -> None:
    def key(c: scoring.Case) -> tuple[str, str]:
        return c.language, " ".join(c.text.casefold().split())
    dev = {key(c) for c in scoring.load("development")}
    both = [c for c in scoring.load("heldout") if key(c) in dev]
    assert not both, both


def test_heldout_urgent_recall_holds() -> None:
    ratio = scoring.recall(outcomes("heldout"), "crisis", "urgent")
    assert ratio.value >= MIN_HELDOUT_URGENT_RECALL, (
        f"held-out urgent recall {ratio.k}/{ratio.n} is below "
        f"{MIN_HELDOUT_URGENT_RECALL:.0%}: add the meaning that is missing to the lexicons "
        "from development cases, never from the held-out file")


@pytest.mark.parametrize("part", scoring.PARTS)
def test_no_look_alike_opts_a_patient_out(part: str) -> None:
    bad = scoring.false_optouts(outcomes(part))
    shown = [(o.case.language, o.case.text) for o in bad] if part == "development" else len(bad)
    assert not bad, f"{part}: look-alikes that opted the patient out: {shown}"


def test_development_cases_all_answered_right() -> None:
    bad = scoring.wrong(outcomes("development"))
    assert not bad, "\n".join(f"{o.case.language} {o.case.label}: got {o.tier}/{o.consent}: "
                              f"{o.case.text}" for o in bad)


def test_report(safety_tables: list[list[str]]) -> None:
    """Queues the figures for the end of the run (`make test` prints them): the per-language
    tables, and the pooled figures in the table every labelled set shares."""
    for part in scoring.PARTS:
        outs = outcomes(part)
        safety_tables.append(scoring.table(
            outs, f"safety screen, {part} part ({len(outs)} cases; 95% Wilson intervals)"))
        shown = "held-out" if part == "heldout" else part
        for measure, ratio in scoring.pooled(outs):
            labelled_sets.record("safety screen", shown, measure, ratio)
    assert len(safety_tables) >= 2
    assert {"development", "held-out"} <= {
        f.part for f in labelled_sets.FIGURES if f.labelled_set == "safety screen"}
